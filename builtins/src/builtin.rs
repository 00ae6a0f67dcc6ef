//! What a builtin is, as the registry lists it: its name, its help, where
//! it must run and its topic. Apart from the table itself (`registry.rs`),
//! so that an entry depends on these types and not on every other entry.

use std::ffi::OsString;

use crate::context::{Context, Status};

/// Where a builtin has to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// It changes the shell itself (`cd`, `exit`, `export`): run in the
    /// shell's process when alone in the foreground. In a pipeline or in the
    /// background it still runs in a child, as in bash, and changes nothing.
    Shell,
    /// It only reads its arguments and writes output (`echo`, `pwd`): the
    /// shell may run it in its own process, saving a fork, or in a child.
    Anywhere,
    /// A lab demo: it always runs in a fresh process, and never in the
    /// shell's binary. The shell execs the lab binary (`minishell-lab`,
    /// installed beside its own) with the demo's name as `argv[0]`, so the
    /// demo starts single-threaded and alone, `ps` shows it by name, its
    /// crash or Ctrl-C never reaches the shell, and the shell itself does
    /// not carry the demos' code or libraries (see [`crate::lab`]).
    Process,
}

/// The topic a builtin belongs to, for grouping in `help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Shell,
    /// Background jobs and job control.
    Jobs,
    /// Lab demos: processes and memory.
    Processes,
    /// Lab demos: threads and the sum-array benchmark.
    Threads,
    /// Lab demos: races, locks and the other synchronization tools.
    Synchronization,
    /// Lab demos: schedulers.
    Scheduling,
}

impl Group {
    /// The heading `help` shows for the group.
    pub fn title(self) -> &'static str {
        match self {
            Group::Shell => "shell",
            Group::Jobs => "jobs",
            Group::Processes => "processes (lab demos)",
            Group::Threads => "threads (lab demos)",
            Group::Synchronization => "synchronization (lab demos)",
            Group::Scheduling => "scheduling (lab demos)",
        }
    }
}

/// One builtin: its name, its documentation and the function that runs it.
pub struct Builtin {
    pub name: &'static str,
    /// One line for `help`.
    pub summary: &'static str,
    /// The full text for `help NAME` and `NAME --help`.
    pub help: &'static str,
    pub place: Place,
    pub group: Group,
    /// Whether `NAME --help` prints the help. `echo --help` prints
    /// `--help` in bash, so echo, true and false opt out.
    pub help_option: bool,
    /// Runs the builtin. `args[0]` is its name, as typed.
    pub run: fn(args: &[OsString], ctx: &mut dyn Context) -> Status,
}

impl Builtin {
    /// Runs the builtin, answering `--help` for it when it takes that option.
    /// Its output could not be written (a full disk, a closed pipe): the
    /// error is reported here, once, and the status is 1, as bash's
    /// `NAME: write error: …` (see [`crate::output`]).
    pub fn invoke(&self, args: &[OsString], ctx: &mut dyn Context) -> Status {
        let status = if self.help_option && args.get(1).is_some_and(|a| a == "--help") {
            let _ = writeln!(ctx.stdout(), "{}", self.help.trim_end());
            // bash answers `--help` with the usage status, 2.
            2
        } else {
            (self.run)(args, ctx)
        };
        match ctx.take_write_error() {
            None => status,
            Some(error) => {
                let prefix = ctx.message_prefix();
                let text = crate::errors::plain(&error);
                let _ = writeln!(ctx.stderr(), "{prefix}{}: write error: {text}", self.name);
                1
            }
        }
    }
}
