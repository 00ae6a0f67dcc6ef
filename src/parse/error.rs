//! Syntax errors: what went wrong, where, and whether more input could fix it.

use std::fmt::{self, Display, Formatter};

/// A syntax error, located by its byte offset in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// Byte offset into the parsed text: where the bad token starts, or
    /// where an unclosed quote opened.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// A token where the grammar allows none of its kind: `| ls`, `&& x`, `;;`.
    /// Holds the token as the user wrote it, or `newline`.
    UnexpectedToken(String),
    /// The text ended where a command must follow: after `|`, `&&`, `||` or
    /// a trailing `\`. A reader with more lines appends the next one.
    UnexpectedEnd,
    /// A quote opened and never closed (`'` or `"`). More lines may close it.
    UnclosedQuote(u8),
    /// `${…}` that names no parameter.
    BadSubstitution,
    /// Syntax that bash accepts but minishell does not run yet; refusing it
    /// beats running something different from what the user meant.
    Unsupported(&'static str),
}

impl SyntaxError {
    /// Whether appending more lines could make the text parse: the readers
    /// use this to ask for a continuation line instead of failing.
    pub fn needs_more_input(&self) -> bool {
        matches!(
            self.kind,
            SyntaxErrorKind::UnexpectedEnd | SyntaxErrorKind::UnclosedQuote(_)
        )
    }

    /// The 1-based line and column of the error in `source`. Columns count
    /// characters, not bytes, so a UTF-8 name before the error does not
    /// shift it.
    pub fn line_and_column(&self, source: &[u8]) -> (usize, usize) {
        let before = &source[..self.offset.min(source.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = 1 + before[line_start..]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        (line, column)
    }

    /// The message for people, naming the token and the column.
    pub fn describe(&self, source: &[u8]) -> String {
        let (_, column) = self.line_and_column(source);
        format!("{self} at column {column}")
    }
}

impl Display for SyntaxError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SyntaxErrorKind::UnexpectedToken(token) => {
                write!(f, "syntax error near unexpected token '{token}'")
            }
            SyntaxErrorKind::UnexpectedEnd => f.write_str("syntax error: unexpected end of file"),
            SyntaxErrorKind::UnclosedQuote(b'{') => f.write_str("syntax error: unclosed '${'"),
            SyntaxErrorKind::UnclosedQuote(quote) => {
                write!(f, "syntax error: unclosed {} quote", char::from(*quote))
            }
            SyntaxErrorKind::BadSubstitution => f.write_str("syntax error: bad substitution"),
            SyntaxErrorKind::Unsupported(what) => {
                write!(f, "syntax error: {what} not supported yet")
            }
        }
    }
}

impl std::error::Error for SyntaxError {}
