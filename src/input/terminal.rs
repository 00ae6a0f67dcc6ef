//! A terminal: the shell's line editor reads each line with editing,
//! history, completion and colours. Used only when standard input is a
//! terminal; on a pipe the shell must not take input that belongs to the
//! commands, and it reads without any editing (see `stdin`).

use std::io;
use std::path::PathBuf;

use super::LineSource;
use super::children::ChildWatch;
use super::editor::{ShellHelper, ShellView};
use super::line_editor::{History, LineEditor, Outcome, Watch, line_bytes, line_text};
use super::signal_pipe::SignalPipe;

/// How many commands the history keeps.
const HISTORY_SIZE: usize = 1000;

pub struct TerminalSource {
    editor: LineEditor,
    helper: ShellHelper,
    /// The history file, appended to after each command, so that two shells
    /// open at once both keep their lines.
    history_file: Option<PathBuf>,
    lines: usize,
    /// Children collected while the prompt waited (see [`ChildWatch`]).
    children: Option<ChildWatch>,
}

impl TerminalSource {
    /// `colour`: whether to colour what is typed (a terminal, no NO_COLOR).
    pub fn new(history_file: Option<PathBuf>, colour: bool) -> io::Result<TerminalSource> {
        let mut editor = LineEditor::new(HISTORY_SIZE);
        if let Some(file) = &history_file {
            // A missing file is a first session; an unreadable one starts
            // an empty history, as a new file would.
            let _ = editor.history.load(file);
        }
        // Without the pipe, a resize is drawn to at the next key.
        if let Some(resize) = SignalPipe::install(libc::SIGWINCH) {
            editor.watch_resize(Box::new(resize));
        }
        Ok(TerminalSource {
            editor,
            helper: ShellHelper::new(colour),
            history_file,
            lines: 0,
            children: ChildWatch::install(),
        })
    }
}

impl LineSource for TerminalSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool> {
        let watch = self.children.as_mut().map(|w| w as &mut dyn Watch);
        match self.editor.read_line(prompt, &self.helper, watch)? {
            Outcome::Line(line) => {
                buf.extend(line_bytes(&line));
                buf.push(b'\n');
                self.lines += 1;
                Ok(true)
            }
            // Ctrl-C at the prompt abandons the line (or the unfinished
            // command), not the shell: the input loop drops it.
            Outcome::Interrupted => Err(io::Error::from(io::ErrorKind::Interrupted)),
            Outcome::End => Ok(false),
        }
    }

    fn add_history(&mut self, command: &[u8]) {
        let text = line_text(command);
        let text = text.trim_end_matches('\n');
        // The history leaves out a line starting with a space (bash's
        // ignorespace) and one repeating the last.
        if self.editor.history.add(text) {
            if let Some(file) = &self.history_file {
                let _ = History::append(file, text);
            }
        }
    }

    fn note_result(&mut self, command: &[u8], succeeded: bool) {
        let text = line_text(command);
        self.helper
            .note_result(text.trim_end_matches('\n'), succeeded);
    }

    fn history(&self) -> Vec<String> {
        self.editor.history.entries().to_vec()
    }

    fn refresh(&mut self, view: ShellView) {
        self.helper.update(view);
    }

    fn is_terminal(&self) -> bool {
        true
    }

    fn collected(&mut self) -> Vec<(i32, minishell_builtins::wait_status::WaitBits)> {
        self.children
            .as_mut()
            .map(ChildWatch::take)
            .unwrap_or_default()
    }
}
