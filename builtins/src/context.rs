//! The interface between a builtin and the shell that runs it.

use std::ffi::{OsStr, OsString};
use std::io::Write;

/// An exit status, 0 to 255, as `$?` shows it.
pub type Status = i32;

/// What a builtin may see and change of the shell. The shell implements it
/// twice over: in its own process (where `cd` and `export` change the shell)
/// and in a forked child (where they change only the child, as in bash's
/// `cd /tmp | cat`).
pub trait Context {
    /// The builtin's standard output, after its redirections.
    fn stdout(&mut self) -> &mut dyn Write;
    /// The builtin's standard error, after its redirections.
    fn stderr(&mut self) -> &mut dyn Write;

    /// A variable's value; `None` when it is unset.
    fn var(&self, name: &str) -> Option<OsString>;
    /// Sets a shell variable; an exported one changes the environment of
    /// later commands too.
    fn set_var(&mut self, name: &str, value: &OsStr);
    /// Marks a variable exported (`export NAME`), or no longer exported.
    fn set_exported(&mut self, name: &str, exported: bool);
    fn unset_var(&mut self, name: &str);
    /// The exported variables, sorted by name; `None` for one exported
    /// before it was given a value (`export NAME`).
    fn exported_vars(&self) -> Vec<(String, Option<OsString>)>;

    /// Whether the shell reads commands from a terminal: some errors end a
    /// script but only report at a prompt.
    fn interactive(&self) -> bool;

    /// The status of the last command, for `exit` with no argument.
    fn last_status(&self) -> Status;
    /// Asks the shell to exit with `status` once this builtin returns.
    fn request_exit(&mut self, status: Status);

    /// Skips the rest of the current line: what bash does after some
    /// builtin errors (`exit 1 2; echo never`), going on with the next line.
    fn abandon_line(&mut self);

    /// Waits for every background child of the shell.
    fn wait_all(&mut self);
    /// Waits for one background child; `None` when `pid` is not a child of
    /// this shell.
    fn wait_pid(&mut self, pid: i32) -> Option<Status>;
}
