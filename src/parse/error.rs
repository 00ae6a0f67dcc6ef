//! Syntax errors: what went wrong and where, in words that name the token.

use std::fmt::{self, Display, Formatter};

/// A syntax error, located by the line and column where the bad token
/// starts (or where the input ended).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// The line in the whole input, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// A token where the grammar allows none of its kind: `| ls`, `&& x`,
    /// `fi` with no `if`. Holds the token as the user wrote it, or `newline`.
    UnexpectedToken(String),
    /// The input ended inside a command: after `|`, inside an `if` with no
    /// `fi`, or inside a quote (then `looking_for` names what would close it).
    UnexpectedEnd { looking_for: Option<String> },
    /// A malformed `[[ ]]`, in bash's words. bash leaves `$?` as it was
    /// after this one (a script ends with the status before it).
    Conditional(String),
    /// Syntax that bash accepts but minishell does not run; refusing it
    /// beats running something different from what the user meant.
    Unsupported(&'static str),
}

impl SyntaxError {
    /// Whether the error is only that the input ended too soon: at a
    /// terminal, Ctrl-C or Ctrl-D in an unfinished command.
    #[cfg(test)]
    pub fn is_unexpected_end(&self) -> bool {
        matches!(self.kind, SyntaxErrorKind::UnexpectedEnd { .. })
    }

    /// The message for people, naming the token and the column.
    pub fn describe(&self) -> String {
        format!("{self} at column {}", self.column)
    }
}

impl Display for SyntaxError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SyntaxErrorKind::UnexpectedToken(token) => {
                write!(f, "syntax error near unexpected token '{token}'")
            }
            SyntaxErrorKind::UnexpectedEnd { looking_for: None } => {
                f.write_str("syntax error: unexpected end of file")
            }
            SyntaxErrorKind::UnexpectedEnd {
                looking_for: Some(what),
            } => write!(
                f,
                "syntax error: unexpected end of file while looking for matching '{what}'"
            ),
            SyntaxErrorKind::Conditional(message) => f.write_str(message),
            SyntaxErrorKind::Unsupported(what) => {
                write!(f, "syntax error: {what} not supported yet")
            }
        }
    }
}

impl std::error::Error for SyntaxError {}
