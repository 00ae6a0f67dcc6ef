//! The registry: one static table of every builtin and lab demo, sorted by
//! name. The entries' type is in `builtin.rs`; only this table (and `help`
//! and `type`, which read it) knows every entry.

use crate::builtin::Builtin;
use crate::{jobs, lab, shell};

/// Every builtin, sorted by name (a unit test checks it) so lookup can
/// binary-search.
pub static REGISTRY: &[&Builtin] = &[
    &shell::source::DOT,
    &shell::truth::COLON,
    &shell::test::BRACKET,
    &shell::alias::ALIAS,
    &lab::BARRIER,
    &jobs::fg::BG,
    &shell::loops::BREAK,
    &lab::BROKEN_LOCK,
    &shell::builtin_::BUILTIN,
    &shell::caller::CALLER,
    &shell::cd::CD,
    &lab::CLONE,
    &shell::command::COMMAND,
    &lab::CONDITION,
    &shell::loops::CONTINUE,
    &lab::COOPERATIVE,
    &lab::COW,
    &lab::CREATE_COST,
    &lab::CREATE_PROCESS,
    &lab::CTX_SWITCH,
    &lab::DEADLOCK,
    &shell::declare::DECLARE,
    &shell::dirs::DIRS,
    &shell::echo::ECHO,
    &shell::eval::EVAL,
    &shell::exec::EXEC,
    &lab::EXEC_FDS,
    &shell::exit::EXIT,
    &shell::explain::EXPLAIN,
    &shell::export::EXPORT,
    &shell::truth::FALSE,
    &jobs::fg::FG,
    &shell::getopts::GETOPTS,
    &lab::GIL,
    &lab::GRANULARITY,
    &shell::hash::HASH,
    &shell::help::HELP,
    &shell::history::HISTORY,
    &jobs::list::JOBS,
    &jobs::kill::KILL,
    &lab::LAB,
    &shell::let_::LET,
    &shell::declare::LOCAL,
    &shell::mapfile::MAPFILE,
    &lab::MULTITHREADED,
    &lab::NICE,
    &lab::ORPHAN,
    &shell::parse::PARSE,
    &lab::PIPE,
    &shell::dirs::POPD,
    &shell::printf::PRINTF,
    &lab::PTREE,
    &shell::dirs::PUSHD,
    &shell::pwd::PWD,
    &shell::exit::QUIT,
    &lab::RACE_CONDITION,
    &shell::read::READ,
    &shell::mapfile::READARRAY,
    &shell::readonly::READONLY,
    &lab::REENTRANCY,
    &shell::return_::RETURN,
    &lab::SCHEDULE,
    &lab::SEMAPHORE,
    &shell::set::SET,
    &lab::SHARED_MEMORY,
    &shell::shift::SHIFT,
    &shell::shopt::SHOPT,
    &lab::SIGCHLD,
    &lab::SLEEPY,
    &shell::source::SOURCE,
    &lab::SPAWN,
    &lab::SUM_ARRAY,
    &lab::SUM_ARRAY_BUGS,
    &shell::test::TEST,
    &lab::THREAD_ATTRS,
    &lab::THREAD_STACKS,
    &shell::times::TIMES,
    &lab::TLS,
    &shell::trap::TRAP,
    &shell::truth::TRUE,
    &shell::type_of::TYPE,
    &shell::declare::TYPESET,
    &shell::ulimit::ULIMIT,
    &shell::umask::UMASK,
    &shell::alias::UNALIAS,
    &shell::unset::UNSET,
    &lab::USER_THREADS,
    &jobs::wait::WAIT,
    &lab::WAIT_FOR_ME,
    &lab::ZOMBIE,
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
