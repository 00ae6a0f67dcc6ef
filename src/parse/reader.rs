//! The parser's input: the text of the command being parsed, pulled one line
//! at a time from wherever the shell reads (a script, standard input, the
//! terminal) only when the grammar needs more, as dash's `pgetc` does. So an
//! unfinished `if`, a quote left open or a here-document body simply make
//! the parser ask for the next line, and nothing is ever parsed twice:
//! parse time stays linear in the input, however long a command runs.

use std::io;

/// Where lines come from.
pub trait LineReader {
    /// Appends the next line, with its newline if it has one, to `buf`;
    /// `false` at the end of the input. `continuation` says whether the line
    /// continues a command already begun (a terminal shows `$PS2` then).
    fn next_line(&mut self, buf: &mut Vec<u8>, continuation: bool) -> io::Result<bool>;
}

/// A piece of text in memory as a line source: `-c`'s argument, `eval`'s,
/// a here-document body, a test's input.
pub struct TextLines<'t> {
    text: &'t [u8],
}

impl<'t> TextLines<'t> {
    pub fn new(text: &'t [u8]) -> TextLines<'t> {
        TextLines { text }
    }
}

impl LineReader for TextLines<'_> {
    fn next_line(&mut self, buf: &mut Vec<u8>, _continuation: bool) -> io::Result<bool> {
        if self.text.is_empty() {
            return Ok(false);
        }
        let end = crate::bytes::find(b'\n', self.text).map_or(self.text.len(), |p| p + 1);
        buf.extend_from_slice(&self.text[..end]);
        self.text = &self.text[end..];
        Ok(true)
    }
}

/// The text read so far for the current command, and the parser's place in
/// it. Lines are appended whole, so the text after the position always runs
/// at least to the end of the current line: token rules see whole lines.
pub struct Reader<'s> {
    source: &'s mut dyn LineReader,
    buf: Vec<u8>,
    pos: usize,
    /// The input ended (or could not be read).
    ended: bool,
    /// Why reading stopped early: a read error, or Ctrl-C at a terminal.
    error: Option<io::Error>,
    /// Where each line of `buf` starts.
    line_starts: Vec<usize>,
    /// The number of the first line of `buf` in the whole input, from 1.
    first_line: u32,
    /// The `\<newline>`s taken out of operators in this command, oldest
    /// first: where each was, and the first line start it moved. A parse
    /// that is tried and given up (`((` read again as `( (`) goes back
    /// before them, and must find the text as it was written.
    removed: Vec<(usize, usize)>,
}

