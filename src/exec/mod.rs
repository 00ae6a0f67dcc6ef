//! The executor: walks the command tree and runs it. It never parses; it
//! only expands words, opens redirections, forks, execs and waits.
//!
//! One method per node kind: [`Shell::run_list`] for `;` and `&`,
//! `run_and_or` for `&&` and `||`, then `run_pipeline` and the simple
//! command in [`simple`] and [`pipeline`].

mod context;
mod lookup;
mod pipeline;
mod redirect;
mod simple;
pub mod spawn;

use minishell_builtins::{Builtin, JobState};
use minishell_builtins::jobs::job_line;
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

use crate::ast::{AndOr, AndOrList, Assignment, List, Pipeline, Redirection, SimpleCommand};
use crate::expand;
use crate::jobs::ProcessState;
use crate::shell::Shell;
use crate::signals::ChildSignal;
use crate::status::{ChildEnd, Status};
use crate::terminal::Terminal;
use context::FdWriter;
use redirect::{Expanded, Redirects, Slot};

/// A simple command with its words expanded and its redirections opened:
/// ready to run in the shell or in a child.
struct Prepared {
    argv: Vec<Vec<u8>>,
    redirects: Redirects,
}

/// Runs one builtin with the process's own standard output and error: a
/// lab demo in the process the shell started for it.
pub fn run_builtin_alone(shell: &mut Shell, builtin: &Builtin, args: &[std::ffi::OsString]) -> Status {
    let mut context = context::ShellContext {
        stdout: FdWriter::shell(1),
        stderr: FdWriter::shell(2),
        shell,
    };
    builtin.invoke(args, &mut context)
}

impl Shell {
    /// Runs a list: each item in turn, in the foreground or started in the
    /// background. Stops early when `exit` ran.
    pub fn run_list(&mut self, list: &List) {
        for item in &list.items {
            if self.stopping() {
                return;
            }
            self.reap_if_signalled();
            if item.background {
                self.start_background(&item.and_or);
            } else {
                self.run_and_or(&item.and_or);
            }
        }
    }

    /// `a && b || c`: each pipeline after the first runs only if the status
    /// so far agrees with its operator.
    fn run_and_or(&mut self, list: &AndOrList) {
        self.status = self.run_pipeline(&list.first);
        for (op, pipeline) in &list.rest {
            if self.stopping() {
                return;
            }
            let run = match op {
                AndOr::And => self.status == 0,
                AndOr::Or => self.status != 0,
            };
            if run {
                self.status = self.run_pipeline(pipeline);
            }
        }
    }

    fn run_pipeline(&mut self, pipeline: &Pipeline) -> Status {
        match pipeline.commands.as_slice() {
            [crate::ast::Command::Simple(command)] => self.run_simple(command),
            _ => self.run_pipeline_foreground(pipeline),
        }
    }

    /// Runs `f` with a command's `NAME=value` assignments in effect and
    /// exported, then puts the variables back: `LANG=C sort` changes only
    /// sort's environment. Each value sees the ones before it (`a=1 b=$a`).
    fn with_assignments<R>(
        &mut self,
        assignments: &[Assignment],
        f: impl FnOnce(&mut Shell) -> R,
    ) -> R {
        if assignments.is_empty() {
            return f(self);
        }
        let mut saved = Vec::with_capacity(assignments.len());
        for assignment in assignments {
            let value = expand::single(self, &assignment.value);
            saved.push((assignment.name.as_str(), self.vars.saved(&assignment.name)));
            self.vars.set(&assignment.name, value);
            self.vars.set_exported(&assignment.name, true);
        }
        let result = f(self);
        for (name, old) in saved.into_iter().rev() {
            self.vars.restore(name, old);
        }
        result
    }

    /// `NAME=value` with no command: sets shell variables for good.
    fn assign(&mut self, assignments: &[Assignment]) {
        for assignment in assignments {
            let value = expand::single(self, &assignment.value);
            self.vars.set(&assignment.name, value);
        }
    }

    /// Expands a command's words and opens its redirections on top of
    /// `base` (pipe ends). On failure the error is reported where the
    /// command's standard error points, and nothing of it may run.
    fn prepare(&mut self, command: &SimpleCommand, base: Redirects) -> Option<Prepared> {
        let argv = expand::words(self, &command.words);
        let mut redirects = base;
        for redirection in &command.redirections {
            if let Err(message) = self.open_redirection(redirection, &mut redirects) {
                self.report(redirects.slot(2), &message);
                return None;
            }
        }
        Some(Prepared { argv, redirects })
    }

    fn open_redirection(
        &self,
        redirection: &Redirection,
        redirects: &mut Redirects,
    ) -> Result<(), String> {
        let Some(target) = expand::single_field(self, &redirection.target) else {
            return Err(format!("{}: ambiguous redirect", redirection.target));
        };
        let expanded = Expanded {
            fd: redirection.fd.unwrap_or(redirection.op.default_fd()),
            op: redirection.op,
            target: &target,
        };
        redirects.add(&expanded).map_err(|e| e.to_string())
    }

