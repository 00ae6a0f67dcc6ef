//! The shell's own line editor: reads one line from the terminal with
//! editing keys (emacs's, as bash and readline have them), history,
//! reverse search, Tab completion, colours and hints, while watching the
//! shell's SIGCHLD pipe, and redrawn at once when the window changes size.
//! A paste (the terminal's bracketed paste) is text, run only at Enter.
//!
//! What the line means (its colours, its completions, its hint) is asked
//! of an [`Assist`], which the shell implements: this module knows the
//! terminal, not the shell.

mod buffer;
mod complete_list;
mod history;
mod keys;
mod raw_mode;
mod reader;
mod render;
mod search;
mod text;

use std::io;

pub use complete_list::Candidate;
pub use history::History;
pub use reader::Watch;
pub use text::{line_bytes, line_text};

use buffer::LineBuffer;
use keys::Key;
use raw_mode::RawMode;
use reader::KeyReader;
use render::{Frame, Screen, terminal_width};

/// What the shell tells the editor about the line being typed.
pub trait Assist {
    /// The line with colours, as drawn (`line` itself without colours).
    fn highlight(&self, line: &str) -> String;
    /// The rest of a likely line, drawn dim after the cursor at the end.
    fn hint(&self, line: &str, history: &History) -> Option<String>;
    /// The hint as drawn.
    fn highlight_hint(&self, hint: &str) -> String;
    /// Where the word before `pos` starts, and what it can become.
    fn complete(&self, line: &str, pos: usize) -> (usize, Vec<Candidate>);
}

/// How reading a line ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Enter: the line, without its newline.
    Line(String),
    /// Ctrl-C: the line is abandoned.
    Interrupted,
    /// Ctrl-D on an empty line, or the terminal closed.
    End,
}

/// More candidates than this are listed only if the user says so.
const ASK_BEFORE_LISTING: usize = 100;

pub struct LineEditor {
    pub history: History,
    reader: KeyReader,
    /// The text Ctrl-K, Ctrl-U, Ctrl-W and the Alt kills took last, for
    /// Ctrl-Y.
    killed: String,
}

/// One line being read: the state that lives from the prompt to Enter.
struct Session<'a> {
    prompt: &'a str,
    assist: &'a dyn Assist,
    buffer: LineBuffer,
    screen: Screen,
    /// Which history entry is shown (`len` for the line being typed), and
    /// the line being typed while an older one is shown.
    shown_entry: usize,
    typed: String,
    /// Whether the key before was Tab: a second Tab lists.
    after_tab: bool,
}

/// What a key asks of the read loop.
enum Step {
    Continue,
    Done(Outcome),
}

impl LineEditor {
    /// An editor keeping `history_size` commands.
    pub fn new(history_size: usize) -> LineEditor {
        LineEditor {
            history: History::new(history_size),
            reader: KeyReader::default(),
            killed: String::new(),
        }
    }

    /// From now on `resize`, readable when the window changed size (the
    /// shell's SIGWINCH pipe), wakes the editor to redraw the line at the
    /// new width while it waits for a key.
    pub fn watch_resize(&mut self, resize: Box<dyn Watch>) {
        self.reader.watch_resize(resize);
    }

    /// Shows `prompt`, reads a line with editing, and returns it with the
    /// terminal's modes as they were before.
    pub fn read_line(
        &mut self,
        prompt: &str,
        assist: &dyn Assist,
        mut wake: Option<&mut dyn Watch>,
    ) -> io::Result<Outcome> {
        let raw = RawMode::enter()?;
        let mut session = Session {
            prompt,
            assist,
            buffer: LineBuffer::default(),
            screen: Screen::default(),
            shown_entry: self.history.entries().len(),
            typed: String::new(),
            after_tab: false,
        };
        self.draw(&mut session, true)?;
        let outcome = loop {
            let Some(key) = self.reader.next_key(&mut wake)? else {
                self.finish(&mut session, "\r\n")?;
                break Outcome::End;
            };
            let step = self.act(&mut session, key, &mut wake)?;
            if let Step::Done(outcome) = step {
                break outcome;
            }
            if !self.reader.key_ready() {
                self.draw(&mut session, true)?;
            }
        };
        drop(raw);
        Ok(outcome)
    }

