//! A terminal: rustyline reads each line with editing, history, completion
//! and colours. Used only when standard input is a terminal: on a pipe
//! rustyline would read ahead and take input that belongs to the commands.

use std::io;
use std::os::fd::FromRawFd;
use std::path::PathBuf;

use rustyline::Editor;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::LineSource;
use super::children::ChildWatch;
use super::editor::{ShellHelper, ShellView};
use crate::exec::fds::PrivateFd;

/// How many commands the history keeps.
const HISTORY_SIZE: usize = 1000;

pub struct TerminalSource {
    editor: Editor<ShellHelper, FileHistory>,
    /// The history file, appended to after each command, so that two shells
    /// open at once both keep their lines.
    history_file: Option<PathBuf>,
    lines: usize,
    /// Children collected while the prompt waited (see [`ChildWatch`]).
    children: Option<ChildWatch>,
    /// The editor's own descriptors (its SIGWINCH pipe), listed among the
    /// shell's private ones so that a forked copy of the shell closes
    /// them; the editor owns them, and they are released, not closed,
    /// before it closes them.
    editor_fds: Vec<PrivateFd>,
}

impl Drop for TerminalSource {
    fn drop(&mut self) {
        for fd in self.editor_fds.drain(..) {
            fd.release();
        }
    }
}

impl TerminalSource {
    /// `colour`: whether to colour what is typed (a terminal, no NO_COLOR).
    pub fn new(history_file: Option<PathBuf>, colour: bool) -> io::Result<TerminalSource> {
        let config = Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)
            .map_err(io::Error::other)?
            .history_ignore_space(true)
            .max_history_size(HISTORY_SIZE)
            .map_err(io::Error::other)?
            .completion_type(CompletionType::List)
            .build();
        let mut editor = Editor::with_config(config).map_err(io::Error::other)?;
        editor.set_helper(Some(ShellHelper::new(colour)));
        if let Some(file) = &history_file {
            create_private(file);
            let _ = editor.load_history(file);
        }
        let children = ChildWatch::install(&mut editor);
        let editor_fds = editor
            .own_fds()
            .into_iter()
            // SAFETY: the editor keeps these open for as long as it lives;
            // the `PrivateFd` only lists them and is released (never
            // closes them) when the source drops, before the editor does.
            .map(|fd| PrivateFd::new(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
            .collect();
        Ok(TerminalSource {
            editor,
            history_file,
            lines: 0,
            children,
            editor_fds,
        })
    }
}

/// Creates the history file readable by its owner only (0600): it holds
/// every command typed, passwords given on command lines included.
fn create_private(file: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file);
}

/// The bytes of a line as typed: rustyline hands a byte that was not UTF-8
/// over as a private-use character (see `rustyline::char_of_byte`), turned
/// back into that byte here, so `echo A\xffB` runs with the `\xff` typed.
fn line_bytes(line: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(line.len());
    for c in line.chars() {
        match rustyline::byte_of_char(c) {
            Some(byte) => bytes.push(byte),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    bytes
}

/// A command as rustyline's history holds it: the reverse of
/// [`line_bytes`], so a recalled line runs with the same bytes.
fn line_text(bytes: &[u8]) -> String {
    bytes
        .utf8_chunks()
        .flat_map(|chunk| {
            let invalid = chunk.invalid().iter().map(|&b| rustyline::char_of_byte(b));
            chunk.valid().chars().chain(invalid)
        })
        .collect()
}

impl LineSource for TerminalSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                buf.extend(line_bytes(&line));
                buf.push(b'\n');
                self.lines += 1;
                Ok(true)
            }
            // Ctrl-C at the prompt abandons the line (or the unfinished
            // command), not the shell: the input loop drops it.
            Err(ReadlineError::Interrupted) => Err(io::Error::from(io::ErrorKind::Interrupted)),
            Err(ReadlineError::Eof) => Ok(false),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    fn add_history(&mut self, command: &[u8]) {
        let text = line_text(command);
        let text = text.trim_end_matches('\n');
        if text.trim().is_empty() {
            return;
        }
        // rustyline leaves out a line starting with a space (bash's
        // ignorespace) and one repeating the last.
        if let Ok(true) = self.editor.add_history_entry(text) {
            if let Some(file) = &self.history_file {
                let _ = self.editor.append_history(file);
            }
        }
    }

    fn note_result(&mut self, command: &[u8], succeeded: bool) {
        let text = line_text(command);
        if let Some(helper) = self.editor.helper_mut() {
            helper.note_result(text.trim_end_matches('\n'), succeeded);
        }
    }

    fn history(&self) -> Vec<String> {
        self.editor.history().iter().cloned().collect()
    }

    fn refresh(&mut self, view: ShellView) {
        if let Some(helper) = self.editor.helper_mut() {
            helper.update(view);
        }
    }

    fn is_terminal(&self) -> bool {
        true
    }

    fn collected(&mut self) -> Vec<(i32, minishell_builtins::wait_status::WaitBits)> {
        self.children
            .as_ref()
            .map(ChildWatch::take)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_survive_the_line_editor() {
        let typed = b"echo A\xff\xfeB \xc3\xa9 \xe2\x82";
        let text = line_text(typed);
        assert!(text.contains('é'));
        assert_eq!(line_bytes(&text), typed);
    }
}
