//! A simple command in the foreground: a builtin runs right in the shell,
//! with its redirections seen through [`Redirects::slot`]; a program runs
//! in a forked child the shell waits for.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use minishell_builtins::Builtin;

use super::Prepared;
use super::context::{FdWriter, ShellContext};
use super::lookup::{Resolved, resolve};
use super::redirect::Redirects;
use super::spawn::{Program, Work, spawn};
use crate::ast::SimpleCommand;
use crate::jobs::{Process, ProcessState};
use crate::shell::Shell;
use crate::status::{NOT_EXECUTABLE, Status};

impl Shell {
    pub(super) fn run_simple(&mut self, command: &SimpleCommand) -> Status {
        if command.words.is_empty() {
            // `A=1 > f`: the assignments stay, then the redirections are made
            // (creating f) and undone. bash assigns first, so `x=f > $x`
            // writes to f and a failed redirection still assigns.
            self.assign(&command.assignments);
            if command.redirections.is_empty() {
                return 0;
            }
            return match self.prepare(command, Redirects::default()) {
                Some(_) => 0,
                None => 1,
            };
        }
        self.with_assignments(&command.assignments, |shell| {
            let Some(prepared) = shell.prepare(command, Redirects::default()) else {
                return 1;
            };
            shell.run_prepared(command, prepared)
        })
    }

    fn run_prepared(&mut self, command: &SimpleCommand, prepared: Prepared) -> Status {
        let Prepared {
            argv,
            mut redirects,
        } = prepared;
        let Some(name) = argv.first() else {
            return 0;
        };
        match resolve(name, || self.vars.get("PATH")) {
            Resolved::Builtin(builtin) => self.run_builtin_here(builtin, argv, &redirects),
            Resolved::Cannot { message, status } => {
                // No child is needed to say so; the message goes where the
                // command's stderr points (`nosuch 2>/dev/null` is silent).
                let _ = std::io::Write::write_all(&mut FdWriter::new(redirects.slot(2)), &message);
                status
            }
            Resolved::File(path) => {
                let environment = self.vars.environment();
                let Some(program) = Program::new(path, argv, environment) else {
                    self.report(redirects.slot(2), "argument holds a NUL byte");
                    return NOT_EXECUTABLE;
                };
                let launch = self.launch(false);
                let work = Work::Exec(&program);
                let child = spawn(
                    work,
                    redirects.child_actions(),
                    launch.signals,
                    launch.group,
                );
                drop(redirects);
                let Some(pid) = self.started(child) else {
                    return 1;
                };
                let process = Process {
                    pid: pid.as_raw(),
                    state: ProcessState::Running,
                    command: self.job_text(command, false),
                };
                let pgid = self.terminal.as_ref().map(|_| pid.as_raw());
                let id = self.jobs.add(pgid, vec![process], false);
                self.wait_foreground(id)
            }
        }
    }

    /// Runs a builtin in the shell's own process. Its output goes where its
    /// redirections point; the shell's descriptors 1 and 2 never move.
    fn run_builtin_here(
        &mut self,
        builtin: &Builtin,
        argv: Vec<Vec<u8>>,
        redirects: &Redirects,
    ) -> Status {
        let args: Vec<OsString> = argv.into_iter().map(OsString::from_vec).collect();
        let mut context = ShellContext {
            stdout: FdWriter::new(redirects.slot(1)),
            stderr: FdWriter::new(redirects.slot(2)),
            shell: self,
        };
        builtin.invoke(&args, &mut context)
    }
}