    /// What `key` does to the line.
    fn act(
        &mut self,
        s: &mut Session<'_>,
        key: Key,
        wake: &mut Option<&mut dyn Watch>,
    ) -> io::Result<Step> {
        let after_tab = std::mem::take(&mut s.after_tab);
        match key {
            Key::Text(c) => s.buffer.insert(c.encode_utf8(&mut [0; 4])),
            Key::Byte(b) => s
                .buffer
                .insert(text::char_of_byte(b).encode_utf8(&mut [0; 4])),
            // Inserted whole, newlines and tabs included: nothing in a
            // paste runs or completes; the loop draws once after it.
            Key::PasteStart => {
                let pasted = self.reader.pasted(wake)?;
                s.buffer.insert(&text::pasted_text(&pasted));
            }
            Key::Resize => {
                s.screen.resize(terminal_width());
                // The key before still counts for a second Tab.
                s.after_tab = after_tab;
            }
            Key::Enter => {
                self.finish(s, "\r\n")?;
                return Ok(Step::Done(Outcome::Line(s.buffer.text().to_owned())));
            }
            Key::Control('c') => {
                self.finish(s, "^C\r\n")?;
                return Ok(Step::Done(Outcome::Interrupted));
            }
            Key::Control('d') if s.buffer.is_empty() => {
                self.finish(s, "\r\n")?;
                return Ok(Step::Done(Outcome::End));
            }
            Key::Control('d') | Key::Delete => s.buffer.delete_forward(),
            Key::Backspace => s.buffer.delete_back(),
            Key::Tab => {
                s.after_tab = true;
                self.complete(s, after_tab, wake)?;
            }
            Key::Left | Key::Control('b') => s.buffer.left(),
            Key::Right | Key::Control('f') => match self.hint(s) {
                Some(hint) => s.buffer.insert(&hint),
                None => s.buffer.right(),
            },
            Key::Home | Key::Control('a') => s.buffer.home(),
            Key::End | Key::Control('e') => match self.hint(s) {
                Some(hint) => s.buffer.insert(&hint),
                None => s.buffer.end(),
            },
            Key::Alt('b') | Key::WordLeft => s.buffer.word_left(),
            Key::Alt('f') | Key::WordRight => s.buffer.word_right(),
            Key::Alt('d') => self.killed = s.buffer.kill_word_forward(),
            Key::AltBackspace => self.killed = s.buffer.kill_word_back(),
            Key::Control('k') => self.killed = s.buffer.kill_to_end(),
            Key::Control('u') => self.killed = s.buffer.kill_to_start(),
            Key::Control('w') => self.killed = s.buffer.kill_shell_word_back(),
            Key::Control('y') => s.buffer.insert(&self.killed),
            Key::Control('t') => s.buffer.transpose(),
            Key::Control('l') => {
                write_out("\x1b[H\x1b[2J")?;
                s.screen.forget();
            }
            Key::Up | Key::Control('p') => self.recall(s, -1),
            Key::Down | Key::Control('n') => self.recall(s, 1),
            Key::Control('r') => {
                let found = search::reverse_search(self, s, wake)?;
                return match found {
                    search::Found::Edit => Ok(Step::Continue),
                    search::Found::Run => self.act(s, Key::Enter, wake),
                    search::Found::Key(key) => self.act(s, key, wake),
                };
            }
            // Ctrl-Z, Ctrl-\, Escape, F-keys and the rest: nothing.
            _ => {}
        }
        Ok(Step::Continue)
    }

    /// The hint for the line as it is, if one shows: only with the cursor
    /// at the end of the line.
    fn hint(&self, s: &Session<'_>) -> Option<String> {
        if !s.buffer.at_end() || s.buffer.is_empty() {
            return None;
        }
        s.assist.hint(s.buffer.text(), &self.history)
    }

