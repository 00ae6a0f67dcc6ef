//! Where command lines come from: a script in memory, standard input read
//! without reading ahead, or a terminal with line editing. The input loop
//! ([`crate::repl`]) sees them all through [`LineSource`].

mod children;
mod complete;
mod editor;
mod files;
mod line_editor;
mod script;
mod signal_pipe;
mod stdin;
mod terminal;

pub use editor::ShellView;

pub use script::ScriptSource;
pub use stdin::StdinSource;
pub use terminal::TerminalSource;

use std::io;

pub trait LineSource {
    /// Shows `prompt` (empty for scripts), then appends the next line, with
    /// its newline if it had one, to `buf`. Returns `false` at the end of
    /// input.
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool>;

    /// Called before a command runs: a source sharing its input with the
    /// commands it runs gives back what it read too far.
    fn before_run(&mut self) {}

    /// Called with each complete command, for the terminal's history.
    fn add_history(&mut self, _command: &[u8]) {}

    /// After a command from the terminal ran (or failed to parse): whether
    /// it succeeded, so that a failed one is not offered as a hint.
    fn note_result(&mut self, _command: &[u8], _succeeded: bool) {}

    /// The history so far, oldest first (a terminal's only).
    fn history(&self) -> Vec<String> {
        Vec::new()
    }

    /// Before each prompt: what the shell looks like now, for completion.
    fn refresh(&mut self, _view: ShellView) {}

    /// Children the source collected while it waited for input, oldest
    /// first, for the job table (a terminal's only).
    fn collected(&mut self) -> Vec<(i32, minishell_builtins::wait_status::WaitBits)> {
        Vec::new()
    }

    /// Whether every line has been read: the command just parsed is the
    /// last. Only a script in memory knows for sure.
    fn at_end(&self) -> bool {
        false
    }

    /// Whether this is the terminal a person types at.
    fn is_terminal(&self) -> bool {
        false
    }
}
