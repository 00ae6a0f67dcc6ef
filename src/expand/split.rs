//! Field splitting on `$IFS`, and the fields it makes: text plus which of
//! its bytes came from quotes.
//!
//! POSIX's rules, applied only to what unquoted expansions produced: IFS
//! whitespace (space, tab, newline, when in IFS) collapses and never makes
//! an empty field; any other IFS character ends a field, empty or not,
//! together with the whitespace around it; an empty IFS splits nothing.

use std::ops::Range;

use super::Sink;

/// One field of expanded text, with its quoting remembered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub text: Vec<u8>,
    /// Byte ranges of `text` that were quoted, in order, not overlapping.
    quoted: Vec<Range<usize>>,
    /// Whether an unquoted byte could start a glob (`*`, `?`, `[`, or an
    /// extglob group's `(`): only then is pathname expansion tried.
    glob: bool,
}

impl Field {
    /// Whether byte `i` of the text came from quotes.
    pub fn is_quoted(&self, i: usize) -> bool {
        // Ranges are few (one per quoted piece); a binary search keeps a
        // long pattern's compile linear enough.
        let at = self.quoted.partition_point(|r| r.end <= i);
        self.quoted.get(at).is_some_and(|r| r.start <= i)
    }

    pub fn may_glob(&self) -> bool {
        self.glob
    }

    /// The text and its quoted ranges, for a key that stands for the
    /// field as a pattern (see `expand::pattern`).
    pub fn into_parts(self) -> (Vec<u8>, Vec<Range<usize>>) {
        (self.text, self.quoted)
    }

    fn push_quoted(&mut self, text: &[u8]) {
        let start = self.text.len();
        self.text.extend_from_slice(text);
        let end = self.text.len();
        if start == end {
            return;
        }
        match self.quoted.last_mut() {
            Some(last) if last.end == start => last.end = end,
            _ => self.quoted.push(start..end),
        }
    }

    fn push_unquoted(&mut self, text: &[u8]) {
        if text.iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b'(')) {
            self.glob = true;
        }
        self.text.extend_from_slice(text);
    }

    fn push_unquoted_byte(&mut self, b: u8) {
        if matches!(b, b'*' | b'?' | b'[' | b'(') {
            self.glob = true;
        }
        self.text.push(b);
    }
}

/// The fields of a command's words being built. Text accumulates in
/// `current` until an unquoted expansion's separator ends the field.
#[derive(Default)]
pub struct Fields {
    done: Vec<Field>,
    current: Field,
    /// The current field exists even if empty: it holds quotes (`""`) or
    /// was opened by a non-blank separator (`a::b` with `IFS=:`).
    keep: bool,
    /// The last expanded text ended a field with blanks; a following
    /// non-blank separator belongs to the same break (`a : b`).
    after_blank_break: bool,
}

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    fn end_field(&mut self) {
        if !self.current.text.is_empty() || self.keep {
            self.done.push(std::mem::take(&mut self.current));
        } else {
            self.current = Field::default();
        }
        self.keep = false;
    }

    pub fn finish(mut self) -> Vec<Field> {
        self.end_field();
        self.done
    }
}

impl Sink for Fields {
    fn quoted(&mut self, text: &[u8]) {
        self.current.push_quoted(text);
        self.after_blank_break = false;
    }

    fn literal(&mut self, text: &[u8]) {
        self.current.push_unquoted(text);
        self.after_blank_break = false;
    }

    fn expanded(&mut self, value: &[u8], ifs: &[u8]) {
        if ifs.is_empty() {
            self.current.push_unquoted(value);
            self.after_blank_break = false;
            return;
        }
        for &b in value {
            if !ifs.contains(&b) {
                self.current.push_unquoted_byte(b);
                self.after_blank_break = false;
            } else if b == b' ' || b == b'\t' || b == b'\n' {
                if !self.current.text.is_empty() || self.keep {
                    self.end_field();
                    self.after_blank_break = true;
                }
            } else if self.after_blank_break {
                self.after_blank_break = false;
            } else {
                self.keep = true;
                self.end_field();
            }
        }
    }

    fn next_field(&mut self, quoted: bool) {
        if quoted {
            // `"$@"`: every element is a field, empty ones included.
            self.keep = true;
            self.end_field();
            self.keep = true;
        } else {
            // `$@`: elements are split further, and empty ones vanish.
            self.end_field();
        }
        self.after_blank_break = false;
    }

    fn keep(&mut self) {
        self.keep = true;
    }
}

/// Everything as one string: assignments, `case` words, here-documents.
#[derive(Default)]
pub struct Joined {
    pub text: Vec<u8>,
}

impl Sink for Joined {
    fn quoted(&mut self, text: &[u8]) {
        self.text.extend_from_slice(text);
    }

    fn literal(&mut self, text: &[u8]) {
        self.text.extend_from_slice(text);
    }

    fn expanded(&mut self, text: &[u8], _ifs: &[u8]) {
        self.text.extend_from_slice(text);
    }

    fn next_field(&mut self, _quoted: bool) {
        self.text.push(b' ');
    }

    fn keep(&mut self) {}

    fn splits(&self) -> bool {
        false
    }
}

/// One field that keeps its quoting but is never split: a pattern.
#[derive(Default)]
pub struct Unsplit {
    pub field: Field,
}

impl Sink for Unsplit {
    fn quoted(&mut self, text: &[u8]) {
        self.field.push_quoted(text);
    }

    fn literal(&mut self, text: &[u8]) {
        self.field.push_unquoted(text);
    }

    fn expanded(&mut self, text: &[u8], _ifs: &[u8]) {
        self.field.push_unquoted(text);
    }

    fn next_field(&mut self, _quoted: bool) {
        self.field.push_unquoted(b" ");
    }

    fn keep(&mut self) {}

    fn splits(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(value: &str, ifs: &str) -> Vec<String> {
        let mut fields = Fields::new();
        fields.expanded(value.as_bytes(), ifs.as_bytes());
        fields
            .finish()
            .into_iter()
            .map(|f| String::from_utf8(f.text).unwrap())
            .collect()
    }

    #[test]
    fn blanks_collapse_and_trim() {
        assert_eq!(split("  a  b  ", " \t\n"), ["a", "b"]);
        assert_eq!(split("", " "), Vec::<String>::new());
    }

    #[test]
    fn other_separators_make_empty_fields_but_not_a_last_one() {
        assert_eq!(split("a::b:", ":"), ["a", "", "b"]);
        assert_eq!(split(":a", ":"), ["", "a"]);
        assert_eq!(split("a : b", " :"), ["a", "b"]);
    }

    #[test]
    fn empty_ifs_splits_nothing() {
        assert_eq!(split("a b", ""), ["a b"]);
    }

    #[test]
    fn quoted_ranges_are_remembered() {
        let mut fields = Fields::new();
        fields.literal(b"*");
        fields.quoted(b"*");
        let field = fields.finish().pop().unwrap();
        assert!(!field.is_quoted(0));
        assert!(field.is_quoted(1));
        assert!(field.may_glob());
    }
}