    /// Redraws the prompt and line (with the hint when `with_hint`).
    fn draw(&self, s: &mut Session<'_>, with_hint: bool) -> io::Result<()> {
        let hint = match with_hint {
            true => self.hint(s).unwrap_or_default(),
            false => String::new(),
        };
        let line = s.buffer.text();
        let coloured_line = s.assist.highlight(line);
        let coloured_hint = match hint.is_empty() {
            true => String::new(),
            false => s.assist.highlight_hint(&hint),
        };
        let frame = Frame {
            prompt: s.prompt,
            line,
            coloured_line: &coloured_line,
            cursor: s.buffer.cursor(),
            hint: &hint,
            coloured_hint: &coloured_hint,
        };
        write_out(&s.screen.redraw(&frame, terminal_width()))
    }

    /// Draws the line a last time, without its hint and with the cursor at
    /// its end, then writes `after` (the newline, or `^C` and it).
    fn finish(&self, s: &mut Session<'_>, after: &str) -> io::Result<()> {
        s.buffer.end();
        self.draw(s, false)?;
        // The line filled its last row: the cursor is on the next row
        // already, and a newline would leave that row blank.
        if s.screen.on_fresh_row() && after == "\r\n" {
            return Ok(());
        }
        write_out(after)
    }

    /// Up (`step` -1) and Down (+1) through the history; past the newest
    /// entry is the line that was being typed, as it was left.
    fn recall(&self, s: &mut Session<'_>, step: isize) {
        let entries = self.history.entries();
        let Some(next) = s.shown_entry.checked_add_signed(step) else {
            return;
        };
        if next > entries.len() {
            return;
        }
        if s.shown_entry == entries.len() {
            s.typed = s.buffer.text().to_owned();
        }
        s.shown_entry = next;
        match entries.get(next) {
            Some(entry) => s.buffer.set(entry),
            None => s.buffer.set(&s.typed),
        }
    }

    /// Tab: the one candidate, or the start all candidates share; when
    /// that adds nothing, a second Tab lists them.
    fn complete(
        &mut self,
        s: &mut Session<'_>,
        second_tab: bool,
        wake: &mut Option<&mut dyn Watch>,
    ) -> io::Result<()> {
        let (start, candidates) = s.assist.complete(s.buffer.text(), s.buffer.cursor());
        let typed = &s.buffer.text()[start.min(s.buffer.cursor())..s.buffer.cursor()];
        if candidates.is_empty() {
            return write_out("\x07");
        }
        let shared = complete_list::common_start(&candidates);
        if candidates.len() == 1 || (shared.len() > typed.len() && shared != typed) {
            let with = match candidates.len() {
                1 => candidates[0].replacement.as_str(),
                _ => shared,
            };
            s.buffer.replace_before_cursor(start, with);
            return Ok(());
        }
        if !second_tab {
            return write_out("\x07");
        }
        self.list(s, &candidates, wake)
    }

    /// Writes the candidates below the line, then the prompt and line
    /// again below them. Many candidates are listed only after a `y`.
    fn list(
        &mut self,
        s: &mut Session<'_>,
        candidates: &[Candidate],
        wake: &mut Option<&mut dyn Watch>,
    ) -> io::Result<()> {
        let cursor = s.buffer.cursor();
        self.finish(s, "\r\n")?;
        let mut show = true;
        if candidates.len() > ASK_BEFORE_LISTING {
            let count = candidates.len();
            write_out(&format!("Display all {count} possibilities? (y or n)"))?;
            let mut answer = self.reader.next_key(wake)?;
            while answer == Some(Key::Resize) {
                answer = self.reader.next_key(wake)?;
            }
            show = matches!(answer, Some(Key::Text('y' | 'Y' | ' ')));
            write_out("\r\n")?;
        }
        if show {
            let displays: Vec<&str> = candidates.iter().map(|c| c.display.as_str()).collect();
            write_out(&complete_list::columns(&displays, terminal_width()))?;
        }
        s.screen.forget();
        s.buffer.set_cursor(cursor);
        Ok(())
    }
}

/// Writes all of `text` to the terminal (standard output), retrying what
/// a signal interrupted.
fn write_out(text: &str) -> io::Result<()> {
    // SAFETY: descriptor 1 stays open for the life of the shell; it is
    // only written here.
    let out = unsafe { std::os::fd::BorrowedFd::borrow_raw(1) };
    let mut bytes = text.as_bytes();
    while !bytes.is_empty() {
        match nix::unistd::write(out, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
