//! Line continuations: a backslash before a newline joins two lines, and
//! POSIX removes the pair before tokens are read, so `&\<newline>&` is `&&`
//! and `$\<newline>X` is `$X`. Inside single quotes and comments the pair
//! stays as written.

use std::borrow::Cow;

use super::lexer::is_metachar;

/// The text with every continuation removed, and the offsets (in the
/// joined text) where pairs were removed, to map error positions back.
pub struct Joined<'a> {
    pub text: Cow<'a, [u8]>,
    removed_at: Vec<usize>,
}

/// What the source ends with, for the reader deciding whether to ask for
/// another line.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    Complete,
    /// The last line ends with `\`: the command goes on on the next line.
    Continued,
}

pub fn join(source: &[u8]) -> (Joined<'_>, Ending) {
    if memchr::memchr(b'\\', source).is_none() || !source.windows(2).any(|pair| pair == b"\\\n") {
        // Most lines have no continuation: nothing to remove.
        let joined = Joined {
            text: Cow::Borrowed(source),
            removed_at: Vec::new(),
        };
        return (joined, Ending::Complete);
    }
    let mut text = Vec::with_capacity(source.len());
    let mut removed_at = Vec::new();
    let (mut in_single, mut in_double, mut in_comment) = (false, false, false);
    let mut word_start = true;
    let mut i = 0;
    let mut ending = Ending::Complete;
    while i < source.len() {
        let b = source[i];
        if in_comment {
            in_comment = b != b'\n';
        } else if in_single {
            in_single = b != b'\'';
        } else if b == b'\\' {
            match source.get(i + 1) {
                Some(b'\n') => {
                    removed_at.push(text.len());
                    if i + 2 == source.len() {
                        ending = Ending::Continued;
                    }
                    i += 2;
                    continue;
                }
                Some(&escaped) => {
                    text.extend_from_slice(&[b, escaped]);
                    word_start = false;
                    i += 2;
                    continue;
                }
                None => {}
            }
        } else if in_double {
            in_double = b != b'"';
        } else {
            match b {
                b'\'' => in_single = true,
                b'"' => in_double = true,
                b'#' if word_start => in_comment = true,
                _ => {}
            }
        }
        word_start = !in_single && !in_double && is_metachar(b);
        text.push(b);
        i += 1;
    }
    let text = Cow::Owned(text);
    (Joined { text, removed_at }, ending)
}

impl Joined<'_> {
    /// The offset in the source of `offset` in the joined text.
    pub fn source_offset(&self, offset: usize) -> usize {
        offset + 2 * self.removed_at.iter().filter(|&&at| at <= offset).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(text: &str) -> String {
        String::from_utf8(join(text.as_bytes()).0.text.into_owned()).unwrap()
    }

    #[test]
    fn pairs_go_outside_single_quotes_and_comments() {
        assert_eq!(joined("a &\\\n& b"), "a && b");
        assert_eq!(joined("\"$\\\nX\""), "\"$X\"");
        assert_eq!(joined("'a\\\nb'"), "'a\\\nb'");
        assert_eq!(joined("echo # c \\\necho b"), "echo # c \\\necho b");
        assert_eq!(joined("a\\\\\nb"), "a\\\\\nb");
    }

    #[test]
    fn a_trailing_backslash_continues() {
        assert_eq!(join(b"echo a \\\n").1, Ending::Continued);
        assert_eq!(join(b"echo a\n").1, Ending::Complete);
    }

    #[test]
    fn offsets_map_back_past_removed_pairs() {
        let (joined, _) = join(b"ab\\\ncd");
        assert_eq!(&*joined.text, b"abcd");
        assert_eq!(joined.source_offset(1), 1);
        assert_eq!(joined.source_offset(2), 4);
    }
}
