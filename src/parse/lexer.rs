//! Token-level rules: blanks and comments, operators, redirection operators
//! and words with their quoting. Each rule is a nom parser over bytes named
//! for what it recognizes; the grammar composes them.

use nom::{
    Parser,
    bytes::complete::{take_while, take_while1},
    character::complete::digit1,
    combinator::{map, opt},
};

use super::{Fail, PResult};
use crate::ast::{Param, RedirOp, Word, WordPart};

/// Bytes that end an unquoted word: blanks, newline and the operator bytes.
pub fn is_metachar(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

/// Bytes that start something other than plain text inside an unquoted
/// word, as a table: the lexer asks for every byte of every word.
fn is_word_special(b: u8) -> bool {
    const SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        let bytes = b" \t\n;&|<>()'\"\\$`";
        let mut i = 0;
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        table
    };
    SPECIAL[usize::from(b)]
}

pub fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

pub fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Spaces, tabs and a comment: everything between tokens that means
/// nothing. A `#` starts a comment only where a token could start, so
/// `a#b` stays one word. (Escaped newlines are gone before tokens are read:
/// see `continuation`.)
pub fn blanks(mut i: &[u8]) -> PResult<'_, ()> {
    loop {
        match i {
            [b' ' | b'\t', rest @ ..] => i = rest,
            [b'#', ..] => {
                let end = memchr_newline(i);
                i = &i[end..];
            }
            _ => return Ok((i, ())),
        }
    }
}

fn memchr_newline(i: &[u8]) -> usize {
    memchr::memchr(b'\n', i).unwrap_or(i.len())
}

/// The control operators that separate commands, longest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    AndIf,
    OrIf,
    DoubleSemi,
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
/// A `match` on the first two bytes rather than ten `tag`s in an `alt`: the
/// grammar asks for an operator after every command, so this is hot.
pub fn operator(i: &[u8]) -> PResult<'_, Operator> {
    let (op, len) = match i {
        [b'&', b'&', ..] => (Operator::AndIf, 2),
        [b'|', b'|', ..] => (Operator::OrIf, 2),
        [b';', b';', ..] => (Operator::DoubleSemi, 2),
        [b'|', b'&', ..] => (Operator::PipeBoth, 2),
        [b';', ..] => (Operator::Semi, 1),
        [b'&', ..] => (Operator::Amp, 1),
        [b'|', ..] => (Operator::Pipe, 1),
        [b'\n', ..] => (Operator::Newline, 1),
        [b'(', ..] => (Operator::OpenParen, 1),
        [b')', ..] => (Operator::CloseParen, 1),
        _ => return Fail::backtrack(i),
    };
    Ok((&i[len..], op))
}

/// A redirection operator with its optional descriptor number: `2>>`, `<`,
/// `&>`. The number must touch the operator (`2>f`; `2 >f` is an argument
/// `2` and a redirection of standard output).
pub fn redirect_op(i: &[u8]) -> PResult<'_, (Option<i32>, RedirOp)> {
    let (rest, fd) = opt(digit1).parse(i)?;
    // Longest first, as a `match` on the bytes: every token of every
    // command is tried here before it is tried as a word.
    let (op, len) = match rest {
        [b'<', b'<', ..] => {
            return Fail::unsupported(i, "here-documents and here-strings (<<) are");
        }
        [b'&', b'>', b'>', ..] => (RedirOp::AppendBoth, 3),
        [b'&', b'>', ..] => (RedirOp::WriteBoth, 2),
        [b'>', b'>', ..] => (RedirOp::Append, 2),
        [b'>', b'&', ..] => (RedirOp::DupOutput, 2),
        [b'>', b'|', ..] => (RedirOp::Write, 2),
        [b'>', ..] => (RedirOp::Write, 1),
        [b'<', b'>', ..] => (RedirOp::ReadWrite, 2),
        [b'<', b'&', ..] => (RedirOp::DupInput, 2),
        [b'<', ..] => (RedirOp::Read, 1),
        _ => return Fail::backtrack(i),
    };
    let rest = &rest[len..];
    let fd = match fd {
        // `2&>f` is the word `2` followed by `&>f`, as in bash.
        Some(_) if matches!(op, RedirOp::WriteBoth | RedirOp::AppendBoth) => {
            return Fail::backtrack(i);
        }
        Some(digits) => match std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
        {
            Some(fd) => Some(fd),
            None => return Fail::token(i, String::from_utf8_lossy(digits).into_owned()),
        },
        None => None,
    };
    Ok((rest, (fd, op)))
}

/// A variable name: a letter or `_`, then letters, digits and `_`.
pub fn name(i: &[u8]) -> PResult<'_, &[u8]> {
    let (rest, _) = take_while1(is_name_start).parse(i)?;
    let (rest, _) = take_while(is_name_byte).parse(rest)?;
    Ok((rest, &i[..i.len() - rest.len()]))
}

