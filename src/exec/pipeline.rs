//! Pipelines and background commands: every stage a child of the shell,
//! joined by pipes, started left to right with the `prevfd` loop, and
//! recorded together as one job.
//!
//! For each stage the shell creates the pipe to the next one, hands the
//! child the previous pipe's read end as stdin and the new write end as
//! stdout, and closes its own copies at once. A pipe end left open in the
//! shell would keep the reader from ever seeing end of file.
//!
//! A stage that is a simple command of plain words (no `$( )`, no
//! assignment inside an expansion) is expanded here and the child only
//! execs; any other stage (a compound command, a function, a builtin, words
//! with side effects) runs in a forked copy of the shell, so that what it
//! changes stays in the child, as in bash.

use nix::fcntl::OFlag;
use nix::unistd::Pid;

use super::Flow;
use super::fds::PrivateFd;
use super::lookup::Resolved;
use super::spawn::{Group, Program, Signals, Work, spawn};
use crate::ast::{
    AndOrList, Argument, Command, Pipeline, RedirTarget, SimpleCommand, Word, WordPart,
};
use crate::expand;
use crate::jobs::{Process, ProcessState};
use crate::shell::Shell;
use crate::status::Status;

/// How the processes of one job start: their signals and process group.
#[derive(Debug, Clone, Copy)]
pub(super) struct Launch {
    pub signals: Signals,
    pub group: Group,
    /// More stages of the pipeline start after this one: its program is
    /// started by fork (see [`super::spawn::spawn_ahead`]).
    pub ahead: bool,
}

impl Shell {
    /// Runs a pipeline of two or more stages and waits for all of them; its
    /// status is the last stage's (or, with `set -o pipefail`, the last
    /// stage that failed).
    pub(super) fn run_pipeline_foreground(&mut self, pipeline: &Pipeline) -> Flow {
        if self.options.lastpipe && self.terminal.is_none() {
            return self.run_pipeline_lastpipe(&pipeline.commands);
        }
        self.status = match self.start_job(&pipeline.commands, false) {
            Some(id) => self.wait_foreground(id),
            None => 1,
        };
        Flow::Normal
    }

    /// `shopt -s lastpipe` (without job control): every stage but the last
    /// is forked as usual; the last runs in the shell itself, reading the
    /// pipe, so what it assigns stays (`… | read line`).
    fn run_pipeline_lastpipe(&mut self, commands: &[Command]) -> Flow {
        let Some((last, first)) = commands.split_last() else {
            return Flow::Normal;
        };
        let (id, output) = self.start_stages(first, false, true);
        self.fds.push();
        if let Some(read_end) = output {
            self.fds.give(read_end, 0);
        }
        let flow = self.run_command(last);
        // Closing the read end here lets a writer still running end on
        // SIGPIPE instead of waiting forever.
        self.fds.pop();
        let last_status = self.status;
        let mut statuses = Vec::new();
        if let Some(id) = id {
            self.wait_foreground(id);
            statuses = std::mem::take(&mut self.pipe_statuses);
        }
        statuses.push(last_status);
        self.status = match self.options.pipefail {
            true => statuses
                .iter()
                .rev()
                .find(|&&s| s != 0)
                .copied()
                .unwrap_or(0),
            false => last_status,
        };
        self.pipe_statuses = statuses;
        flow
    }

