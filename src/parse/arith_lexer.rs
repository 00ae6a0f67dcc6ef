//! The tokens of arithmetic text: numbers in every base bash reads,
//! names with their subscripts, and operators, some of which mean what the
//! token before them says. Each rule is a nom parser over bytes.

use nom::{
    IResult,
    bytes::complete::{take_while, take_while1},
    error::{ErrorKind, ParseError},
};

use crate::ast::arith::{AssignOp, BinaryOp};
use crate::parse::arith_error::ArithErrorKind;

/// The parser's error: where bash's reader stood, and what is wrong.
#[derive(Debug)]
pub(crate) struct PError<'a> {
    /// The text from the error token on.
    pub input: &'a [u8],
    pub kind: ArithErrorKind,
    /// For a bad number: its length, where bash ends text and token.
    pub token_len: Option<u32>,
}

impl<'a> ParseError<&'a [u8]> for PError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        PError {
            input,
            kind: ArithErrorKind::Syntax,
            token_len: None,
        }
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

pub(crate) type PResult<'a, T> = IResult<&'a [u8], T, PError<'a>>;

pub(crate) fn failure<T>(input: &[u8], kind: ArithErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(PError {
        input,
        kind,
        token_len: None,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    End,
    Number(i64),
    /// A name, with the raw text of its subscript if it has one.
    Name {
        name: &'a [u8],
        index: Option<&'a [u8]>,
    },
    Op(Op),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Also unary `+` and `-`, which the grammar tells by position.
    Binary(BinaryOp),
    /// `=` and every `op=`.
    Assign(AssignOp),
    Power,
    Not,
    BitNot,
    Question,
    Colon,
    Comma,
    Open,
    Close,
    PreIncrement,
    PreDecrement,
    PostIncrement,
    PostDecrement,
}

/// What the last token was, where that changes how bash reads the next:
/// its `curtok` and `lasttok`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Before {
    /// The start or an operator: an operand comes next. A stray byte here
    /// is "operand expected".
    Operator,
    /// A name: `++` after it increments it.
    Name,
    /// A number, or `x++`: a stray byte here is "invalid arithmetic
    /// operator", and `++` is two pluses unless a name follows.
    Number,
    /// `++x` or `--x`: a `++` or `--` straight after is an error.
    PreIncDec,
    /// `)`: like an operator for a stray byte, like a number for `++`.
    CloseParen,
}

/// Bash's blanks between tokens: space, tab and newline.
fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

pub(crate) fn skip_blanks(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|&&b| is_blank(b)).count();
    &i[n..]
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The bytes of a number token: bash reads them all, then judges them.
fn is_number_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'#' | b'@' | b'_')
}

/// The next token, `i` starting at it. For a name, bash reads the token
/// after it too (to see whether `=` follows), and the one after that if it
/// is a name again: an error in those shows before any error of the
/// grammar (`x 08` is "value too great for base"), so they are read here.
pub(crate) fn token(i: &[u8], before: Before) -> PResult<'_, Token<'_>> {
    let (rest, token) = lex(i, before)?;
    if let Token::Name { .. } = token {
        let mut ahead = rest;
        while let (after, Token::Name { .. }) = lex(skip_blanks(ahead), Before::Name)? {
            ahead = after;
        }
    }
    Ok((rest, token))
}

fn lex(i: &[u8], before: Before) -> PResult<'_, Token<'_>> {
    match i.first() {
        None => Ok((i, Token::End)),
        Some(&b) if is_name_start(b) => name(i),
        Some(b) if b.is_ascii_digit() => number(i),
        Some(_) => operator(i, before),
    }
}

fn name(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (rest, name) = take_while1(is_name_byte)(i)?;
    if rest.first() != Some(&b'[') {
        return Ok((rest, Token::Name { name, index: None }));
    }
    match subscript_end(rest) {
        Some(close) => {
            let index = Some(&rest[1..close]);
            Ok((&rest[close + 1..], Token::Name { name, index }))
        }
        None => failure(i, ArithErrorKind::BadSubscript),
    }
}

/// Where the `]` closing the `[` at `s[0]` is: brackets nest, and a
/// backslash or quotes hide a bracket, as in bash's `skipsubscript`.
fn subscript_end(s: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\'' | b'`' => i += 1 + s.get(i + 1..)?.iter().position(|&c| c == b)?,
            b'"' => i += 1 + closing_double_quote(s.get(i + 1..)?)?,
            _ => {}
        }
        i += 1;
    }
    None
}

