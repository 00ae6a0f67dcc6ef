//! Pipelines and background commands: every stage a child of the shell,
//! joined by pipes, started left to right with the `prevfd` loop.
//!
//! For each stage the shell creates the pipe to the next one, hands the
//! child the previous pipe's read end as stdin and the new write end as
//! stdout, and closes its own copies at once. A pipe end left open in the
//! shell would keep the reader from ever seeing end of file.

use std::ffi::OsString;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStringExt;

use nix::fcntl::OFlag;
use nix::unistd::{Pid, pipe2};

use super::Prepared;
use super::context::{FdWriter, ShellContext};
use super::lookup::{Resolved, resolve};
use super::redirect::{Redirects, Slot};
use super::spawn::{Program, Signals, Work, spawn};
use crate::ast::{AndOrList, Command, Pipeline};
use crate::shell::Shell;
use crate::status::Status;

impl Shell {
    /// Runs a pipeline of two or more stages and waits for all of them; its
    /// status is the last stage's.
    pub(super) fn run_pipeline_foreground(&mut self, pipeline: &Pipeline) -> Status {
        let pids = self.start_pipeline(pipeline, false);
        let mut status = 1;
        for pid in pids {
            status = match pid {
                Some(pid) => self.wait_foreground(pid),
                None => 1,
            };
        }
        status
    }

    /// `… &`: starts the item and goes on. A single pipeline's stages are
    /// started directly; a list with `&&`/`||` runs in a forked copy of the
    /// shell. `$!` becomes the last process started.
    pub(super) fn start_background(&mut self, list: &AndOrList) {
        let pids: Vec<Pid> = if list.rest.is_empty() {
            self.start_pipeline(&list.first, true)
                .into_iter()
                .flatten()
                .collect()
        } else {
            self.start_subshell(list).into_iter().collect()
        };
        // Every process is tracked, not only the last: `wait` waits for the
        // whole pipeline, and none of its stages is left a zombie.
        for pid in &pids {
            self.jobs.add(pid.as_raw());
        }
        if let Some(last) = pids.last() {
            self.last_background = Some(last.as_raw());
        }
        self.status = 0;
    }

    fn start_subshell(&mut self, list: &AndOrList) -> Option<Pid> {
        let mut base = Redirects::default();
        self.background_stdin(&mut base);
        base.close_owned_in_child(&[]);
        let mut run = || {
            self.jobs.clear();
            self.run_and_or(list);
            self.status
        };
        let started = spawn(
            Work::Shell(&mut run),
            base.child_actions(),
            Signals::IgnoreInterrupts,
        );
        self.started(started)
    }

    /// Without job control, a background command reads `/dev/null`, not
    /// the shell's input (POSIX), so `sleep 1 &` cannot steal the next
    /// lines of a script piped into the shell.
    fn background_stdin(&self, base: &mut Redirects) {
        if self.interactive() {
            return;
        }
        if let Ok(null) = nix::fcntl::open(
            "/dev/null",
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) {
            base.give(null, 0);
        }
    }

    /// Starts every stage; the PID of each, or `None` for a stage that
    /// failed before it could start (a bad redirection, no more processes).
    fn start_pipeline(&mut self, pipeline: &Pipeline, background: bool) -> Vec<Option<Pid>> {
        let signals = if background && !self.interactive() {
            Signals::IgnoreInterrupts
        } else {
            Signals::Default
        };
        let count = pipeline.commands.len();
        let mut pids = Vec::with_capacity(count);
        let mut input: Option<OwnedFd> = None;
        for (i, Command::Simple(command)) in pipeline.commands.iter().enumerate() {
            let mut base = Redirects::default();
            if background && i == 0 {
                self.background_stdin(&mut base);
            }
            if let Some(read_end) = input.take() {
                base.give(read_end, 0);
            }
            let mut next_input = None;
            if i + 1 < count {
                match pipe2(OFlag::O_CLOEXEC) {
                    Ok((read_end, write_end)) => {
                        base.give(write_end, 1);
                        next_input = Some(read_end);
                    }
                    Err(errno) => {
                        self.report(Slot::Fd(2), &format!("pipe: {}", errno.desc()));
                        pids.push(None);
                        break;
                    }
                }
            }
            let keep_from_child: Vec<RawFd> = next_input.iter().map(AsRawFd::as_raw_fd).collect();
            let pid = self.with_assignments(&command.assignments, |shell| {
                let prepared = shell.prepare(command, base)?;
                shell.start_stage(prepared, &keep_from_child, signals)
            });
            pids.push(pid);
            input = next_input;
        }
        pids
    }

    /// Forks one stage. A builtin runs in the child with the shell's code;
    /// anything else is exec'd.
    fn start_stage(
        &mut self,
        prepared: Prepared,
        keep_from_child: &[RawFd],
        signals: Signals,
    ) -> Option<Pid> {
        let Prepared {
            argv,
            mut redirects,
        } = prepared;
        let resolved = match argv.first() {
            Some(name) => resolve(name, || self.vars.get("PATH")),
            None => return self.spawn_builtin(None, argv, redirects, keep_from_child, signals),
        };
        match resolved {
            Resolved::Builtin(builtin) => {
                self.spawn_builtin(Some(builtin), argv, redirects, keep_from_child, signals)
            }
            Resolved::File(path) => {
                let Some(program) = Program::new(path, argv, self.vars.environment()) else {
                    self.report(redirects.slot(2), "argument holds a NUL byte");
                    return None;
                };
                let started = spawn(Work::Exec(&program), redirects.child_actions(), signals);
                self.started(started)
            }
            Resolved::Cannot { message, status } => {
                // A child still stands in the pipeline, so its neighbours
                // see their pipe ends close as with any command.
                let work = Work::Fail {
                    message: &message,
                    status,
                };
                let started = spawn(work, redirects.child_actions(), signals);
                self.started(started)
            }
        }
    }

    /// A builtin (or a bare `A=1 > f`) as a pipeline stage: a forked copy of
    /// the shell runs it and exits with its status. `cd` there changes only
    /// the copy, as in bash.
    fn spawn_builtin(
        &mut self,
        builtin: Option<&'static minishell_builtins::Builtin>,
        argv: Vec<Vec<u8>>,
        mut redirects: Redirects,
        keep_from_child: &[RawFd],
        signals: Signals,
    ) -> Option<Pid> {
        redirects.close_owned_in_child(keep_from_child);
        let args: Vec<OsString> = argv.into_iter().map(OsString::from_vec).collect();
        let mut run = || {
            self.jobs.clear();
            let Some(builtin) = builtin else {
                return 0;
            };
            let mut context = ShellContext {
                stdout: FdWriter::shell(1),
                stderr: FdWriter::shell(2),
                shell: self,
            };
            builtin.invoke(&args, &mut context)
        };
        let started = spawn(Work::Shell(&mut run), redirects.child_actions(), signals);
        drop(redirects);
        self.started(started)
    }
}