    /// `… &`: starts the item as a job and goes on. A single pipeline's
    /// stages are started directly; a list with `&&`/`||` (or a negated or
    /// timed pipeline) runs in a forked copy of the shell. `$!` becomes the
    /// job's last process.
    pub(super) fn start_background(&mut self, list: &AndOrList) {
        self.watch_children();
        let plain = list.rest.is_empty() && !list.first.negated && list.first.timed.is_none();
        let id = if plain {
            self.start_job(&list.first.commands, true)
        } else {
            self.start_list_in_background(list)
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
                ahead: false,
            },
            None => Launch {
                signals: if background {
                    Signals::IgnoreInterrupts
                } else {
                    Signals::Default
                },
                group: Group::Shell,
                ahead: false,
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

    fn start_list_in_background(&mut self, list: &AndOrList) -> Option<usize> {
        let launch = self.launch(true);
        self.fds.push();
        self.background_stdin();
        crate::explain::copy("a background list of shell code: a copy of the shell runs it");
        let plan = self.fds.shell_child_actions();
        let mut run = || self.run_in_child(|shell| shell.run_and_or(list), false);
        let started = spawn(
            Work::Shell(&mut run),
            &plan.actions,
            launch.signals,
            launch.group,
        );
        drop(plan);
        self.fds.pop();
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
    fn background_stdin(&mut self) {
        if self.terminal.is_some() {
            return;
        }
        if let Ok(null) = crate::sys::open(
            std::ffi::OsStr::new("/dev/null"),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        ) {
            self.fds.give(PrivateFd::new(null), 0);
        }
    }

    /// Starts every stage of a pipeline and records them as one job; its
    /// number. A stage that could not fork is missing from the job.
    pub(super) fn start_job(&mut self, commands: &[Command], background: bool) -> Option<usize> {
        self.start_stages(commands, background, false).0
    }

    /// [`Shell::start_job`], and with `feed` the last stage's output goes
    /// to one more pipe, whose read end is returned (for `lastpipe`).
    fn start_stages(
        &mut self,
        commands: &[Command],
        background: bool,
        feed: bool,
    ) -> (Option<usize>, Option<PrivateFd>) {
        let mut launch = self.launch(background);
        let count = commands.len();
        let mut processes = Vec::with_capacity(count);
        let mut input: Option<PrivateFd> = None;
        for (i, command) in commands.iter().enumerate() {
            if let Command::Simple(simple) = command {
                // bash runs the DEBUG trap for each stage here, in the shell.
                let _ = self.run_debug_trap(|| simple.to_string());
            }
            self.fds.push();
            if background && i == 0 {
                self.background_stdin();
            }
            if let Some(read_end) = input.take() {
                self.fds.give(read_end, 0);
            }
            let mut next_input = None;
            if i + 1 < count || feed {
                match crate::sys::pipe2("between two stages of the pipeline") {
                    Ok((read_end, write_end)) => {
                        self.fds.give(PrivateFd::new(write_end), 1);
                        next_input = Some(PrivateFd::new(read_end));
                    }
                    Err(errno) => {
                        self.report_error(&format!("pipe: {}", errno.desc()));
                        self.fds.pop();
                        break;
                    }
                }
            }
            launch.ahead = i + 1 < count;
            let pid = self.start_stage(command, launch, count > 1);
            self.fds.pop();
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
            return (None, input);
        }
        (Some(self.jobs.add(pgid, processes, background)), input)
    }

    /// Forks one stage, its pipe ends already in the innermost frame.
    fn start_stage(&mut self, command: &Command, launch: Launch, in_pipeline: bool) -> Option<Pid> {
        if let Command::Simple(simple) = command {
            if is_plain(simple) {
                return self.start_plain_stage(simple, launch, in_pipeline);
            }
        }
        self.start_shell_stage(launch, in_pipeline, |shell| shell.run_command(command))
    }

    /// A stage run by a forked copy of the shell.
    fn start_shell_stage(
        &mut self,
        launch: Launch,
        keep_jobs: bool,
        f: impl FnOnce(&mut Shell) -> Flow,
    ) -> Option<Pid> {
        crate::explain::copy(
            "a pipeline stage of shell code (a builtin, a function, a compound command): a copy of the shell runs it",
        );
        let plan = self.fds.shell_child_actions();
        let mut f = Some(f);
        let mut run = || {
            let f = f.take();
            self.run_in_child(|shell| f.map_or(Flow::Normal, |f| f(shell)), keep_jobs)
        };
        let started = spawn(
            Work::Shell(&mut run),
            &plan.actions,
            launch.signals,
            launch.group,
        );
        drop(plan);
        self.started(started)
    }

    /// A simple command of plain words: expanded and redirected here, then
    /// exec'd by a child that does nothing else. A builtin or function still
    /// runs in a forked copy of the shell.
    fn start_plain_stage(
        &mut self,
        simple: &SimpleCommand,
        launch: Launch,
        in_pipeline: bool,
    ) -> Option<Pid> {
        self.lineno = simple.line;
        let argv = match expand::argv(self, &simple.words) {
            Ok(argv) => argv,
            Err(_) => return self.start_failed_stage(1, launch),
        };
        crate::explain::words(&simple.words, &argv);
        let Some(name) = argv.first() else {
            return self.start_shell_stage(launch, in_pipeline, |shell| shell.run_simple(simple));
        };
        let resolved = self.resolve(name);
        let Resolved::File(path) = resolved else {
            return match resolved {
                Resolved::Cannot { message, status } => {
                    // A child still stands in the pipeline, so its neighbours
                    // see their pipe ends close as with any command.
                    if let Err(_e) = self.push_redirections(&simple.redirections) {
                        return self.start_failed_stage(1, launch);
                    }
                    let plan = self.fds.child_actions();
                    let work = Work::Fail {
                        message: &message,
                        status,
                    };
                    let started = spawn(work, &plan.actions, launch.signals, launch.group);
                    drop(plan);
                    self.fds.pop();
                    self.started(started)
                }
                _ => self.start_shell_stage(launch, in_pipeline, |shell| shell.run_simple(simple)),
            };
        };
        if let Err(_e) = self.push_redirections(&simple.redirections) {
            return self.start_failed_stage(1, launch);
        }
        let started = self.with_assignments(&simple.assignments, |shell| {
            let missing = shell.missing_message(argv.first().map_or(&[][..], |a| a), true);
            let Some(program) = Program::new(
                path,
                argv,
                shell.vars.environment(),
                shell.error_prefix().into_bytes(),
                missing,
            ) else {
                shell.report_error("argument holds a NUL byte");
                return None;
            };
            let plan = shell.fds.child_actions();
            let start = match launch.ahead {
                true => super::spawn::spawn_ahead,
                false => spawn,
            };
            let started = start(
                Work::Exec(&program),
                &plan.actions,
                launch.signals,
                launch.group,
            );
            drop(plan);
            shell.started(started)
        });
        self.fds.pop();
        match started {
            Ok(Some(pid)) => Some(pid),
            _ => self.start_failed_stage(1, launch),
        }
    }

    /// A stage whose words or redirections failed (the error is reported):
    /// it still stands in the pipeline as a process that fails, as in bash,
    /// so `$!` and the job's PIDs are real ones.
    fn start_failed_stage(&mut self, status: Status, launch: Launch) -> Option<Pid> {
        let work = Work::Fail {
            message: b"",
            status,
        };
        let started = spawn(work, &[], launch.signals, launch.group);
        self.started(started)
    }
}

/// Whether a simple command can be expanded in the parent without changing
/// anything a forked copy would have kept to itself: no command
/// substitution, arithmetic or `${x=…}` anywhere in it, and no assignment
/// prefix that would fail.
fn is_plain(command: &SimpleCommand) -> bool {
    let words = command.words.iter().all(|argument| match argument {
        Argument::Word(word) => is_plain_word(word),
        Argument::Assignment(_) => false,
    });
    let redirections = command.redirections.iter().all(|r| match &r.target {
        RedirTarget::Word(word) => is_plain_word(word),
        RedirTarget::HereDoc(doc) => doc.body.get().is_none_or(is_plain_word),
    });
    let assignments = command.assignments.iter().all(|a| match &a.value {
        crate::ast::AssignValue::Scalar(word) => a.index.is_none() && is_plain_word(word),
        crate::ast::AssignValue::Array(_) => false,
    });
    words && redirections && assignments
}

fn is_plain_word(word: &Word) -> bool {
    word.parts.iter().all(is_plain_part)
}

fn is_plain_part(part: &WordPart) -> bool {
    use crate::ast::ParamOp;
    match part {
        WordPart::Literal(_)
        | WordPart::Escaped(_)
        | WordPart::SingleQuoted(_)
        | WordPart::AnsiC(_)
        | WordPart::Tilde(_) => true,
        WordPart::DoubleQuoted(parts) => parts.iter().all(is_plain_part),
        WordPart::Param(expr) => {
            // An index is arithmetic, which may assign (`${a[i++]}`).
            let subscript_plain = !matches!(expr.subscript, Some(crate::ast::Subscript::Index(_)));
            subscript_plain
                && match &expr.op {
                    ParamOp::Value | ParamOp::Length | ParamOp::Keys | ParamOp::Names { .. } => {
                        true
                    }
                    ParamOp::Default { word, .. } | ParamOp::Alternative { word, .. } => {
                        is_plain_word(word)
                    }
                    ParamOp::RemovePrefix { pattern, .. }
                    | ParamOp::RemoveSuffix { pattern, .. } => is_plain_word(pattern),
                    _ => false,
                }
        }
        WordPart::Brace(_) => true,
        WordPart::CommandSub { .. }
        | WordPart::ProcessSub { .. }
        | WordPart::Arith(_)
        | WordPart::BadSubstitution(_) => false,
    }
}
