//! Forked copies of the shell: `( list )`, `$( list )`, and (in
//! `pipeline.rs`) pipeline stages and background jobs that run shell code.
//! Every one goes through [`Shell::become_subshell`] in the child, as
//! dash's `forkchild`: the copy drops what belongs to the shell that forked
//! it (the terminal, the job table, the SIGCHLD watch) and, whatever
//! happens, ends with `_exit` and never returns into its parent's loop.

use super::Flow;
use super::fds::PrivateFd;
use super::spawn::{Work, spawn};
use crate::ast::{List, Word};
use crate::expand;
use crate::jobs::{Process, ProcessState};
use crate::shell::Shell;
use crate::status::Status;

impl Shell {
    /// `( list )`: runs the list in a forked copy and waits for it.
    pub(super) fn run_subshell(&mut self, list: &List) -> Flow {
        let launch = self.launch(false);
        crate::explain::copy("( ): a subshell, so nothing it changes reaches this shell");
        let plan = self.fds.shell_child_actions();
        let mut run = || {
            self.run_in_child(
                |shell| {
                    // The copy ends with the list: its last program may
                    // replace it.
                    shell.tail = true;
                    shell.run_list(list)
                },
                false,
            )
        };
        let started = spawn(
            Work::Shell(&mut run),
            &plan.actions,
            launch.signals,
            launch.group,
        );
        drop(plan);
        let Some(pid) = self.started(started) else {
            self.status = 1;
            return Flow::Normal;
        };
        let process = Process {
            pid: pid.as_raw(),
            state: ProcessState::Running,
            command: self.job_text(&format!("( {list} )"), false),
        };
        let pgid = self.terminal.as_ref().map(|_| pid.as_raw());
        let id = self.jobs.add(pgid, vec![process], false);
        self.status = self.wait_foreground(id);
        self.check_errexit()
    }

    /// The body of a forked copy: resets what the copy must not keep, runs
    /// `f`, and gives the status to exit with. `keep_jobs`: a builtin run
    /// as a pipeline stage or in `$( )` still lists its parent's jobs, as
    /// in bash (`jobs | cat`), while `( jobs )` lists none.
    pub(super) fn run_in_child(
        &mut self,
        f: impl FnOnce(&mut Shell) -> Flow,
        keep_jobs: bool,
    ) -> Status {
        self.become_subshell(keep_jobs);
        let status = match f(self) {
            Flow::Exit(status) => status,
            _ => self.status,
        };
        // A trap the copy set for itself runs as the copy ends.
        self.run_exit_trap(status)
    }

    /// What a forked copy of the shell drops. The descriptors were already
    /// moved by the spawn plan; here the frames that described them are
    /// forgotten (they are real now), and the signal handlers, the job
    /// table and the terminal, which belong to the parent, go.
    pub(super) fn become_subshell(&mut self, keep_jobs: bool) {
        self.fds.forget_in_child();
        for file in std::mem::take(&mut self.capture_files) {
            file.forget();
        }
        self.terminal = None;
        self.subshell = true;
        // Seeded at its first `$RANDOM`: the copy may be about to exec.
        self.random_reseed = true;
        // Loops outside the copy are not its own: `(break)` in a loop is
        // "only meaningful in a loop", as in bash.
        self.loop_depth = 0;
        if let Some(flag) = self.child_signal.take() {
            flag.uninstall_to_default();
        }
        if let Some(flag) = self.hangup.take() {
            flag.uninstall_to_default();
        }
        if self.mode == crate::shell::Mode::Interactive {
            // The line editor's SIGWINCH handler writes to a pipe the copy
            // closed (see input::terminal): the copy has no editor.
            crate::signals::set_disposition(libc::SIGWINCH, libc::SIG_DFL);
        }
        self.traps.reset_for_subshell(
            self.options.traces_errors(),
            self.options.traces_functions(),
        );
        if !keep_jobs {
            self.jobs = crate::jobs::Jobs::default();
        }
    }

    /// `$( list )`: runs the list in a forked copy with its standard output
    /// on a pipe, and returns what it wrote and its status.
    pub fn capture_output(&mut self, list: &List) -> (Vec<u8>, Status) {
        // Without a fork when the body needs none (virtual_subshell.rs).
        if let Some(captured) = self.capture_virtually(list) {
            return captured;
        }
        let (read_end, write_end) = match crate::sys::pipe2("for the output of $( )") {
            Ok(ends) => ends,
            Err(errno) => {
                self.report_error(&format!("pipe: {}", errno.desc()));
                return (Vec::new(), 1);
            }
        };
        let read_end = PrivateFd::new(read_end);
        self.fds.push();
        self.fds.give(PrivateFd::new(write_end), 1);
        crate::explain::copy("$( ): the list runs in a copy whose stdout is the pipe's write end");
        let plan = self.fds.shell_child_actions();
        // Unlike `( )`, bash's `$( )` still counts the loops around it:
        // `$(break)` in a loop ends the substitution without a word.
        let loops = self.loop_depth;
        let mut run = || {
            self.run_in_child(
                |shell| {
                    shell.loop_depth = loops;
                    shell.trace_level += 1;
                    // bash's `$( )` leaves `set -e` behind, unless
                    // inherit_errexit (or POSIX mode) keeps it.
                    let options = &mut shell.options;
                    options.errexit &= options.inherit_errexit || options.posix;
                    shell.tail = true;
                    shell.run_list(list)
                },
                true,
            )
        };
        let started = spawn(
            Work::Shell(&mut run),
            &plan.actions,
            super::spawn::Signals::Default,
            super::spawn::Group::Shell,
        );
        drop(plan);
        // Closes the shell's copy of the write end: the reader sees the end
        // of the output when the child (and whatever it started) is done.
        self.fds.pop();
        let Some(pid) = self.started(started) else {
            return (Vec::new(), 1);
        };
        let output = read_all(read_end.raw());
        drop(read_end);
        let process = Process {
            pid: pid.as_raw(),
            state: ProcessState::Running,
            command: None,
        };
        let id = self.jobs.add(None, vec![process], false);
        self.jobs.wait_while_running(id, false);
        let status = self.jobs.get(id).map_or(1, crate::jobs::Job::status);
        self.jobs.forget(id);
        (output, status)
    }

    /// `$(< file)`: the file's contents, read by the shell itself.
    pub fn read_file_for_substitution(&mut self, word: &Word) -> (Vec<u8>, Status) {
        let path = match expand::redirect_target(self, word) {
            Ok(path) => path.into_owned(),
            Err(_) => return (Vec::new(), 1),
        };
        match std::fs::read(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&path)) {
            Ok(text) => (text, 0),
            Err(e) => {
                let name = String::from_utf8_lossy(&path).into_owned();
                self.report_error(&format!(
                    "{name}: {}",
                    minishell_builtins::errors::plain(&e)
                ));
                (Vec::new(), 1)
            }
        }
    }
}

/// Everything readable from `fd` until its end.
fn read_all(fd: i32) -> Vec<u8> {
    let mut output = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match nix::unistd::read(super::borrow_fd(fd), &mut buf) {
            Ok(0) => return output,
            Ok(n) => output.extend_from_slice(&buf[..n]),
            Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return output,
        }
    }
}
