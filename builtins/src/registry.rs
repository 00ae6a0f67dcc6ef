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
///
/// Searched in [`KEYS`], not through the entries: each comparison there
/// read an entry and its name, statics the linker scatters over the
/// binary's read-only data, and finding `true` touched eight pages of it
/// (each first touch maps a 64 KiB window). The keys of all 90 names fit
/// in three pages: `-c true` 367 -> 356 µs.
pub fn find(name: &[u8]) -> Option<&'static Builtin> {
    let key = key(name)?;
    KEYS.binary_search(&key).ok().map(|i| REGISTRY[i])
}

/// Longer than any builtin's name, with room for the length byte.
const KEY_LEN: usize = 32;

/// A name as a fixed-size key: its bytes, zeros after them, and its length
/// in the last byte. No name holds a NUL byte, so keys sort as the names
/// do, and two keys are equal only for equal names. `None` for a name too
/// long to be any builtin's.
const fn key(name: &[u8]) -> Option<[u8; KEY_LEN]> {
    if name.len() >= KEY_LEN {
        return None;
    }
    let mut key = [0; KEY_LEN];
    let mut i = 0;
    while i < name.len() {
        key[i] = name[i];
        i += 1;
    }
    key[KEY_LEN - 1] = name.len() as u8;
    Some(key)
}

/// The keys of [`REGISTRY`]'s names, in its order, computed when the
/// crate is compiled.
static KEYS: [[u8; KEY_LEN]; REGISTRY.len()] = {
    let mut keys = [[0; KEY_LEN]; REGISTRY.len()];
    let mut i = 0;
    while i < REGISTRY.len() {
        match key(REGISTRY[i].name.as_bytes()) {
            Some(key) => keys[i] = key,
            None => panic!("a builtin's name is longer than KEY_LEN"),
        }
        i += 1;
    }
    keys
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_and_nothing_else() {
        for builtin in REGISTRY {
            let found = find(builtin.name.as_bytes()).map(|b| b.name);
            assert_eq!(found, Some(builtin.name));
            // A prefix, a longer name, a NUL-padded name: none is a builtin.
            let name = builtin.name.as_bytes();
            let prefix = &name[..name.len() - 1];
            assert!(find(prefix).is_none_or(|b| b.name.as_bytes() == prefix));
            let longer = [name, b"x"].concat();
            assert!(find(&longer).is_none_or(|b| b.name.as_bytes() == longer));
            assert!(find(&[name, b"\0"].concat()).is_none());
        }
        assert!(find(b"").is_none());
        assert!(find(&[b'a'; 100]).is_none());
    }

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
