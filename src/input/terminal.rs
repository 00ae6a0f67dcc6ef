//! A terminal: rustyline reads each line with editing and history.
//! Used only when standard input is a terminal; on a pipe rustyline would
//! read ahead and take input that belongs to the commands.

use std::io;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use super::LineSource;

pub struct TerminalSource {
    editor: DefaultEditor,
    lines: usize,
}

impl TerminalSource {
    pub fn new() -> io::Result<TerminalSource> {
        let editor = DefaultEditor::new().map_err(io::Error::other)?;
        Ok(TerminalSource { editor, lines: 0 })
    }
}

impl LineSource for TerminalSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                buf.extend_from_slice(line.as_bytes());
                buf.push(b'\n');
                self.lines += 1;
                Ok(true)
            }
            // Ctrl-C at the prompt abandons the line, not the shell.
            Err(ReadlineError::Interrupted) => Ok(true),
            Err(ReadlineError::Eof) => Ok(false),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    fn add_history(&mut self, command: &[u8]) {
        let text = String::from_utf8_lossy(command);
        let text = text.trim_end_matches('\n');
        if !text.trim().is_empty() {
            let _ = self.editor.add_history_entry(text);
        }
    }

    fn lines_read(&self) -> usize {
        self.lines
    }
}
