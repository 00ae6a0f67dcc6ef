//! The executor: walks the command tree and runs it. It never parses; it
//! only expands words, opens redirections, forks, execs and waits.
//!
//! One method per node kind: [`Shell::run_list`] for `;` and `&`,
//! `run_and_or` for `&&` and `||`, then `run_pipeline` and the simple
//! command in [`simple`] and [`pipeline`].

mod context;
mod job_control;
mod lookup;
mod pipeline;
mod redirect;
mod simple;
pub mod spawn;

use minishell_builtins::Builtin;
use nix::unistd::Pid;

use crate::ast::{AndOr, AndOrList, Assignment, List, Pipeline, Redirection, SimpleCommand};
use crate::expand;
use crate::shell::Shell;
use crate::status::Status;
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
pub fn run_builtin_alone(
    shell: &mut Shell,
    builtin: &Builtin,
    args: &[std::ffi::OsString],
) -> Status {
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
        self.note_command_start();
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

    /// Writes a line on the shell's standard error.
    fn report_line(&self, line: &str) {
        use std::io::Write as _;
        let _ = FdWriter::shell(2).write_all(format!("{line}\n").as_bytes());
    }
}
