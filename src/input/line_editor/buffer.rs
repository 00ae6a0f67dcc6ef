//! The line being edited and the cursor in it, with the edits the keys
//! make. Pure: no terminal here, so every edit can be tested.
//!
//! The text is a `String` whose cursor is a byte index always on a
//! character boundary. A typed byte that is not UTF-8 is held as the
//! character [`super::text::char_of_byte`] gives it, so it moves, deletes
//! and is killed like any character.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LineBuffer {
    text: String,
    cursor: usize,
}

/// Whether `c` is part of a word for Alt-B, Alt-F, Alt-D and
/// Alt-Backspace (emacs's words: letters and digits).
fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

impl LineBuffer {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn at_end(&self) -> bool {
        self.cursor == self.text.len()
    }

    /// Puts `text` in the buffer, the cursor at its end (a line from history).
    pub fn set(&mut self, text: &str) {
        self.text = text.to_owned();
        self.cursor = self.text.len();
    }

    /// Puts the cursor at byte `at` (back to a character's start if
    /// inside one).
    pub fn set_cursor(&mut self, at: usize) {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        self.cursor = at;
    }

    pub fn insert(&mut self, text: &str) {
        self.text.insert_str(self.cursor, text);
        self.cursor += text.len();
    }

    /// Replaces the text from byte `start` to the cursor with `with`
    /// (a completion), the cursor after it.
    pub fn replace_before_cursor(&mut self, start: usize, with: &str) {
        let start = start.min(self.cursor);
        self.text.replace_range(start..self.cursor, with);
        self.cursor = start + with.len();
    }

    /// The start of the character before `at`.
    fn before(&self, at: usize) -> usize {
        self.text[..at]
            .char_indices()
            .next_back()
            .map_or(0, |(i, _)| i)
    }

