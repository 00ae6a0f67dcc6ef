//! Token rules: operators, redirection operators, names and reserved words,
//! each a nom parser over the bytes at the parser's position. Tokens never
//! span lines, so these rules see whole lines; words, which may (inside
//! quotes), are read by `word.rs`.

use nom::{
    IResult, Parser,
    bytes::complete::{tag, take_while, take_while1},
    character::complete::digit1,
    combinator::{opt, recognize},
    sequence::pair,
};

use crate::ast::RedirOp;

/// A token rule's result: what follows, and what it recognized.
pub type Lexed<'a, T> = IResult<&'a [u8], T>;

/// Bytes that end an unquoted word: blanks, newline and the operator bytes.
pub fn is_metachar(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

pub fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

pub fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `text` is a valid variable name.
pub fn is_name(text: &[u8]) -> bool {
    matches!(name(text), Ok((rest, _)) if rest.is_empty())
}

/// A variable name: a letter or `_`, then letters, digits and `_`.
pub fn name(i: &[u8]) -> Lexed<'_, &[u8]> {
    recognize(pair(take_while1(is_name_start), take_while(is_name_byte))).parse(i)
}

/// The control operators that separate commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    AndIf,
    OrIf,
    /// `;;`, `;&` and `;;&` end the items of a `case`.
    DoubleSemi,
    SemiAmp,
    DoubleSemiAmp,
    Semi,
    Amp,
    PipeBoth,
    Pipe,
    Newline,
    OpenParen,
    CloseParen,
}

impl Operator {
    pub fn text(self) -> &'static str {
        match self {
            Operator::AndIf => "&&",
            Operator::OrIf => "||",
            Operator::DoubleSemi => ";;",
            Operator::SemiAmp => ";&",
            Operator::DoubleSemiAmp => ";;&",
            Operator::Semi => ";",
            Operator::Amp => "&",
            Operator::PipeBoth => "|&",
            Operator::Pipe => "|",
            Operator::Newline => "newline",
            Operator::OpenParen => "(",
            Operator::CloseParen => ")",
        }
    }
}

/// A control operator. Redirection operators starting with `&` (`&>`) are
/// not control operators, so the redirection rule must be tried first.
///
/// A `match` on the first bytes rather than a dozen `tag`s in an `alt`: the
/// grammar asks for an operator after every command, so this is hot.
pub fn operator(i: &[u8]) -> Lexed<'_, Operator> {
    let (op, len) = match i {
        [b'&', b'&', ..] => (Operator::AndIf, 2),
        [b'|', b'|', ..] => (Operator::OrIf, 2),
        [b';', b';', b'&', ..] => (Operator::DoubleSemiAmp, 3),
        [b';', b';', ..] => (Operator::DoubleSemi, 2),
        [b';', b'&', ..] => (Operator::SemiAmp, 2),
        [b'|', b'&', ..] => (Operator::PipeBoth, 2),
        [b';', ..] => (Operator::Semi, 1),
        [b'&', ..] => (Operator::Amp, 1),
        [b'|', ..] => (Operator::Pipe, 1),
        [b'\n', ..] => (Operator::Newline, 1),
        [b'(', ..] => (Operator::OpenParen, 1),
        [b')', ..] => (Operator::CloseParen, 1),
        _ => return no_match(i),
    };
    Ok((&i[len..], op))
}

fn no_match<T>(i: &[u8]) -> Lexed<'_, T> {
    Err(nom::Err::Error(nom::error::Error::new(
        i,
        nom::error::ErrorKind::Tag,
    )))
}

/// A redirection operator and the descriptor number written before it: `2>>`,
/// `<`, `&>`, `<<-`. The number must touch the operator (`2>f`; `2 >f` is an
/// argument `2` and a redirection of standard output). The digits come back
/// as text: a number too big for a descriptor is an error of the
/// redirection, reported when it runs, not another word.
pub fn redirect_op(i: &[u8]) -> Lexed<'_, (Option<&[u8]>, RedirOp, bool)> {
    let (rest, digits) = opt(digit1).parse(i)?;
    // Longest first, as a `match` on the bytes: every token of every
    // command is tried here before it is tried as a word.
    let (op, len, strip_tabs) = match rest {
        [b'<', b'<', b'<', ..] => (RedirOp::HereString, 3, false),
        [b'<', b'<', b'-', ..] => (RedirOp::HereDoc, 3, true),
        [b'<', b'<', ..] => (RedirOp::HereDoc, 2, false),
        [b'&', b'>', b'>', ..] => (RedirOp::AppendBoth, 3, false),
        [b'&', b'>', ..] => (RedirOp::WriteBoth, 2, false),
        [b'>', b'>', ..] => (RedirOp::Append, 2, false),
        [b'>', b'&', ..] => (RedirOp::DupOutput, 2, false),
        [b'>', b'|', ..] => (RedirOp::Clobber, 2, false),
        [b'>', ..] => (RedirOp::Write, 1, false),
        [b'<', b'>', ..] => (RedirOp::ReadWrite, 2, false),
        [b'<', b'&', ..] => (RedirOp::DupInput, 2, false),
        [b'<', ..] => (RedirOp::Read, 1, false),
        _ => return no_match(i),
    };
    // `2&>f` is the word `2` followed by `&>f`, as in bash.
    if digits.is_some() && matches!(op, RedirOp::WriteBoth | RedirOp::AppendBoth) {
        return no_match(i);
    }
    Ok((&rest[len..], (digits, op, strip_tabs)))
}