/// A word: quoted and unquoted parts with no blank or operator between them.
/// Fails (recoverably) when no word starts here.
pub fn word(i: &[u8]) -> PResult<'_, Word> {
    let (rest, mut parts) = word_parts(i)?;
    if rest.len() == i.len() {
        return Fail::backtrack(i);
    }
    mark_tilde(&mut parts, false);
    Ok((rest, Word { parts }))
}

/// The value of an assignment (`NAME=` already consumed): possibly empty,
/// and with `~` expanded after every `:` too, as in `PATH=~/bin:~/sbin`.
pub fn assignment_value(i: &[u8]) -> PResult<'_, Word> {
    let (rest, mut parts) = word_parts(i)?;
    mark_tilde(&mut parts, true);
    Ok((rest, Word { parts }))
}

/// The parts of one word, up to the first unquoted metacharacter.
fn word_parts(mut i: &[u8]) -> PResult<'_, Vec<WordPart>> {
    let mut parts: Vec<WordPart> = Vec::new();
    loop {
        let part;
        (i, part) = match i.first() {
            None => break,
            Some(&b) if is_metachar(b) => break,
            Some(b'\'') => single_quoted(i)?,
            Some(b'"') => double_quoted(i)?,
            Some(b'\\') => match i.get(1) {
                None => return Fail::end(i),
                // Escaping a non-ASCII byte changes nothing (none is special),
                // and keeping it a literal keeps multi-byte characters whole.
                Some(&escaped) if !escaped.is_ascii() => (&i[1..], None),
                Some(&escaped) => (&i[2..], Some(WordPart::Escaped(escaped))),
            },
            Some(b'$') => dollar(i)?,
            Some(b'`') => return Fail::unsupported(i, "command substitution (`…`) is"),
            Some(_) => {
                let (rest, text) = take_while1(|b| !is_word_special(b)).parse(i)?;
                (rest, Some(WordPart::Literal(text.to_vec())))
            }
        };
        if let Some(part) = part {
            push_part(&mut parts, part);
        }
    }
    Ok((i, parts))
}

/// Appends a part, merging adjacent literals so `a\nb` (escaped newline
/// removed) is one literal, as the user sees it.
fn push_part(parts: &mut Vec<WordPart>, part: WordPart) {
    if let (Some(WordPart::Literal(last)), WordPart::Literal(text)) = (parts.last_mut(), &part) {
        last.extend_from_slice(text);
    } else {
        parts.push(part);
    }
}

/// `'…'`: everything up to the next `'` is literal, newlines included.
fn single_quoted(i: &[u8]) -> PResult<'_, Option<WordPart>> {
    let body = &i[1..];
    match body.iter().position(|&b| b == b'\'') {
        Some(end) => Ok((
            &body[end + 1..],
            Some(WordPart::SingleQuoted(body[..end].to_vec())),
        )),
        None => Fail::unclosed(i, b'\''),
    }
}

/// `"…"`: literal text and `$` expansions; a backslash escapes only
/// `$`, `` ` ``, `"`, `\` and newline, and is kept before anything else.
fn double_quoted(open: &[u8]) -> PResult<'_, Option<WordPart>> {
    let mut i = &open[1..];
    let mut parts = Vec::new();
    loop {
        let part;
        (i, part) = match i.first() {
            None => return Fail::unclosed(open, b'"'),
            Some(b'"') => return Ok((&i[1..], Some(WordPart::DoubleQuoted(parts)))),
            Some(b'\\') => match i.get(1) {
                None => return Fail::unclosed(open, b'"'),
                Some(&c @ (b'$' | b'`' | b'"' | b'\\')) => {
                    (&i[2..], Some(WordPart::Literal(vec![c])))
                }
                Some(_) => (&i[1..], Some(WordPart::Literal(vec![b'\\']))),
            },
            Some(b'$') => dollar(i)?,
            Some(b'`') => return Fail::unsupported(i, "command substitution (`…`) is"),
            Some(_) => {
                let (rest, text) =
                    take_while1(|b| !matches!(b, b'"' | b'\\' | b'$' | b'`')).parse(i)?;
                (rest, Some(WordPart::Literal(text.to_vec())))
            }
        };
        if let Some(part) = part {
            push_part(&mut parts, part);
        }
    }
}