    /// The end of the character at `at`.
    fn after(&self, at: usize) -> usize {
        self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8())
    }

    pub fn left(&mut self) {
        self.cursor = self.before(self.cursor);
    }

    pub fn right(&mut self) {
        self.cursor = self.after(self.cursor);
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Backspace: the character before the cursor goes.
    pub fn delete_back(&mut self) {
        let start = self.before(self.cursor);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Delete: the character under the cursor goes.
    pub fn delete_forward(&mut self) {
        let end = self.after(self.cursor);
        self.text.replace_range(self.cursor..end, "");
    }

    /// Where the word before the cursor starts: back over what is not a
    /// word, then over the word (`in_word` says what a word is made of).
    fn word_start(&self, in_word: impl Fn(char) -> bool) -> usize {
        let before = &self.text[..self.cursor];
        let mut chars = before.char_indices().rev().peekable();
        while chars.next_if(|&(_, c)| !in_word(c)).is_some() {}
        while chars.next_if(|&(_, c)| in_word(c)).is_some() {}
        chars.peek().map_or(0, |&(i, c)| i + c.len_utf8())
    }

    /// Where the word after the cursor ends.
    fn word_end(&self) -> usize {
        let after = &self.text[self.cursor..];
        let mut chars = after.char_indices().peekable();
        while chars.next_if(|&(_, c)| !is_word(c)).is_some() {}
        while chars.next_if(|&(_, c)| is_word(c)).is_some() {}
        self.cursor + chars.peek().map_or(after.len(), |&(i, _)| i)
    }

    /// Alt-B: to the start of this word or the one before.
    pub fn word_left(&mut self) {
        self.cursor = self.word_start(is_word);
    }

    /// Alt-F: to the end of this word or the next.
    pub fn word_right(&mut self) {
        self.cursor = self.word_end();
    }

    /// Takes out the text between `start` and `end`, returning it (for the
    /// kill slot); the cursor goes to `start`.
    fn cut(&mut self, start: usize, end: usize) -> String {
        let killed = self.text[start..end].to_owned();
        self.text.replace_range(start..end, "");
        self.cursor = start;
        killed
    }

    /// Ctrl-K.
    pub fn kill_to_end(&mut self) -> String {
        self.cut(self.cursor, self.text.len())
    }

    /// Ctrl-U.
    pub fn kill_to_start(&mut self) -> String {
        self.cut(0, self.cursor)
    }

    /// Ctrl-W: back to the whitespace before the word (bash's
    /// unix-word-rubout: `ls src/main.rs` loses `src/main.rs` whole).
    pub fn kill_shell_word_back(&mut self) -> String {
        let start = self.word_start(|c| !c.is_whitespace());
        self.cut(start, self.cursor)
    }

    /// Alt-Backspace.
    pub fn kill_word_back(&mut self) -> String {
        let start = self.word_start(is_word);
        self.cut(start, self.cursor)
    }

    /// Alt-D.
    pub fn kill_word_forward(&mut self) -> String {
        let end = self.word_end();
        let start = self.cursor;
        self.cut(start, end)
    }

    /// Ctrl-T: the character before the cursor changes place with the one
    /// under it, and the cursor moves on; at the end of the line, the last
    /// two characters change places.
    pub fn transpose(&mut self) {
        if self.cursor == 0 || self.text.chars().nth(1).is_none() {
            return;
        }
        let middle = match self.at_end() {
            true => self.before(self.cursor),
            false => self.cursor,
        };
        let start = self.before(middle);
        let end = self.after(middle);
        let first: String = self.text[start..middle].to_owned();
        let second: String = self.text[middle..end].to_owned();
        self.text.replace_range(start..end, &(second + &first));
        self.cursor = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A buffer holding `text` with the cursor where `|` is.
    fn at(text: &str) -> LineBuffer {
        let cursor = text.find('|').unwrap();
        LineBuffer {
            text: text.replacen('|', "", 1),
            cursor,
        }
    }

    /// The buffer drawn as [`at`] reads it.
    fn shown(buffer: &LineBuffer) -> String {
        let mut text = buffer.text.clone();
        text.insert(buffer.cursor, '|');
        text
    }

    #[test]
    fn typing_moving_and_deleting_by_characters() {
        let mut b = LineBuffer::default();
        b.insert("héllo");
        assert_eq!(shown(&b), "héllo|");
        b.left();
        b.left();
        b.left();
        assert_eq!(shown(&b), "hé|llo");
        b.delete_back();
        assert_eq!(shown(&b), "h|llo");
        b.delete_forward();
        assert_eq!(shown(&b), "h|lo");
        b.insert("€");
        assert_eq!(shown(&b), "h€|lo");
        b.home();
        b.delete_back();
        assert_eq!(shown(&b), "|h€lo");
        b.end();
        b.delete_forward();
        b.right();
        assert_eq!(shown(&b), "h€lo|");
    }

    #[test]
    fn words_move_and_kill() {
        let mut b = at("echo foo-bar baz|");
        b.word_left();
        assert_eq!(shown(&b), "echo foo-bar |baz");
        b.word_left();
        assert_eq!(shown(&b), "echo foo-|bar baz");
        b.word_right();
        assert_eq!(shown(&b), "echo foo-bar| baz");
        b.home();
        b.word_right();
        assert_eq!(shown(&b), "echo| foo-bar baz");
        assert_eq!(b.kill_word_forward(), " foo");
        assert_eq!(shown(&b), "echo|-bar baz");
        let mut b = at("ls src/main.rs  |x");
        assert_eq!(b.kill_shell_word_back(), "src/main.rs  ");
        assert_eq!(shown(&b), "ls |x");
        let mut b = at("ls src/main.rs|");
        assert_eq!(b.kill_word_back(), "rs");
        assert_eq!(shown(&b), "ls src/main.|");
    }

    #[test]
    fn kills_to_the_ends_and_replacing_a_word() {
        let mut b = at("echo a|bc");
        assert_eq!(b.kill_to_end(), "bc");
        assert_eq!(shown(&b), "echo a|");
        let mut b = at("echo a|bc");
        assert_eq!(b.kill_to_start(), "echo a");
        assert_eq!(shown(&b), "|bc");
        let mut b = at("cd la| x");
        b.replace_before_cursor(3, "labs/");
        assert_eq!(shown(&b), "cd labs/| x");
    }

    #[test]
    fn transpose_swaps_around_the_cursor() {
        let mut b = at("ab|cd");
        b.transpose();
        assert_eq!(shown(&b), "acb|d");
        let mut b = at("aé|");
        b.transpose();
        assert_eq!(shown(&b), "éa|");
        let mut b = at("|ab");
        b.transpose();
        assert_eq!(shown(&b), "|ab");
        let mut b = at("a|");
        b.transpose();
        assert_eq!(shown(&b), "a|");
    }
}