fn closing_double_quote(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        match b {
            b'\\' => i += 1,
            b'"' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn number(i: &[u8]) -> PResult<'_, Token<'_>> {
    let (rest, digits) = take_while(is_number_byte)(i)?;
    match literal(digits) {
        Ok(value) => Ok((rest, Token::Number(value))),
        Err(kind) => Err(nom::Err::Failure(PError {
            input: i,
            kind,
            token_len: Some(u32::try_from(digits.len()).unwrap_or(u32::MAX)),
        })),
    }
}

/// The value of a number token: decimal, `0` octal, `0x` hexadecimal or
/// `base#digits` with a base from 2 to 64. Digits past 9 are letters, then
/// (above base 36, where case matters) capitals, `@` and `_`. Too many
/// digits wrap, as in bash.
fn literal(digits: &[u8]) -> Result<i64, ArithErrorKind> {
    let (mut base, rest, mut has_base) = match digits {
        [b'0'] => return Ok(0),
        [b'0', b'x' | b'X', rest @ ..] => (16, rest, true),
        [b'0', rest @ ..] => (8, rest, true),
        _ => (10, digits, false),
    };
    let mut value: i64 = 0;
    for (at, &b) in rest.iter().enumerate() {
        if b == b'#' {
            if has_base {
                return Err(ArithErrorKind::InvalidNumber);
            }
            if !(2..=64).contains(&value) {
                return Err(ArithErrorKind::InvalidBase);
            }
            base = value;
            value = 0;
            has_base = true;
            if rest.get(at + 1).is_none_or(|&next| next == b'#') {
                return Err(ArithErrorKind::InvalidConstant);
            }
            continue;
        }
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            b'A'..=b'Z' if base <= 36 => b - b'A' + 10,
            b'A'..=b'Z' => b - b'A' + 36,
            b'@' => 62,
            _ => 63,
        };
        if i64::from(digit) >= base {
            return Err(ArithErrorKind::ValueTooGreat);
        }
        value = value.wrapping_mul(base).wrapping_add(i64::from(digit));
    }
    Ok(value)
}

/// An operator: the longest bash knows, except where [`Before`] decides.
fn operator(i: &[u8], before: Before) -> PResult<'_, Token<'_>> {
    use BinaryOp as B;
    let at = |n: usize| i.get(n).copied().unwrap_or(0);
    let (c, c1, c2) = (at(0), at(1), at(2));
    if let (Some(op), b'=') = (compound(c), c1) {
        return Ok((&i[2..], Token::Op(Op::Assign(op))));
    }
    let (op, len) = match (c, c1) {
        (b'=', b'=') => (Op::Binary(B::Equal), 2),
        (b'!', b'=') => (Op::Binary(B::NotEqual), 2),
        (b'>', b'=') => (Op::Binary(B::GreaterEqual), 2),
        (b'<', b'=') => (Op::Binary(B::LessEqual), 2),
        (b'<', b'<') if c2 == b'=' => (Op::Assign(AssignOp::ShiftLeft), 3),
        (b'<', b'<') => (Op::Binary(B::ShiftLeft), 2),
        (b'>', b'>') if c2 == b'=' => (Op::Assign(AssignOp::ShiftRight), 3),
        (b'>', b'>') => (Op::Binary(B::ShiftRight), 2),
        (b'&', b'&') => (Op::Binary(B::And), 2),
        (b'|', b'|') => (Op::Binary(B::Or), 2),
        (b'*', b'*') => (Op::Power, 2),
        (b'+' | b'-', _) if c1 == c => return increment(i, before),
        _ => match single(c) {
            Some(op) => (op, 1),
            None => {
                let kind = match before {
                    Before::Operator | Before::CloseParen => ArithErrorKind::OperandExpected,
                    _ => ArithErrorKind::InvalidOperator,
                };
                return failure(i, kind);
            }
        },
    };
    Ok((&i[len..], Token::Op(op)))
}

/// `++` or `--`, whose meaning the token before decides.
fn increment(i: &[u8], before: Before) -> PResult<'_, Token<'_>> {
    let plus = i.first() == Some(&b'+');
    match before {
        Before::Name => {
            let op = if plus {
                Op::PostIncrement
            } else {
                Op::PostDecrement
            };
            Ok((&i[2..], Token::Op(op)))
        }
        Before::PreIncDec => failure(i, ArithErrorKind::LvalueRequired { decrement: !plus }),
        _ if skip_blanks(&i[2..])
            .first()
            .is_some_and(|&b| is_name_start(b)) =>
        {
            let op = if plus {
                Op::PreIncrement
            } else {
                Op::PreDecrement
            };
            Ok((&i[2..], Token::Op(op)))
        }
        _ => {
            let op = if plus {
                BinaryOp::Add
            } else {
                BinaryOp::Subtract
            };
            Ok((&i[1..], Token::Op(Op::Binary(op))))
        }
    }
}

fn compound(c: u8) -> Option<AssignOp> {
    Some(match c {
        b'*' => AssignOp::Multiply,
        b'/' => AssignOp::Divide,
        b'%' => AssignOp::Remainder,
        b'+' => AssignOp::Add,
        b'-' => AssignOp::Subtract,
        b'&' => AssignOp::BitAnd,
        b'^' => AssignOp::BitXor,
        b'|' => AssignOp::BitOr,
        _ => return None,
    })
}

fn single(c: u8) -> Option<Op> {
    use BinaryOp as B;
    Some(match c {
        b'=' => Op::Assign(AssignOp::Set),
        b'>' => Op::Binary(B::Greater),
        b'<' => Op::Binary(B::Less),
        b'+' => Op::Binary(B::Add),
        b'-' => Op::Binary(B::Subtract),
        b'*' => Op::Binary(B::Multiply),
        b'/' => Op::Binary(B::Divide),
        b'%' => Op::Binary(B::Remainder),
        b'&' => Op::Binary(B::BitAnd),
        b'^' => Op::Binary(B::BitXor),
        b'|' => Op::Binary(B::BitOr),
        b'!' => Op::Not,
        b'~' => Op::BitNot,
        b'(' => Op::Open,
        b')' => Op::Close,
        b'?' => Op::Question,
        b':' => Op::Colon,
        b',' => Op::Comma,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, before: Before) -> Token<'_> {
        match token(text.as_bytes(), before) {
            Ok((_, token)) => token,
            Err(e) => panic!("{text:?} did not lex: {e:?}"),
        }
    }

    fn kind(text: &str, before: Before) -> Option<ArithErrorKind> {
        match token(text.as_bytes(), before) {
            Err(nom::Err::Failure(e)) => Some(e.kind),
            _ => None,
        }
    }

    #[test]
    fn decimal_octal_and_hexadecimal_literals() {
        let cases = [
            ("42", 42),
            ("0", 0),
            ("010", 8),
            ("00", 0),
            ("0x1f", 31),
            ("0X1F", 31),
            ("0x", 0),
        ];
        for (text, value) in cases {
            assert_eq!(literal(text.as_bytes()), Ok(value), "{text}");
        }
    }

    #[test]
    fn based_literals() {
        let cases = [
            ("2#101", 5),
            ("10#08", 8),
            ("16#fF", 255),
            ("36#z", 35),
            ("36#Z", 35),
            ("62#Z", 36 + 25),
            ("37#a", 10),
            ("64#@", 62),
            ("64#_", 63),
            ("64#@_", 62 * 64 + 63),
        ];
        for (text, value) in cases {
            assert_eq!(literal(text.as_bytes()), Ok(value), "{text}");
        }
    }

    #[test]
    fn literals_wrap_as_bash_s_do() {
        let cases = [
            ("9223372036854775808", i64::MIN),
            ("99999999999999999999", 7766279631452241919),
            ("0xffffffffffffffff", -1),
            ("0xffffffffffffffffff", -1),
        ];
        for (text, value) in cases {
            assert_eq!(literal(text.as_bytes()), Ok(value), "{text}");
        }
    }

    #[test]
    fn bad_literals() {
        use ArithErrorKind as K;
        let cases = [
            ("08", K::ValueTooGreat),
            ("3a", K::ValueTooGreat),
            ("37#Z", K::ValueTooGreat),
            ("1#1", K::InvalidBase),
            ("65#1", K::InvalidBase),
            ("2#", K::InvalidConstant),
            ("2##1", K::InvalidConstant),
            ("0x1#2", K::InvalidNumber),
            ("0#1", K::InvalidNumber),
        ];
        for (text, expected) in cases {
            assert_eq!(literal(text.as_bytes()), Err(expected), "{text}");
        }
    }

    #[test]
    fn a_number_token_takes_every_byte_bash_takes() {
        let Ok((rest, _)) = token(b"64#1a_@+2", Before::Operator) else {
            panic!("does not lex");
        };
        assert_eq!(rest, b"+2");
        assert_eq!(kind("64#1a_@+2", Before::Operator), None);
        assert_eq!(
            kind("1_0", Before::Operator),
            Some(ArithErrorKind::ValueTooGreat)
        );
    }

    #[test]
    fn the_longest_operator_wins() {
        use BinaryOp as B;
        let cases = [
            ("<<=", Op::Assign(AssignOp::ShiftLeft)),
            ("<<", Op::Binary(B::ShiftLeft)),
            ("<=", Op::Binary(B::LessEqual)),
            ("**=", Op::Power),
            ("*=", Op::Assign(AssignOp::Multiply)),
            ("&&=", Op::Binary(B::And)),
            ("==", Op::Binary(B::Equal)),
            ("=", Op::Assign(AssignOp::Set)),
            ("!=", Op::Binary(B::NotEqual)),
            ("!", Op::Not),
        ];
        for (text, op) in cases {
            assert_eq!(one(text, Before::Number), Token::Op(op), "{text}");
        }
    }

    #[test]
    fn plus_plus_by_the_token_before() {
        let post = Token::Op(Op::PostIncrement);
        let pre = Token::Op(Op::PreIncrement);
        let plus = Token::Op(Op::Binary(BinaryOp::Add));
        assert_eq!(one("++", Before::Name), post);
        assert_eq!(one("++ 1", Before::Name), post);
        assert_eq!(one("++x", Before::Operator), pre);
        assert_eq!(one("++ \n x", Before::Operator), pre);
        assert_eq!(one("++1", Before::Operator), plus);
        assert_eq!(one("++x", Before::Number), pre);
        assert_eq!(one("++1", Before::Number), plus);
        assert_eq!(one("++x", Before::CloseParen), pre);
        assert_eq!(one("--", Before::Name), Token::Op(Op::PostDecrement));
        let lvalue = Some(ArithErrorKind::LvalueRequired { decrement: true });
        assert_eq!(kind("--", Before::PreIncDec), lvalue);
    }

    #[test]
    fn a_stray_byte_is_named_by_the_token_before() {
        let expected = Some(ArithErrorKind::OperandExpected);
        assert_eq!(kind("@", Before::Operator), expected);
        assert_eq!(kind("@", Before::CloseParen), expected);
        let expected = Some(ArithErrorKind::InvalidOperator);
        for before in [Before::Name, Before::Number, Before::PreIncDec] {
            assert_eq!(kind("@", before), expected);
        }
    }

    #[test]
    fn subscripts_nest_and_hide_brackets_in_quotes() {
        assert_eq!(subscript_end(b"[1]"), Some(2));
        assert_eq!(subscript_end(b"[a[1]]+"), Some(5));
        assert_eq!(subscript_end(b"[']']"), Some(4));
        assert_eq!(subscript_end(b"[\"]\\\"]\"]"), Some(7));
        assert_eq!(subscript_end(b"[\\]]"), Some(3));
        assert_eq!(subscript_end(b"[`]`]"), Some(4));
        assert_eq!(subscript_end(b"[1"), None);
        assert_eq!(subscript_end(b"['1]"), None);
        let name = one("a[i + 1]", Before::Operator);
        let expected = Token::Name {
            name: b"a",
            index: Some(b"i + 1"),
        };
        assert_eq!(name, expected);
    }

    #[test]
    fn a_name_reads_the_names_after_it() {
        assert_eq!(
            kind("x 08", Before::Operator),
            Some(ArithErrorKind::ValueTooGreat)
        );
        assert_eq!(
            kind("x y z 08", Before::Operator),
            Some(ArithErrorKind::ValueTooGreat)
        );
        assert_eq!(kind("x + 08", Before::Operator), None);
        assert_eq!(
            kind("x y[", Before::Operator),
            Some(ArithErrorKind::BadSubscript)
        );
    }
}