/// The reserved words, recognized only where the grammar expects a command
/// (or, for `in`, `do` and `esac`, where those belong).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    If,
    Then,
    Elif,
    Else,
    Fi,
    Do,
    Done,
    Case,
    Esac,
    While,
    Until,
    For,
    In,
    Function,
    Select,
    Time,
    Coproc,
    Bang,
    OpenBrace,
    CloseBrace,
    OpenCond,
    CloseCond,
}

impl Keyword {
    pub fn text(self) -> &'static str {
        match self {
            Keyword::If => "if",
            Keyword::Then => "then",
            Keyword::Elif => "elif",
            Keyword::Else => "else",
            Keyword::Fi => "fi",
            Keyword::Do => "do",
            Keyword::Done => "done",
            Keyword::Case => "case",
            Keyword::Esac => "esac",
            Keyword::While => "while",
            Keyword::Until => "until",
            Keyword::For => "for",
            Keyword::In => "in",
            Keyword::Function => "function",
            Keyword::Select => "select",
            Keyword::Time => "time",
            Keyword::Coproc => "coproc",
            Keyword::Bang => "!",
            Keyword::OpenBrace => "{",
            Keyword::CloseBrace => "}",
            Keyword::OpenCond => "[[",
            Keyword::CloseCond => "]]",
        }
    }
}

/// A reserved word at the start of `i`, if the word there is exactly one
/// (`if` followed by a blank, newline, operator or the end; not `iffy`).
/// The word is cut at the first metacharacter and compared whole: the
/// grammar asks at every command, and trying 22 `tag`s one after another
/// cost more than the rest of reading `/bin/true`.
pub fn keyword(i: &[u8]) -> Lexed<'_, Keyword> {
    let len = i.iter().position(|&b| is_metachar(b)).unwrap_or(i.len());
    let keyword = match &i[..len] {
        b"if" => Keyword::If,
        b"then" => Keyword::Then,
        b"elif" => Keyword::Elif,
        b"else" => Keyword::Else,
        b"fi" => Keyword::Fi,
        b"done" => Keyword::Done,
        b"do" => Keyword::Do,
        b"case" => Keyword::Case,
        b"esac" => Keyword::Esac,
        b"while" => Keyword::While,
        b"until" => Keyword::Until,
        b"for" => Keyword::For,
        b"in" => Keyword::In,
        b"function" => Keyword::Function,
        b"select" => Keyword::Select,
        b"time" => Keyword::Time,
        b"coproc" => Keyword::Coproc,
        b"!" => Keyword::Bang,
        b"{" => Keyword::OpenBrace,
        b"}" => Keyword::CloseBrace,
        b"[[" => Keyword::OpenCond,
        b"]]" => Keyword::CloseCond,
        _ => return no_match(i),
    };
    Ok((&i[len..], keyword))
}

/// The start of an assignment: `NAME=`, `NAME+=` or `NAME[` (a subscript
/// follows). Returns the name and what follows it.
pub fn assignment_start(i: &[u8]) -> Lexed<'_, (&[u8], AssignStart)> {
    let (rest, name) = name(i)?;
    match rest {
        [b'=', ..] => Ok((&rest[1..], (name, AssignStart::Equals))),
        [b'+', b'=', ..] => Ok((&rest[2..], (name, AssignStart::PlusEquals))),
        [b'[', ..] => Ok((&rest[1..], (name, AssignStart::Subscript))),
        _ => no_match(i),
    }
}

/// What follows the name at the start of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignStart {
    Equals,
    PlusEquals,
    /// `[`: a subscript, then `=` or `+=`.
    Subscript,
}

