//! Job control in the executor: waiting for a foreground job with the
//! terminal handed to it, continuing stopped jobs (`fg`, `bg`), the SIGCHLD
//! watch, and leaving with jobs left (the exit warning, SIGHUP).

use minishell_builtins::JobState;
use minishell_builtins::jobs::{job_line, signal_job};
use nix::sys::signal::Signal;

use crate::jobs::ProcessState;
use crate::shell::Shell;
use crate::signals::SignalFlag;
use crate::status::{ChildEnd, Status};
use crate::terminal::Terminal;

impl Shell {
    /// Waits for foreground job `id` to end or, under job control, to stop
    /// (Ctrl-Z). The job has the terminal meanwhile; the shell takes it
    /// back after. A death by signal is reported in bash's words
    /// (`Segmentation fault (core dumped)`); a stopped job stays in the
    /// table, announced as `[1]+  Stopped   sleep 100`.
    pub(super) fn wait_foreground(&mut self, id: usize) -> Status {
        let pgid = self.jobs.get(id).and_then(|job| job.pgid);
        if let (Some(terminal), Some(pgid)) = (&self.terminal, pgid) {
            terminal.give_to(pgid);
        }
        let interrupts = self
            .terminal
            .is_none()
            .then(crate::signals::ForegroundWait::begin);
        self.jobs.wait_while_running(id, self.terminal.is_some());
        let interrupted = interrupts.is_some_and(crate::signals::ForegroundWait::end);
        let modes = self.terminal.as_ref().and_then(Terminal::take_back);
        let Some(job) = self.jobs.get_mut(id) else {
            return 1;
        };
        if job.state() == JobState::Stopped {
            job.modes = modes;
            job.background = true;
            job.reported = true;
            let status = job.status();
            self.jobs.make_current(id);
            if let Some(line) = self.jobs.summaries().into_iter().find(|j| j.id == id) {
                self.report_line(&format!("\n{}", job_line(&line, false)));
            }
            return status;
        }
        let ends: Vec<ChildEnd> = job
            .processes
            .iter()
            .filter_map(|p| match p.state {
                ProcessState::Ended(end) => Some(end),
                _ => None,
            })
            .collect();
        if interrupted && ends.last() == Some(&ChildEnd::interrupted()) {
            // Ctrl-C ended the command (its last stage, whose status the
            // pipeline's is), and the shell got it too: the
            // script ends as if killed by it, after its EXIT trap, as
            // bash's does. (A command that survived it, or caught it,
            // lets the script go on.)
            self.jobs.forget(id);
            let _ = self.run_exit_trap(ChildEnd::interrupted().status());
            crate::signals::die_of(libc::SIGINT);
        }
        let statuses: Vec<Status> = ends.iter().map(|end| end.status()).collect();
        // `set -o pipefail`: the rightmost stage that failed decides.
        let status = match self.options.pipefail {
            true => statuses
                .iter()
                .rev()
                .find(|&&s| s != 0)
                .copied()
                .unwrap_or(0),
            false => job.status(),
        };
        self.pipe_statuses = statuses;
        self.jobs.forget(id);
        for end in ends {
            if let Some(words) = end.report() {
                self.report_line(&words);
            } else if self.terminal.is_some() && end == ChildEnd::interrupted() {
                // The terminal echoed ^C; end its line, as bash does.
                self.report_line("");
            }
        }
        status
    }

    /// Continues a stopped or background job (`fg`, `bg`): SIGCONT to its
    /// process group, and in the foreground the terminal and the job's own
    /// terminal modes back, then a wait like any foreground job. Nothing
    /// changes if the job cannot be continued.
    pub(super) fn continue_job(&mut self, id: usize, foreground: bool) -> Result<Status, String> {
        let job = self
            .jobs
            .get(id)
            .ok_or_else(|| format!("%{id}: no such job"))?;
        if job.state() == JobState::Done {
            return Err(format!("%{id}: no such job"));
        }
        let (pgid, pids) = (
            job.pgid,
            job.processes.iter().map(|p| p.pid).collect::<Vec<_>>(),
        );
        if foreground {
            if let (Some(terminal), Some(modes)) = (&self.terminal, &job.modes) {
                terminal.restore(modes);
            }
            if let (Some(terminal), Some(pgid)) = (&self.terminal, pgid) {
                terminal.give_to(pgid);
            }
        }
        if let Err(e) = signal_job(pgid, &pids, Signal::SIGCONT, &mut crate::sys::kill) {
            if let Some(terminal) = &self.terminal {
                terminal.take_back();
            }
            return Err(e.desc().to_owned());
        }
        let Some(job) = self.jobs.get_mut(id) else {
            return Err(format!("%{id}: no such job"));
        };
        for process in &mut job.processes {
            if let ProcessState::Stopped(_) = process.state {
                process.state = ProcessState::Running;
            }
        }
        job.background = !foreground;
        job.reported = true;
        job.modes = None;
        if foreground {
            Ok(self.wait_foreground(id))
        } else {
            self.jobs.make_current(id);
            Ok(0)
        }
    }

    /// Leaving an interactive shell: its jobs get SIGHUP, and SIGCONT so a
    /// stopped one can act on it, as bash does.
    pub fn hang_up_jobs(&mut self) {
        for job in self.jobs.summaries() {
            if job.state != JobState::Done {
                let kill = &mut crate::sys::kill;
                let _ = signal_job(job.pgid, &job.pids, Signal::SIGHUP, kill);
                let _ = signal_job(job.pgid, &job.pids, Signal::SIGCONT, kill);
            }
        }
    }

    /// Whether `exit` (or Ctrl-D) may leave now: not when jobs would be
    /// left behind and the command before was not already an `exit` that
    /// warned; then it warns instead, and the next `exit` leaves anyway.
    pub fn exit_allowed(&mut self) -> bool {
        if self.terminal.is_some() && !self.exit_warned_before {
            if let Some(state) = self.jobs.pending() {
                let what = if state == JobState::Stopped {
                    "stopped"
                } else {
                    "running"
                };
                self.report_line(&format!("There are {what} jobs."));
                self.exit_warned = true;
                return false;
            }
        }
        true
    }

    /// Notes, before a command runs, whether the one before it was an
    /// `exit` that warned: only that makes a second `exit` leave.
    pub fn note_command_start(&mut self) {
        self.exit_warned_before = std::mem::take(&mut self.exit_warned);
    }

    /// Installs the SIGCHLD handler, once: at start for an interactive
    /// shell, else with the first background job. Until then every child
    /// is a foreground one, waited for as it runs.
    pub fn watch_children(&mut self) {
        if self.child_signal.is_none() {
            self.child_signal = SignalFlag::install(libc::SIGCHLD);
        }
    }

    /// Collects children that changed, if SIGCHLD said some did.
    pub fn reap_if_signalled(&mut self) {
        if self.child_signal.as_ref().is_some_and(SignalFlag::take) {
            crate::explain::child_signal();
            self.jobs.reap();
        }
    }
}
