//! What explain mode says about the shell's own decisions, beside the
//! system calls `sys` narrates: the tree the parser built, the words
//! before and after expansion, the PATH search, and why a builtin or a
//! function needs no process. Each function is a no-op unless explaining.

use minishell_builtins::narrate::{on, say};
use minishell_builtins::syscall_text::{argv, quoted};
use minishell_builtins::{Builtin, Place};

use crate::ast::{Argument, List};

/// The command tree of one parsed command, line by line.
pub fn tree(list: &List) {
    if !on() {
        return;
    }
    say(&format!("parsed: {list}"));
    for line in crate::ast::tree::draw(list).lines() {
        say(&format!("  {line}"));
    }
}

/// A simple command's words as written, and the fields expansion made.
pub fn words(written: &[Argument], expanded: &[Vec<u8>]) {
    if !on() {
        return;
    }
    let written: Vec<String> = written.iter().map(ToString::to_string).collect();
    say(&format!(
        "expanded: {} → {}",
        written.join(" "),
        argv(expanded)
    ));
}

/// Where the search for `name` looked, in PATH's order, and what it found
/// in each place (`found` for the one that won).
pub fn path_search(name: &[u8], tried: &[(Vec<u8>, &str)]) {
    if !on() {
        return;
    }
    let tried: Vec<String> = tried
        .iter()
        .map(|(path, what)| format!("{} ({what})", String::from_utf8_lossy(path)))
        .collect();
    say(&format!(
        "PATH search for {}: {}",
        quoted(name),
        if tried.is_empty() {
            "PATH is empty".to_owned()
        } else {
            tried.join(", ")
        }
    ));
}

/// A name found before and remembered (`hash`): no search this time.
pub fn hashed(name: &[u8], path: &[u8]) {
    if on() {
        say(&format!(
            "{} was found at {} before (hash table): no PATH search",
            quoted(name),
            quoted(path)
        ));
    }
}

/// A builtin runs in the shell's own process: no fork, and why.
pub fn builtin(builtin: &Builtin) {
    if !on() {
        return;
    }
    let why = match builtin.name {
        "cd" | "pushd" | "popd" => "cd must change the shell's own directory",
        "exit" | "return" | "break" | "continue" => "it steers the shell itself",
        "export" | "unset" | "readonly" | "declare" | "typeset" | "local" | "read" | "shift"
        | "set" | "getopts" | "let" | "mapfile" | "readarray" | "printf" => {
            "the variables it changes belong to the shell"
        }
        "exec" => "it replaces the shell itself",
        "source" | "." | "eval" => "its commands run in this shell",
        "jobs" | "fg" | "bg" | "wait" | "disown" => "the jobs are the shell's children",
        "kill" => "it can name jobs (%1), which only the shell knows",
        "trap" | "umask" | "ulimit" | "alias" | "unalias" | "hash" | "shopt" => {
            "it changes the shell's own state"
        }
        _ if builtin.place == Place::Shell => "it changes the shell's own state",
        _ => "a builtin needs no new process",
    };
    say(&format!(
        "{}: a builtin, run inside the shell (no fork): {why}",
        builtin.name
    ));
}

/// A function's body runs in the shell's own process.
pub fn function(name: &[u8]) {
    if on() {
        say(&format!(
            "{}: a function, its body run inside the shell (no fork)",
            String::from_utf8_lossy(name)
        ));
    }
}

/// Why the next child is a copy of the shell (made by `fork`, since it
/// runs shell code, not a program).
pub fn copy(why: &str) {
    if on() {
        say(&format!("forking a copy of the shell: {why}"));
    }
}

/// SIGCHLD arrived: a child changed state, so the shell collects it.
pub fn child_signal() {
    if on() {
        say(
            "SIGCHLD arrived (a child ended, stopped or continued): collecting with waitpid(WNOHANG)",
        );
    }
}

/// A background child's end, collected.
pub fn background_reaped(pid: i32, job: usize, what: &str) {
    if on() {
        say(&format!(
            "background child {pid} of job [{job}] reaped: {what}"
        ));
    }
}