/// `$` and what follows it. A `$` that starts no expansion is literal.
fn dollar(i: &[u8]) -> PResult<'_, Option<WordPart>> {
    let after = &i[1..];
    let special = |c: u8| match c {
        b'?' => Some(Param::Status),
        b'$' => Some(Param::ShellPid),
        b'!' => Some(Param::LastBackground),
        b'#' => Some(Param::Count),
        b'@' => Some(Param::AllSeparate),
        b'*' => Some(Param::AllJoined),
        b'-' => Some(Param::Options),
        d @ b'0'..=b'9' => Some(Param::Positional(usize::from(d - b'0'))),
        _ => None,
    };
    match after.first() {
        Some(b'{') => braced_param(i),
        Some(b'(') => Fail::unsupported(i, "command substitution and arithmetic ($(…)) are"),
        Some(b'\'') => Fail::unsupported(i, "ANSI-C quoting ($'…') is"),
        Some(&c) if is_name_start(c) => map(name, |n: &[u8]| {
            Some(WordPart::Param(Param::Named(ascii(n))))
        })
        .parse(after),
        Some(&c) => match special(c) {
            Some(param) => Ok((&after[1..], Some(WordPart::Param(param)))),
            None => Ok((after, Some(WordPart::Literal(b"$".to_vec())))),
        },
        None => Ok((after, Some(WordPart::Literal(b"$".to_vec())))),
    }
}

/// `${NAME}`, `${10}`, `${?}`…; operators such as `${x:-y}` come later.
fn braced_param(i: &[u8]) -> PResult<'_, Option<WordPart>> {
    let inner = &i[2..];
    let close = match inner.iter().position(|&b| b == b'}') {
        Some(close) => close,
        None => return Fail::unclosed(i, b'{'),
    };
    let body = &inner[..close];
    let param = match body {
        [b'?'] => Param::Status,
        [b'$'] => Param::ShellPid,
        [b'!'] => Param::LastBackground,
        [b'#'] => Param::Count,
        [b'@'] => Param::AllSeparate,
        [b'*'] => Param::AllJoined,
        [b'-'] => Param::Options,
        [first, ..] if first.is_ascii_digit() && body.iter().all(u8::is_ascii_digit) => {
            match ascii(body).parse() {
                Ok(n) => Param::Positional(n),
                Err(_) => return Fail::bad_substitution(i),
            }
        }
        [first, ..] if is_name_start(*first) && body.iter().all(|&b| is_name_byte(b)) => {
            Param::Named(ascii(body))
        }
        [first, ..] => {
            // `${#x}` (a length) and `${x:-y}`-style operators are real
            // bash, not yet run here; anything else is malformed.
            let is_name_or_digit = |b: &u8| is_name_byte(*b);
            let name_len = body.iter().take_while(|b| is_name_or_digit(b)).count();
            let operator = body.get(name_len).copied();
            let is_length = *first == b'#' && body.len() > 1;
            let has_operator = name_len > 0
                && matches!(
                    operator,
                    Some(b':' | b'-' | b'=' | b'?' | b'+' | b'#' | b'%' | b'/' | b'^' | b',')
                );
            if is_length || has_operator {
                return Fail::unsupported(i, "parameter operators such as ${x:-y} are");
            }
            return Fail::bad_substitution(i);
        }
        _ => return Fail::bad_substitution(i),
    };
    Ok((&inner[close + 1..], Some(WordPart::Param(param))))
}

/// Names are ASCII by construction; this turns their bytes into a `String`.
fn ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Turns an unquoted `~` or `~user` into a [`WordPart::Tilde`] where the
/// shell expands it: at the start of the word, and in assignments also after
/// each `:`. The prefix runs to the first `/` (or `:` in assignments); a
/// prefix that runs into a quote or expansion is left literal, as in bash.
fn mark_tilde(parts: &mut Vec<WordPart>, after_colons: bool) {
    let Some(WordPart::Literal(first)) = parts.first() else {
        return;
    };
    let may_expand = match after_colons {
        false => first.first() == Some(&b'~'),
        true => first.contains(&b'~'),
    };
    if !may_expand {
        return;
    }
    let only_part = parts.len() == 1;
    let text = first.clone();
    let mut out: Vec<WordPart> = Vec::new();
    let mut literal = Vec::new();
    let mut start = 0;
    while start <= text.len() {
        let segment_end = if after_colons {
            text[start..]
                .iter()
                .position(|&b| b == b':')
                .map_or(text.len(), |p| start + p)
        } else {
            text.len()
        };
        let segment = &text[start..segment_end];
        let prefix_end = segment
            .iter()
            .position(|&b| b == b'/')
            .unwrap_or(segment.len());
        let ends_cleanly = prefix_end < segment.len() || segment_end < text.len() || only_part;
        let user = segment.get(1..prefix_end).unwrap_or(&[]);
        let valid_user = user
            .iter()
            .all(|&b| is_name_byte(b) || b == b'.' || b == b'-');
        if segment.first() == Some(&b'~') && ends_cleanly && valid_user {
            if !literal.is_empty() {
                out.push(WordPart::Literal(std::mem::take(&mut literal)));
            }
            out.push(WordPart::Tilde(user.to_vec()));
            literal.extend_from_slice(&segment[prefix_end..]);
        } else {
            literal.extend_from_slice(segment);
        }
        if segment_end < text.len() {
            literal.push(b':');
        }
        start = segment_end + 1;
        if !after_colons {
            break;
        }
    }
    if !literal.is_empty() {
        out.push(WordPart::Literal(literal));
    }
    parts.splice(0..1, out);
}