impl<'s> Reader<'s> {
    pub fn new(source: &'s mut dyn LineReader) -> Reader<'s> {
        Reader {
            source,
            buf: Vec::new(),
            pos: 0,
            ended: false,
            error: None,
            line_starts: Vec::new(),
            first_line: 1,
            removed: Vec::new(),
        }
    }

    pub fn set_first_line(&mut self, line: u32) {
        self.first_line = line;
    }

    /// Starts a new command: forgets the text of the lines before the
    /// current one (the current line stays, for columns).
    pub fn start_command(&mut self) {
        self.removed.clear();
        if self.pos == 0 {
            return;
        }
        let (line, _) = self.line_and_column(self.pos);
        let index = self.line_starts.partition_point(|&s| s <= self.pos);
        let cut = match index {
            _ if self.pos == self.buf.len() && self.buf.last() == Some(&b'\n') => self.pos,
            0 => 0,
            i => self.line_starts[i - 1],
        };
        self.buf.drain(..cut);
        self.line_starts.retain(|&s| s >= cut);
        for start in &mut self.line_starts {
            *start -= cut;
        }
        if !self.buf.is_empty() && self.line_starts.first() != Some(&0) {
            self.line_starts.insert(0, 0);
        }
        self.first_line = line;
        self.pos -= cut;
    }

    /// Reads one more line onto the text; `false` when the input has ended.
    pub fn fill(&mut self) -> bool {
        if self.ended {
            return false;
        }
        let continuation = !self.buf.is_empty();
        let start = self.buf.len();
        match self.source.next_line(&mut self.buf, continuation) {
            Ok(true) => {
                // bash drops NUL bytes from its input; a C string cannot
                // hold them.
                if self.buf[start..].contains(&0) {
                    let line = self.buf.split_off(start);
                    self.buf.extend(line.into_iter().filter(|&b| b != 0));
                }
                self.line_starts.push(start);
                // A line without its newline is the input's last: asking
                // for more would only show another prompt.
                if self.buf.last() != Some(&b'\n') {
                    self.ended = true;
                }
                true
            }
            Ok(false) => {
                self.ended = true;
                false
            }
            Err(e) => {
                self.buf.truncate(start);
                self.error = Some(e);
                self.ended = true;
                false
            }
        }
    }

    /// Makes sure at least `n` bytes follow the position, reading lines as
    /// needed; `false` if the input ends first.
    pub fn want(&mut self, n: usize) -> bool {
        while self.buf.len() - self.pos < n {
            if !self.fill() {
                return false;
            }
        }
        true
    }

    /// The byte at the position, reading a line if none is there yet.
    pub fn peek(&mut self) -> Option<u8> {
        if self.pos == self.buf.len() && !self.fill() {
            return None;
        }
        self.buf.get(self.pos).copied()
    }

    /// The byte `k` places after the position.
    pub fn peek_at(&mut self, k: usize) -> Option<u8> {
        if !self.want(k + 1) {
            return None;
        }
        self.buf.get(self.pos + k).copied()
    }

    /// The text from the position to the end of what was read: at least the
    /// rest of the current line (call [`Reader::peek`] first).
    pub fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    pub fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Goes back to an earlier position, to try another reading of the same
    /// text (the lines stay read).
    pub fn rewind(&mut self, pos: usize) {
        self.pos = pos;
        while let Some(&(at, next_line)) = self.removed.last() {
            if at < pos {
                break;
            }
            self.removed.pop();
            self.buf.splice(at..at, *b"\\\n");
            for start in &mut self.line_starts[next_line..] {
                *start += 2;
            }
        }
    }

    /// The text between two positions.
    pub fn slice(&self, from: usize, to: usize) -> &[u8] {
        &self.buf[from..to]
    }

    /// All the text read for the current command, for history.
    pub fn text(&self) -> &[u8] {
        &self.buf
    }

    /// Removes every `\<newline>` that starts `k` bytes after the position,
    /// reading the lines they continue onto: `$\<newline>?` is `$?`, since
    /// bash joins continued lines before it reads a token.
    pub fn splice_continuations(&mut self, k: usize) {
        while self.peek_at(k) == Some(b'\\') && self.peek_at(k + 1) == Some(b'\n') {
            // Recorded, so that a rewind puts it back.
            self.remove_continuation(self.pos + k);
        }
    }

    /// Removes `\<newline>` at the position (a line continuation), reading
    /// the next line; called where the grammar is about to read a token, so
    /// that `&\<newline>&` is still `&&`. Returns whether one was removed.
    pub fn join_continuation(&mut self) -> bool {
        if self.peek() == Some(b'\\') && self.peek_at(1) == Some(b'\n') {
            self.pos += 2;
            self.peek();
            return true;
        }
        false
    }

    /// Replaces `len` bytes at `at` with `text` (an alias's value): the
    /// text is read next as if typed there.
    pub fn splice(&mut self, at: usize, len: usize, text: &[u8]) {
        let end = (at + len).min(self.buf.len());
        self.buf.splice(at..end, text.iter().copied());
        let delta = text.len() as isize - (end - at) as isize;
        // The positions of removed continuations no longer hold.
        self.removed.clear();
        for start in &mut self.line_starts {
            if *start > at {
                *start = (*start as isize + delta) as usize;
            }
        }
    }

    /// Removes a `\<newline>` found inside an operator (`&\<newline>&` is
    /// `&&`): the two bytes go, and the line joins the next, which is read
    /// now if needed. The next line still starts where it did, now at
    /// `at`, so that an error in it names its own line and column.
    pub fn remove_continuation(&mut self, at: usize) {
        if self.buf.get(at) == Some(&b'\\') && self.buf.get(at + 1) == Some(&b'\n') {
            self.buf.drain(at..at + 2);
            let next_line = self.line_starts.partition_point(|&s| s <= at);
            self.removed.push((at, next_line));
            for start in &mut self.line_starts[next_line..] {
                *start -= 2;
            }
            if at == self.buf.len() {
                self.fill();
            }
        }
    }

    /// The input's line number (from 1) and the column (in characters, from
    /// 1) of position `at`.
    pub fn line_and_column(&self, at: usize) -> (u32, u32) {
        let at = at.min(self.buf.len());
        if at > 0
            && at == self.buf.len()
            && self.buf[at - 1] == b'\n'
            && self.line_starts.last() != Some(&at)
        {
            // Just past the last newline: the start of a line not read yet
            // (or read but empty: all NUL bytes, which are dropped).
            let line = self.first_line + self.line_starts.len() as u32;
            return (line, 1);
        }
        let index = self.line_starts.partition_point(|&s| s <= at);
        let start = match index {
            0 => 0,
            i => self.line_starts[i - 1],
        };
        let line = self.first_line + index.saturating_sub(1) as u32;
        let column = 1 + self.buf[start..at]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count() as u32;
        (line, column)
    }

    /// The line number of the position.
    pub fn line(&self) -> u32 {
        self.line_and_column(self.pos).0
    }

    /// Why the input ended early, if it did: a read error, or the user
    /// interrupting an unfinished command with Ctrl-C.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Skips to the end of the current line (after a syntax error, the rest
    /// of its line is dropped).
    pub fn skip_line(&mut self) {
        match crate::bytes::find(b'\n', self.rest()) {
            Some(p) => self.pos += p + 1,
            None => self.pos = self.buf.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_only_when_needed_and_numbered() {
        let mut lines = TextLines::new(b"ab\ncd\nef");
        let mut r = Reader::new(&mut lines);
        assert_eq!(r.peek(), Some(b'a'));
        assert_eq!(r.rest(), b"ab\n");
        r.advance(3);
        assert_eq!(r.peek(), Some(b'c'));
        assert_eq!(r.line_and_column(r.pos()), (2, 1));
        r.advance(1);
        assert_eq!(r.line_and_column(r.pos()), (2, 2));
        r.start_command();
        assert_eq!(r.rest(), b"d\n");
        assert_eq!(r.line_and_column(r.pos()), (2, 2));
        r.advance(2);
        r.start_command();
        assert_eq!(r.peek(), Some(b'e'));
        assert_eq!(r.line_and_column(r.pos()), (3, 1));
        r.advance(2);
        assert!(r.peek().is_none());
    }

    #[test]
    fn a_continuation_joins_the_next_line() {
        let mut lines = TextLines::new(b"\\\nx\n");
        let mut r = Reader::new(&mut lines);
        assert!(r.join_continuation());
        assert_eq!(r.peek(), Some(b'x'));
    }
}