/// A descriptor number as text, to a number: `None` when it is too big
/// for one.
pub fn descriptor(digits: &[u8]) -> Option<i32> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether the blanks-and-comment rule would skip anything at `i`.
pub fn blanks_len(i: &[u8]) -> usize {
    let blanks = i.iter().take_while(|&&b| is_blank(b)).count();
    match i.get(blanks) {
        Some(b'#') => blanks + crate::bytes::find(b'\n', &i[blanks..]).unwrap_or(i.len() - blanks),
        _ => blanks,
    }
}

/// `function`, `(`… tested by the grammar: whether `i` starts with `()`
/// (blanks allowed between), as after a function's name.
pub fn empty_parens(i: &[u8]) -> Option<usize> {
    let (rest, _) = (
        tag::<_, _, nom::error::Error<&[u8]>>("("),
        take_while(is_blank),
        tag(")"),
    )
        .parse(i)
        .ok()?;
    Some(i.len() - rest.len())
}

/// How many compound commands are still open after `line`, when `depth`
/// were open before it: a rough count of the words that open (`if`, `for`,
/// `{`…) and close (`fi`, `done`, `}`…) them where a command starts. Used
/// only to skip the rest of a construct a syntax error broke.
pub fn nesting_after(line: &[u8], mut depth: usize) -> usize {
    let mut command_position = true;
    let mut i = line;
    while let Some(&b) = i.first() {
        if is_blank(b) {
            i = &i[1..];
            continue;
        }
        if b == b'#' {
            break;
        }
        if let Ok((rest, _)) = operator(i) {
            i = rest;
            command_position = true;
            continue;
        }
        let len = i.iter().take_while(|&&b| !is_metachar(b)).count().max(1);
        let word = &i[..len];
        i = &i[len..];
        if !command_position {
            continue;
        }
        match word {
            b"if" | b"for" | b"while" | b"until" | b"case" | b"select" | b"{" => depth += 1,
            b"fi" | b"done" | b"esac" | b"}" => depth = depth.saturating_sub(1),
            _ => {}
        }
        command_position = matches!(
            word,
            b"do" | b"then" | b"else" | b"elif" | b"{" | b"!" | b"if" | b"while" | b"until"
        );
        if depth == 0 {
            return 0;
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_longest_first() {
        assert_eq!(operator(b";;& x").unwrap().1, Operator::DoubleSemiAmp);
        assert_eq!(operator(b";& x").unwrap().1, Operator::SemiAmp);
        assert_eq!(operator(b";;").unwrap().1, Operator::DoubleSemi);
        assert_eq!(operator(b"|&").unwrap().1, Operator::PipeBoth);
        assert!(operator(b"x").is_err());
    }

    #[test]
    fn redirection_operators_with_their_numbers() {
        let (rest, (fd, op, strip)) = redirect_op(b"2>>f").unwrap();
        assert_eq!(
            (fd, op, strip, rest),
            (Some(&b"2"[..]), RedirOp::Append, false, &b"f"[..])
        );
        assert_eq!(redirect_op(b"<<-EOF").unwrap().1.1, RedirOp::HereDoc);
        assert!(redirect_op(b"<<-EOF").unwrap().1.2);
        assert_eq!(redirect_op(b"<<<x").unwrap().1.1, RedirOp::HereString);
        assert_eq!(redirect_op(b">|f").unwrap().1.1, RedirOp::Clobber);
        assert!(redirect_op(b"2&>f").is_err());
        assert_eq!(
            redirect_op(b"99999999999>f").unwrap().1.0,
            Some(&b"99999999999"[..])
        );
    }

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(keyword(b"if true").unwrap().1, Keyword::If);
        assert_eq!(keyword(b"done;").unwrap().1, Keyword::Done);
        assert_eq!(keyword(b"do\n").unwrap().1, Keyword::Do);
        assert!(keyword(b"iffy").is_err());
        assert!(keyword(b"{x").is_err());
        assert_eq!(keyword(b"}").unwrap().1, Keyword::CloseBrace);
    }

    #[test]
    fn assignment_starts() {
        assert_eq!(
            assignment_start(b"a=1").unwrap().1,
            (&b"a"[..], AssignStart::Equals)
        );
        assert_eq!(
            assignment_start(b"a+=1").unwrap().1,
            (&b"a"[..], AssignStart::PlusEquals)
        );
        assert_eq!(
            assignment_start(b"a[1]=1").unwrap().1,
            (&b"a"[..], AssignStart::Subscript)
        );
        assert!(assignment_start(b"1a=1").is_err());
        assert!(assignment_start(b"a").is_err());
    }
}
