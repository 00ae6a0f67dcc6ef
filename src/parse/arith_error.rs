//! Arithmetic errors, worded and shaped as bash prints them.
//!
//! Bash reports most arithmetic errors as `EXPRESSION: MESSAGE (error token
//! is "REST")`: the text being evaluated, then from where its reader stood
//! to the end. The shell puts `minishell: ` (and `let: ` or `((: `) in front.

use std::fmt::{self, Display, Formatter};

/// What went wrong. The message of each is bash's, word for word.
///
/// `Copy` and a byte wide: the parser carries one in every result it
/// returns, and its recursion should not pay for more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithErrorKind {
    DivisionByZero,
    NegativeExponent,
    /// An operator, `)` or the end where an operand must be: `1 +`, `()`.
    OperandExpected,
    /// A byte that is no operator, after an operand: `1 @ 2`.
    InvalidOperator,
    /// A whole expression followed by more tokens: `2 3`, `1 )`.
    Syntax,
    MissingParen,
    /// Nothing between `?` and `:`, or after `:`.
    ExpressionExpected,
    ColonExpected,
    AssignToNonVariable,
    /// `++x++`, `--x--`: bash's message names the second operator.
    LvalueRequired {
        decrement: bool,
    },
    IdentifierExpected,
    /// A digit not below the base: `08`, `2#12`, `3a`.
    ValueTooGreat,
    /// Two bases in one number: `0x1#2`, `10#1#2`.
    InvalidNumber,
    InvalidBase,
    /// `base#` with no digit after it.
    InvalidConstant,
    /// `a[` with no matching `]`.
    BadSubscript,
    /// Variables whose values name each other without end, or nesting past
    /// what the stack can hold.
    Recursion,
    /// `set -u` and a variable that does not exist.
    Unbound,
    /// A message from the shell's side (`r: readonly variable`), printed
    /// as it is.
    Shell,
    /// An error already reported where it happened (a nameref that loops,
    /// a bad subscript at its end): nothing more to print.
    Reported,
}

impl ArithErrorKind {
    fn message(&self) -> &str {
        match self {
            Self::DivisionByZero => "division by 0",
            Self::NegativeExponent => "exponent less than 0",
            Self::OperandExpected => "syntax error: operand expected",
            Self::InvalidOperator => "syntax error: invalid arithmetic operator",
            Self::Syntax => "syntax error in expression",
            Self::MissingParen => "missing `)'",
            Self::ExpressionExpected => "expression expected",
            Self::ColonExpected => "`:' expected for conditional expression",
            Self::AssignToNonVariable => "attempted assignment to non-variable",
            Self::LvalueRequired { decrement: false } => "++: assignment requires lvalue",
            Self::LvalueRequired { decrement: true } => "--: assignment requires lvalue",
            Self::IdentifierExpected => "identifier expected after pre-increment or pre-decrement",
            Self::ValueTooGreat => "value too great for base",
            Self::InvalidNumber => "invalid number",
            Self::InvalidBase => "invalid arithmetic base",
            Self::InvalidConstant => "invalid integer constant",
            Self::BadSubscript => "bad array subscript",
            Self::Recursion => "expression recursion level exceeded",
            Self::Unbound => "unbound variable",
            Self::Shell | Self::Reported => "",
        }
    }
}

/// An arithmetic error, with the text and token bash would quote.
///
/// Boxed so that `Result<i64, ArithError>`, returned by every step of the
/// evaluator, stays two words wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArithError(Box<Detail>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Detail {
    kind: ArithErrorKind,
    /// The text quoted; the variable's name for [`ArithErrorKind::Unbound`],
    /// the whole message for [`ArithErrorKind::Shell`].
    expression: Box<[u8]>,
    token: Box<[u8]>,
}

impl ArithError {
    /// An error in `text` whose token starts at byte `at`. `end` cuts both
    /// the quoted text and the token short: bash does so for a bad number,
    /// which it reads with a NUL written after it (`1 + 08: value too great
    /// for base (error token is "08")`).
    pub(crate) fn in_text(
        kind: ArithErrorKind,
        text: &[u8],
        at: usize,
        end: Option<usize>,
    ) -> Self {
        let end = end.unwrap_or(text.len()).min(text.len());
        let text = &text[..end];
        // Bash skips blanks before the text, though not newlines.
        let start = text
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let token = text.get(at..).unwrap_or_default();
        ArithError(Box::new(Detail {
            kind,
            expression: text[start..].into(),
            token: token.into(),
        }))
    }

    /// The error `set -u` gives for reading `name` when it does not exist.
    pub fn unbound(name: &str) -> Self {
        Self::plain(ArithErrorKind::Unbound, name.as_bytes())
    }

