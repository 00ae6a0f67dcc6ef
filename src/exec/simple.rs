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
use super::spawn::{Program, Signals, Work, spawn};
use crate::ast::SimpleCommand;
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
            shell.run_prepared(prepared)
        })
    }

    fn run_prepared(&mut self, prepared: Prepared) -> Status {
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
                let child = spawn(
                    Work::Exec(&program),
                    redirects.child_actions(),
                    Signals::Default,
                );
                drop(redirects);
                match self.started(child) {
                    Some(pid) => self.wait_foreground(pid),
                    None => 1,
                }
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
