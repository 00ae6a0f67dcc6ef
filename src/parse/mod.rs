//! The parser: shell text in, a command tree ([`crate::ast`]) or a located
//! [`SyntaxError`] out. Nothing here runs anything.
//!
//! The rules are nom parsers over bytes: [`lexer`] for tokens, [`grammar`] for
//! how tokens form commands. A rule that does not match returns a recoverable
//! error so another can be tried; a rule that sees certain breakage (an
//! unclosed quote, a missing command after `|`) fails for good, and the
//! failure carries the position the error message points at.

mod continuation;
mod error;
mod grammar;
mod lexer;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use grammar::construct_is_open;

use crate::ast::List;

/// Parses a complete piece of shell text: one line, or several when the
/// reader joined continuation lines.
pub fn parse(source: &[u8]) -> Result<List, SyntaxError> {
    let (joined, ending) = continuation::join(source);
    if ending == continuation::Ending::Continued {
        return Err(SyntaxError {
            kind: SyntaxErrorKind::UnexpectedEnd,
            offset: source.len(),
        });
    }
    parse_joined(&joined.text).map_err(|mut error| {
        error.offset = joined.source_offset(error.offset);
        error
    })
}

/// Parses the last text of the input, when no more lines will come: a
/// final line continuation simply ends the text, and a lone backslash at
/// the very end stands for itself (`minishell -c 'echo a\'` prints `a\`,
/// as in bash).
pub fn parse_at_end(source: &[u8]) -> Result<List, SyntaxError> {
    let mut text = source.to_vec();
    if continuation::join(source).1 == continuation::Ending::Continued {
        text.truncate(text.len() - 2);
    }
    let trailing_backslashes = text.iter().rev().take_while(|&&b| b == b'\\').count();
    if trailing_backslashes % 2 == 1 {
        text.push(b'\\');
    }
    parse(&text)
}

fn parse_joined(source: &[u8]) -> Result<List, SyntaxError> {
    let at = |input: &[u8]| source.len() - input.len();
    match grammar::list(source) {
        Ok((b"", list)) => Ok(list),
        Ok((rest, _)) => Err(SyntaxError {
            kind: SyntaxErrorKind::UnexpectedToken(grammar::token_at(rest)),
            offset: at(rest),
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let kind = match e.kind {
                Problem::NoMatch => SyntaxErrorKind::UnexpectedToken(grammar::token_at(e.input)),
                Problem::Token(token) => SyntaxErrorKind::UnexpectedToken(token),
                Problem::End => SyntaxErrorKind::UnexpectedEnd,
                Problem::Unclosed(quote) => SyntaxErrorKind::UnclosedQuote(quote),
                Problem::BadSubstitution => SyntaxErrorKind::BadSubstitution,
                Problem::Unsupported(what) => SyntaxErrorKind::Unsupported(what),
            };
            let blanks = match kind {
                SyntaxErrorKind::UnexpectedToken(_) => leading_blanks(e.input),
                _ => 0,
            };
            Err(SyntaxError {
                kind,
                offset: at(e.input) + blanks,
            })
        }
        // Every rule here parses complete input; none asks for more bytes.
        Err(nom::Err::Incomplete(_)) => Err(SyntaxError {
            kind: SyntaxErrorKind::UnexpectedEnd,
            offset: source.len(),
        }),
    }
}

/// Spaces and tabs before a token: the error column points at the token.
fn leading_blanks(i: &[u8]) -> usize {
    i.iter().take_while(|&&b| b == b' ' || b == b'\t').count()
}

/// The parser's error value: where it happened and what the problem was.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PError<'a> {
    pub input: &'a [u8],
    pub kind: Problem,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Problem {
    /// The rule did not match here; another rule may (nom's ordinary error).
    NoMatch,
    Token(String),
    End,
    Unclosed(u8),
    BadSubstitution,
    Unsupported(&'static str),
}

impl<'a> nom::error::ParseError<&'a [u8]> for PError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        PError {
            input,
            kind: Problem::NoMatch,
        }
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type PResult<'a, T> = nom::IResult<&'a [u8], T, PError<'a>>;

/// Constructors for the parser's errors, so rules read `Fail::end(i)`.
/// Each works for any success type, whatever the rule returns.
pub(crate) struct Fail;

type Failed<'a, T> = Result<T, nom::Err<PError<'a>>>;

impl Fail {
    fn failure<T>(input: &[u8], kind: Problem) -> Failed<'_, T> {
        Err(nom::Err::Failure(PError { input, kind }))
    }

    /// No match here; the caller may try something else.
    pub fn backtrack<T>(input: &[u8]) -> Failed<'_, T> {
        Err(nom::Err::Error(PError {
            input,
            kind: Problem::NoMatch,
        }))
    }

    /// The token here cannot stand here; the message names it.
    pub fn unexpected<T>(input: &[u8]) -> Failed<'_, T> {
        Self::failure(input, Problem::NoMatch)
    }

    pub fn token<T>(input: &[u8], token: String) -> Failed<'_, T> {
        Self::failure(input, Problem::Token(token))
    }

    pub fn end<T>(input: &[u8]) -> Failed<'_, T> {
        Self::failure(input, Problem::End)
    }

    pub fn unclosed<T>(input: &[u8], quote: u8) -> Failed<'_, T> {
        Self::failure(input, Problem::Unclosed(quote))
    }

    pub fn bad_substitution<T>(input: &[u8]) -> Failed<'_, T> {
        Self::failure(input, Problem::BadSubstitution)
    }

    pub fn unsupported<'a, T>(input: &'a [u8], what: &'static str) -> Failed<'a, T> {
        Self::failure(input, Problem::Unsupported(what))
    }
}

#[cfg(test)]
mod tests;