    /// An error the shell's side has already reported.
    pub fn reported() -> Self {
        Self::plain(ArithErrorKind::Reported, b"")
    }

    /// Whether there is a message left to print.
    pub fn is_reported(&self) -> bool {
        self.0.kind == ArithErrorKind::Reported
    }

    /// An error the shell's side raised, shown as `message` alone.
    pub fn shell(message: impl Into<String>) -> Self {
        Self::plain(ArithErrorKind::Shell, message.into().as_bytes())
    }

    fn plain(kind: ArithErrorKind, text: &[u8]) -> Self {
        ArithError(Box::new(Detail {
            kind,
            expression: text.into(),
            token: Box::default(),
        }))
    }

    pub fn kind(&self) -> ArithErrorKind {
        self.0.kind
    }

    /// The message as bytes: the quoted text is the user's and need not be
    /// UTF-8, and bash writes it back unchanged.
    pub fn to_bytes(&self) -> Vec<u8> {
        let detail = &self.0;
        match detail.kind {
            ArithErrorKind::Unbound => [&detail.expression[..], b": unbound variable"].concat(),
            ArithErrorKind::Shell | ArithErrorKind::Reported => detail.expression.to_vec(),
            kind => {
                let mut out = detail.expression.to_vec();
                out.extend_from_slice(b": ");
                out.extend_from_slice(kind.message().as_bytes());
                out.extend_from_slice(b" (error token is \"");
                out.extend_from_slice(&detail.token);
                out.extend_from_slice(b"\")");
                out
            }
        }
    }
}

impl Display for ArithError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl std::error::Error for ArithError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_text_without_leading_blanks_and_token_to_the_end() {
        let e = ArithError::in_text(ArithErrorKind::DivisionByZero, b" \t1/0 ", 4, None);
        assert_eq!(e.to_string(), "1/0 : division by 0 (error token is \"0 \")");
    }

    #[test]
    fn leading_newline_is_kept_as_bash_keeps_it() {
        let e = ArithError::in_text(ArithErrorKind::Syntax, b"\n1 2", 3, None);
        assert_eq!(
            e.to_string(),
            "\n1 2: syntax error in expression (error token is \"2\")"
        );
    }

    #[test]
    fn a_bad_number_cuts_text_and_token() {
        let e = ArithError::in_text(ArithErrorKind::ValueTooGreat, b"1 + 08 + 2", 4, Some(6));
        assert_eq!(
            e.to_string(),
            "1 + 08: value too great for base (error token is \"08\")"
        );
    }

    #[test]
    fn token_past_the_end_is_empty() {
        let e = ArithError::in_text(ArithErrorKind::OperandExpected, b"1", 9, None);
        assert_eq!(
            e.to_string(),
            "1: syntax error: operand expected (error token is \"\")"
        );
    }

    #[test]
    fn shell_side_messages_print_alone() {
        assert_eq!(ArithError::unbound("y").to_string(), "y: unbound variable");
        assert_eq!(
            ArithError::shell("r: readonly variable").to_string(),
            "r: readonly variable"
        );
        assert_eq!(ArithError::unbound("y").kind(), ArithErrorKind::Unbound);
    }

    #[test]
    fn every_expression_message_is_bash_s() {
        let cases = [
            (ArithErrorKind::NegativeExponent, "exponent less than 0"),
            (
                ArithErrorKind::InvalidOperator,
                "syntax error: invalid arithmetic operator",
            ),
            (ArithErrorKind::MissingParen, "missing `)'"),
            (ArithErrorKind::ExpressionExpected, "expression expected"),
            (
                ArithErrorKind::ColonExpected,
                "`:' expected for conditional expression",
            ),
            (
                ArithErrorKind::AssignToNonVariable,
                "attempted assignment to non-variable",
            ),
            (
                ArithErrorKind::LvalueRequired { decrement: false },
                "++: assignment requires lvalue",
            ),
            (
                ArithErrorKind::LvalueRequired { decrement: true },
                "--: assignment requires lvalue",
            ),
            (
                ArithErrorKind::IdentifierExpected,
                "identifier expected after pre-increment or pre-decrement",
            ),
            (ArithErrorKind::InvalidNumber, "invalid number"),
            (ArithErrorKind::InvalidBase, "invalid arithmetic base"),
            (ArithErrorKind::InvalidConstant, "invalid integer constant"),
            (ArithErrorKind::BadSubscript, "bad array subscript"),
            (
                ArithErrorKind::Recursion,
                "expression recursion level exceeded",
            ),
        ];
        for (kind, message) in cases {
            let e = ArithError::in_text(kind, b"x", 0, None);
            assert_eq!(
                e.to_string(),
                format!("x: {message} (error token is \"x\")")
            );
        }
    }
}
