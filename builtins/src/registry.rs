//! The registry: one static table of every builtin, sorted by name, with
//! what the shell needs to know before running one.

use std::ffi::OsString;

use crate::context::{Context, Status};
use crate::demos::{processes, sched, sync, threads};
use crate::{jobs, shell};

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
    /// A lab demo: it always runs in a fresh process. The shell forks and
    /// execs its own binary with the demo's name as `argv[0]`, so the demo
    /// starts single-threaded and alone, `ps` shows it by name, and its
    /// crash or Ctrl-C never reaches the shell.
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
    pub fn invoke(&self, args: &[OsString], ctx: &mut dyn Context) -> Status {
        if self.help_option && args.get(1).is_some_and(|a| a == "--help") {
            let _ = writeln!(ctx.stdout(), "{}", self.help.trim_end());
            return 0;
        }
        (self.run)(args, ctx)
    }
}

/// Every builtin, sorted by name (a unit test checks it) so lookup can
/// binary-search.
pub static REGISTRY: &[&Builtin] = &[
    &shell::truth::COLON,
    &shell::test::BRACKET,
    &sync::barrier::BARRIER,
    &jobs::fg::BG,
    &shell::loops::BREAK,
    &shell::cd::CD,
    &processes::clone::CLONE,
    &sync::condition::CONDITION,
    &shell::loops::CONTINUE,
    &sched::cooperative::COOPERATIVE,
    &processes::cow::COW,
    &processes::create_process::CREATE_PROCESS,
    &processes::ctx_switch::CTX_SWITCH,
    &sync::deadlock::DEADLOCK,
    &shell::echo::ECHO,
    &shell::exit::EXIT,
    &shell::export::EXPORT,
    &shell::truth::FALSE,
    &jobs::fg::FG,
    &shell::getopts::GETOPTS,
    &sync::granularity::GRANULARITY,
    &shell::help::HELP,
    &shell::history::HISTORY,
    &jobs::list::JOBS,
    &jobs::kill::KILL,
    &shell::let_::LET,
    &threads::multithreaded::MULTITHREADED,
    &processes::zombie::ORPHAN,
    &processes::pipe::PIPE,
    &shell::printf::PRINTF,
    &processes::ptree::PTREE,
    &shell::pwd::PWD,
    &shell::exit::QUIT,
    &sync::race_condition::RACE_CONDITION,
    &shell::read::READ,
    &sync::reentrancy::REENTRANCY,
    &shell::return_::RETURN,
    &sched::schedule::SCHEDULE,
    &sync::semaphore::SEMAPHORE,
    &sync::shared_memory::SHARED_MEMORY,
    &processes::sleepy::SLEEPY,
    &processes::spawn::SPAWN,
    &threads::sum_array::SUM_ARRAY,
    &threads::sum_array_bugs::SUM_ARRAY_BUGS,
    &shell::test::TEST,
    &threads::thread_attrs::THREAD_ATTRS,
    &threads::thread_stacks::THREAD_STACKS,
    &shell::times::TIMES,
    &sync::tls::TLS,
    &shell::truth::TRUE,
    &shell::type_of::TYPE,
    &shell::ulimit::ULIMIT,
    &shell::umask::UMASK,
    &shell::unset::UNSET,
    &jobs::wait::WAIT,
    &processes::wait_for_me::WAIT_FOR_ME,
    &processes::zombie::ZOMBIE,
];

/// The builtin called `name`, if there is one.
pub fn find(name: &[u8]) -> Option<&'static Builtin> {
    REGISTRY
        .binary_search_by(|b| b.name.as_bytes().cmp(name))
        .ok()
        .map(|i| REGISTRY[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        for pair in REGISTRY.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} must come before {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn every_builtin_is_documented() {
        for builtin in REGISTRY {
            assert!(
                !builtin.summary.is_empty(),
                "{} has no summary",
                builtin.name
            );
            assert!(
                !builtin.summary.contains('\n'),
                "{}: summary is one line",
                builtin.name
            );
            assert!(
                builtin.help.starts_with(builtin.name),
                "{}: help starts with its usage line",
                builtin.name
            );
        }
    }

    #[test]
    fn find_finds_each_and_only_those() {
        for builtin in REGISTRY {
            assert_eq!(
                find(builtin.name.as_bytes()).map(|b| b.name),
                Some(builtin.name)
            );
        }
        assert!(find(b"ls").is_none());
        assert!(find(b"").is_none());
    }
}
