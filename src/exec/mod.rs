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

use nix::errno::Errno;
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use crate::ast::{AndOr, AndOrList, Assignment, List, Pipeline, Redirection, SimpleCommand};
use crate::expand;
use crate::shell::Shell;
use crate::status::{ChildEnd, Status};
use context::FdWriter;
use redirect::{Expanded, Redirects, Slot};

/// A simple command with its words expanded and its redirections opened:
/// ready to run in the shell or in a child.
struct Prepared {
    argv: Vec<Vec<u8>>,
    redirects: Redirects,
}

impl Shell {
    /// Runs a list: each item in turn, in the foreground or started in the
    /// background. Stops early when `exit` ran.
    pub fn run_list(&mut self, list: &List) {
        for item in &list.items {
            if self.stopping() {
                return;
            }
            self.jobs.reap();
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

    /// Waits for a foreground child and reports a death by signal in bash's
    /// words (`Segmentation fault (core dumped)`).
    fn wait_foreground(&mut self, pid: Pid) -> Status {
        loop {
            match waitpid(pid, None) {
                Ok(status) => {
                    let Some(end) = ChildEnd::from_wait(status) else {
                        continue;
                    };
                    if let Some(words) = end.report() {
                        self.report_signal(&words);
                    }
                    return end.status();
                }
                Err(Errno::EINTR) => continue,
                Err(errno) => {
                    self.report(Slot::Fd(2), &format!("waitpid: {}", errno.desc()));
                    return 1;
                }
            }
        }
    }

    fn report_signal(&self, words: &str) {
        use std::io::Write as _;
        let _ = FdWriter::shell(2).write_all(format!("{words}\n").as_bytes());
    }
}
