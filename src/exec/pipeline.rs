//! Pipelines and background commands: every stage a child of the shell,
//! joined by pipes, started left to right with the `prevfd` loop, and
//! recorded together as one job.
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
use super::spawn::{Group, Program, Signals, Work, spawn};
use crate::ast::{AndOrList, Command, Pipeline};
use crate::jobs::{Process, ProcessState};
use crate::shell::Shell;
use crate::status::Status;

/// How the processes of one job start: their signals and process group.
#[derive(Debug, Clone, Copy)]
pub(super) struct Launch {
    pub signals: Signals,
    pub group: Group,
}

impl Shell {
    /// Runs a pipeline of two or more stages and waits for all of them; its
    /// status is the last stage's.
    pub(super) fn run_pipeline_foreground(&mut self, pipeline: &Pipeline) -> Status {
        match self.start_job(pipeline, false) {
            Some(id) => self.wait_foreground(id),
            None => 1,
        }
    }

    /// `… &`: starts the item as a job and goes on. A single pipeline's
    /// stages are started directly; a list with `&&`/`||` runs in a forked
    /// copy of the shell. `$!` becomes the job's last process.
    pub(super) fn start_background(&mut self, list: &AndOrList) {
        self.watch_children();
        let id = if list.rest.is_empty() {
            self.start_job(&list.first, true)
        } else {
            self.start_subshell(list)
        };
        if let Some(job) = id.and_then(|id| self.jobs.get(id)) {
            let last = job.processes.last().map_or(0, |p| p.pid);
            self.last_background = Some(last);
            if self.terminal.is_some() {
                self.report_line(&format!("[{}] {last}", job.id));
            }
        }
        self.status = 0;
    }

    /// How a job's processes start. Without job control a background job
    /// ignores Ctrl-C, which is meant for the foreground; with it, the job
    /// gets a process group of its own (and the terminal, in the foreground).
    pub(super) fn launch(&self, background: bool) -> Launch {
        match self.terminal {
            Some(_) => Launch {
                signals: Signals::Default,
                group: Group::Job {
                    leader: 0,
                    foreground: !background,
                },
            },
            None => Launch {
                signals: if background {
                    Signals::IgnoreInterrupts
                } else {
                    Signals::Default
                },
                group: Group::Shell,
            },
        }
    }

    /// A command's text for `jobs`, printed back from the tree; only when
    /// someone may list it (a background job, or any job under job control).
    pub(super) fn job_text(
        &self,
        command: &dyn std::fmt::Display,
        background: bool,
    ) -> Option<String> {
        (background || self.terminal.is_some()).then(|| command.to_string())
    }

    fn start_subshell(&mut self, list: &AndOrList) -> Option<usize> {
        let launch = self.launch(true);
        let mut base = Redirects::default();
        self.background_stdin(&mut base);
        base.close_owned_in_child(&[]);
        let mut run = || {
            self.become_subshell();
            self.run_and_or(list);
            self.status
        };
        let started = spawn(
            Work::Shell(&mut run),
            base.child_actions(),
            launch.signals,
            launch.group,
        );
        let pid = self.started(started)?;
        let process = Process {
            pid: pid.as_raw(),
            state: ProcessState::Running,
            command: self.job_text(list, true),
        };
        let pgid = self.terminal.as_ref().map(|_| pid.as_raw());
        Some(self.jobs.add(pgid, vec![process], true))
    }

    /// Without job control, a background command reads `/dev/null`, not
    /// the shell's input (POSIX), so `sleep 1 &` cannot steal the next
    /// lines of a script piped into the shell.
    fn background_stdin(&self, base: &mut Redirects) {
        if self.terminal.is_some() {
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

    /// Starts every stage of a pipeline and records them as one job; its
    /// number. A stage whose redirection failed is a process that exits 1;
    /// one that could not fork at all is missing from the job.
    pub(super) fn start_job(&mut self, pipeline: &Pipeline, background: bool) -> Option<usize> {
        let mut launch = self.launch(background);
        let count = pipeline.commands.len();
        let mut processes = Vec::with_capacity(count);
        let mut input: Option<OwnedFd> = None;
        for (i, command) in pipeline.commands.iter().enumerate() {
            let Command::Simple(simple) = command;
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
                        break;
                    }
                }
            }
            let keep_from_child: Vec<RawFd> = next_input.iter().map(AsRawFd::as_raw_fd).collect();
            let pid = self.with_assignments(&simple.assignments, |shell| {
                match shell.prepare(simple, base) {
                    Some(prepared) => shell.start_stage(prepared, &keep_from_child, launch),
                    // The error is reported; the stage still stands in the
                    // pipeline as a process that failed, as in bash, so `$!`
                    // and the job's PIDs are real ones.
                    None => {
                        let work = Work::Fail {
                            message: b"",
                            status: 1,
                        };
                        let started = spawn(work, &[], launch.signals, launch.group);
                        shell.started(started)
                    }
                }
            });
            let Some(pid) = pid else {
                continue;
            };
            if let Group::Job {
                leader: 0,
                foreground,
            } = launch.group
            {
                // The first process leads the job's group; the others join it.
                launch.group = Group::Job {
                    leader: pid.as_raw(),
                    foreground,
                };
            }
            processes.push(Process {
                pid: pid.as_raw(),
                state: ProcessState::Running,
                command: self.job_text(command, background),
            });
            input = next_input;
        }
        let pgid = match launch.group {
            Group::Job { leader, .. } if leader != 0 => Some(leader),
            _ => None,
        };
        if processes.is_empty() {
            return None;
        }
        Some(self.jobs.add(pgid, processes, background))
    }

    /// Forks one stage. A builtin runs in the child with the shell's code;
    /// anything else is exec'd.
    fn start_stage(
        &mut self,
        prepared: Prepared,
        keep_from_child: &[RawFd],
        launch: Launch,
    ) -> Option<Pid> {
        let Prepared {
            argv,
            mut redirects,
        } = prepared;
        let resolved = match argv.first() {
            Some(name) => resolve(name, || self.vars.get("PATH")),
            None => return self.spawn_builtin(None, argv, redirects, keep_from_child, launch),
        };
        match resolved {
            Resolved::Builtin(builtin) => {
                self.spawn_builtin(Some(builtin), argv, redirects, keep_from_child, launch)
            }
            Resolved::File(path) => {
                let Some(program) = Program::new(path, argv, self.vars.environment()) else {
                    self.report(redirects.slot(2), "argument holds a NUL byte");
                    return None;
                };
                let work = Work::Exec(&program);
                let started = spawn(
                    work,
                    redirects.child_actions(),
                    launch.signals,
                    launch.group,
                );
                self.started(started)
            }
            Resolved::Cannot { message, status } => {
                // A child still stands in the pipeline, so its neighbours
                // see their pipe ends close as with any command.
                let work = Work::Fail {
                    message: &message,
                    status,
                };
                let started = spawn(
                    work,
                    redirects.child_actions(),
                    launch.signals,
                    launch.group,
                );
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
        launch: Launch,
    ) -> Option<Pid> {
        redirects.close_owned_in_child(keep_from_child);
        let args: Vec<OsString> = argv.into_iter().map(OsString::from_vec).collect();
        let mut run = || {
            self.become_subshell();
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
        let started = spawn(
            Work::Shell(&mut run),
            redirects.child_actions(),
            launch.signals,
            launch.group,
        );
        drop(redirects);
        self.started(started)
    }
}