    /// The PID of a child that started, or `None` after reporting why
    /// `fork` failed (too many processes).
    fn started(&self, result: nix::Result<Pid>) -> Option<Pid> {
        match result {
            Ok(pid) => Some(pid),
            Err(errno) => {
                self.report(Slot::Fd(2), &format!("fork: {}", errno.desc()));
                None
            }
        }
    }

    /// Prints `minishell: message` on the given standard error.
    fn report(&self, stderr: Slot, message: &str) {
        use std::io::Write as _;
        let _ = FdWriter::new(stderr).write_all(format!("minishell: {message}\n").as_bytes());
    }

    /// Waits for foreground job `id` to end or, under job control, to stop
    /// (Ctrl-Z). The job has the terminal meanwhile; the shell takes it
    /// back after. A death by signal is reported in bash's words
    /// (`Segmentation fault (core dumped)`); a stopped job stays in the
    /// table, announced as `[1]+  Stopped   sleep 100`.
    fn wait_foreground(&mut self, id: usize) -> Status {
        let pgid = self.jobs.get(id).and_then(|job| job.pgid);
        if let (Some(terminal), Some(pgid)) = (&self.terminal, pgid) {
            terminal.give_to(pgid);
        }
        self.jobs.wait_while_running(id, self.terminal.is_some());
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
            let line = self.jobs.summaries().into_iter().find(|j| j.id == id);
            if let Some(line) = line {
                self.report_line(&format!("\n{}", job_line(&line, false)));
            }
            return status;
        }
        let status = job.status();
        let ends: Vec<ChildEnd> = job
            .processes
            .iter()
            .filter_map(|p| match p.state {
                ProcessState::Ended(end) => Some(end),
                _ => None,
            })
            .collect();
        self.jobs.remove(id);
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
    /// process group, and in the foreground the terminal and its own
    /// terminal modes back, then a wait like any foreground job.
    fn continue_job(&mut self, id: usize, foreground: bool) -> Result<Status, String> {
        let job = self
            .jobs
            .get_mut(id)
            .ok_or_else(|| format!("%{id}: no such job"))?;
        if !foreground && job.state() == JobState::Running {
            return Err(format!("job {id} already in background"));
        }
        let pgid = job.pgid;
        let pids: Vec<i32> = job.processes.iter().map(|p| p.pid).collect();
        for process in &mut job.processes {
            if let ProcessState::Stopped(_) = process.state {
                process.state = ProcessState::Running;
            }
        }
        job.background = !foreground;
        job.reported = true;
        let modes = job.modes.take();
        if let (Some(terminal), Some(modes), true) = (&self.terminal, &modes, foreground) {
            terminal.restore(modes);
        }
        if let (Some(terminal), Some(pgid), true) = (&self.terminal, pgid, foreground) {
            terminal.give_to(pgid);
        }
        let result = match pgid {
            Some(pgid) => killpg(Pid::from_raw(pgid), Signal::SIGCONT),
            None => pids
                .iter()
                .try_for_each(|&pid| kill(Pid::from_raw(pid), Signal::SIGCONT)),
        };
        result.map_err(|e| e.desc().to_owned())?;
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
            if let (Some(pgid), false) = (job.pgid, job.state == JobState::Done) {
                let _ = killpg(Pid::from_raw(pgid), Signal::SIGHUP);
                let _ = killpg(Pid::from_raw(pgid), Signal::SIGCONT);
            }
        }
    }

    /// `exit` (or Ctrl-D): leaves, unless jobs would be left behind and
    /// this is the first try; then it warns, and a second `exit` on the
    /// next line leaves anyway.
    pub fn request_exit(&mut self, status: Status) {
        if self.terminal.is_some() && !self.exit_warned_last_line {
            if let Some(state) = self.jobs.pending() {
                let what = if state == JobState::Stopped {
                    "stopped"
                } else {
                    "running"
                };
                self.report_line(&format!("There are {what} jobs."));
                self.exit_warned_this_line = true;
                return;
            }
        }
        self.exit_request = Some(status);
    }

    /// Installs the SIGCHLD handler, once, before the first background job.
    fn watch_children(&mut self) {
        if self.child_signal.is_none() {
            self.child_signal = ChildSignal::install();
        }
    }

    /// Collects children that changed, if SIGCHLD said some did.
    pub fn reap_if_signalled(&mut self) {
        if self.child_signal.as_ref().is_some_and(ChildSignal::take) {
            self.jobs.reap();
        }
    }

    /// In a forked copy of the shell (a builtin in a pipeline, a background
    /// `a && b`): the jobs are the parent's, and job control too.
    fn become_subshell(&mut self) {
        self.jobs.clear();
        self.terminal = None;
    }

    /// Writes a line on the shell's standard error.
    fn report_line(&self, line: &str) {
        use std::io::Write as _;
        let _ = FdWriter::shell(2).write_all(format!("{line}\n").as_bytes());
    }
}
