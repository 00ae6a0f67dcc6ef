//! The grammar: one function per rule, lowest priority first, each building
//! its node of the tree from the token rules of the lexer.
//!
//! ```text
//! list          = linebreak [and_or (separator and_or)* [separator]]
//! separator     = (";" | "&" | newline) linebreak
//! and_or        = pipeline (("&&" | "||") linebreak pipeline)*
//! pipeline      = command (("|" | "|&") linebreak command)*
//! command       = simple_command
//! simple_command = (assignment | redirection)* (word | redirection)*
//! redirection   = [digits] redirect_op word
//! ```

use nom::Parser;

use super::lexer::{self, Operator, assignment_value, blanks, name, operator, redirect_op, word};
use super::{Fail, PResult};
use crate::ast::{
    AndOr, AndOrList, Assignment, Command, List, ListItem, Pipeline, RedirOp, Redirection,
    SimpleCommand, Word,
};

/// Blanks, comments and newlines: where a command may start on a later line.
fn linebreak(mut i: &[u8]) -> &[u8] {
    loop {
        i = skip_blanks(i);
        match i.first() {
            Some(b'\n') => i = &i[1..],
            _ => return i,
        }
    }
}

fn skip_blanks(i: &[u8]) -> &[u8] {
    match blanks(i) {
        Ok((rest, ())) => rest,
        Err(_) => i,
    }
}

/// The whole text: and-or lists separated by `;`, `&` or newlines.
pub fn list(i: &[u8]) -> PResult<'_, List> {
    let mut i = linebreak(i);
    let mut items = Vec::new();
    while !i.is_empty() {
        let (rest, and_or) = and_or(i)?;
        let rest = skip_blanks(rest);
        let background = match operator(rest) {
            Ok((after, Operator::Semi | Operator::Newline)) => {
                i = linebreak(after);
                false
            }
            Ok((after, Operator::Amp)) => {
                i = linebreak(after);
                true
            }
            _ if rest.is_empty() => {
                i = rest;
                false
            }
            _ => return Fail::backtrack(rest),
        };
        items.push(ListItem { and_or, background });
    }
    Ok((i, List { items }))
}

/// Pipelines joined by `&&` and `||`.
fn and_or(i: &[u8]) -> PResult<'_, AndOrList> {
    let (mut i, first) = pipeline(i)?;
    let mut rest = Vec::new();
    loop {
        let op = match operator(skip_blanks(i)) {
            Ok((after, Operator::AndIf)) => (after, AndOr::And),
            Ok((after, Operator::OrIf)) => (after, AndOr::Or),
            _ => return Ok((i, AndOrList { first, rest })),
        };
        let (after, op) = op;
        let (after, next) = pipeline(continuation(after)?)?;
        rest.push((op, next));
        i = after;
    }
}

/// After `|`, `&&` or `||` the command may start on a later line; if the
/// text ends first, more input is needed.
fn continuation(after_operator: &[u8]) -> Result<&[u8], nom::Err<super::PError<'_>>> {
    let next = linebreak(after_operator);
    if next.is_empty() {
        return Fail::end(next);
    }
    Ok(next)
}

/// Commands joined by `|`; `a |& b` is `a 2>&1 | b`.
fn pipeline(i: &[u8]) -> PResult<'_, Pipeline> {
    let (mut i, first) = command(i)?;
    let mut commands = vec![first];
    loop {
        let both = match operator(skip_blanks(i)) {
            Ok((after, Operator::Pipe)) => (after, false),
            Ok((after, Operator::PipeBoth)) => (after, true),
            _ => return Ok((i, Pipeline { commands })),
        };
        let (after, stderr_too) = both;
        if stderr_too {
            if let Some(Command::Simple(last)) = commands.last_mut() {
                last.redirections.push(Redirection {
                    fd: Some(2),
                    op: RedirOp::DupOutput,
                    target: Word::literal("1"),
                });
            }
        }
        let (after, next) = command(continuation(after)?)?;
        commands.push(next);
        i = after;
    }
}

/// One stage of a pipeline.
fn command(i: &[u8]) -> PResult<'_, Command> {
    let (i, simple) = simple_command(i)?;
    Ok((i, Command::Simple(simple)))
}

/// Assignments and redirections, then words and redirections. Empty is an
/// error: `| ls` and `ls && ;` name the token where a command was due.
fn simple_command(mut i: &[u8]) -> PResult<'_, SimpleCommand> {
    let mut command = SimpleCommand::default();
    loop {
        let start = skip_blanks(i);
        if let Some((rest, redirection)) = redirection(start)? {
            command.redirections.push(redirection);
            i = rest;
            continue;
        }
        if command.words.is_empty() {
            if let Some((rest, assignment)) = assignment(start)? {
                command.assignments.push(assignment);
                i = rest;
                continue;
            }
        }
        match word(start) {
            Ok((rest, word)) => {
                let first = command.words.is_empty() && command.assignments.is_empty();
                if first {
                    if let Some(what) = reserved_construct(&word) {
                        return Fail::unsupported(start, what);
                    }
                }
                command.words.push(word);
                i = rest;
            }
            Err(nom::Err::Error(_)) => {
                let empty = command.assignments.is_empty()
                    && command.words.is_empty()
                    && command.redirections.is_empty();
                if empty {
                    return Fail::backtrack(start);
                }
                return Ok((start, command));
            }
            Err(failure) => return Err(failure),
        }
    }
}

/// `[N]op word`, or `None` when no redirection operator starts here.
fn redirection(i: &[u8]) -> Result<Option<(&[u8], Redirection)>, nom::Err<super::PError<'_>>> {
    let (after_op, (fd, op)) = match redirect_op(i) {
        Ok(found) => found,
        Err(nom::Err::Error(_)) => return Ok(None),
        Err(failure) => return Err(failure),
    };
    let target_start = skip_blanks(after_op);
    match word(target_start) {
        Ok((rest, target)) => Ok(Some((rest, Redirection { fd, op, target }))),
        Err(nom::Err::Error(_)) => Fail::unexpected(target_start),
        Err(failure) => Err(failure),
    }
}

/// `NAME=value`, or `None` when the word here is not an assignment.
fn assignment(i: &[u8]) -> Result<Option<(&[u8], Assignment)>, nom::Err<super::PError<'_>>> {
    let Ok((after_name, name)) = name.parse(i) else {
        return Ok(None);
    };
    let Some(value_start) = after_name.strip_prefix(b"=") else {
        return Ok(None);
    };
    let (rest, value) = assignment_value(value_start)?;
    let name = name.iter().map(|&b| char::from(b)).collect();
    Ok(Some((rest, Assignment { name, value })))
}

/// The token at `i`, as a syntax error names it: an operator, a redirection
/// operator, the next word's text, or `newline` at the end of the line.
pub fn token_at(i: &[u8]) -> String {
    let i = skip_blanks(i);
    if i.is_empty() {
        return "newline".to_owned();
    }
    if let Ok((rest, _)) = redirect_op(i) {
        return String::from_utf8_lossy(&i[..i.len() - rest.len()]).into_owned();
    }
    if let Ok((_, op)) = operator(i) {
        return op.text().to_owned();
    }
    let end = i
        .iter()
        .position(|&b| lexer::is_metachar(b))
        .unwrap_or(i.len());
    String::from_utf8_lossy(&i[..end]).into_owned()
}

/// What a reserved word in command position would start, for the error
/// that refuses it: minishell does not run compound commands yet, and
/// running their pieces as simple commands would run a loop's body once
/// with empty variables (`rm -rf out/$f`), so the whole construct is
/// refused instead. Only an unquoted word is reserved (`"for"` is a name).
fn reserved_construct(word: &Word) -> Option<&'static str> {
    let [crate::ast::WordPart::Literal(text)] = word.parts.as_slice() else {
        return None;
    };
    Some(match text.as_slice() {
        b"for" => "'for' loops are",
        b"while" => "'while' loops are",
        b"until" => "'until' loops are",
        b"select" => "'select' loops are",
        b"if" => "'if' commands are",
        b"case" => "'case' commands are",
        b"function" => "functions are",
        b"{" => "'{ }' groups are",
        b"[[" => "'[[ ]]' tests are",
        b"!" => "'!' pipelines are",
        b"time" => "'time' pipelines are",
        b"then" | b"elif" | b"else" | b"fi" | b"do" | b"done" | b"esac" | b"in" | b"}" | b"]]" => {
            "reserved words out of place are"
        }
        _ => return None,
    })
}

/// Whether `text` opens a compound command (`for`, `if`, `case`, `{`…)
/// that its own text does not close yet: the input loop then reads on to
/// the matching `done`, `fi`, `esac` or `}` before refusing the whole
/// construct, so that no line of its body runs on its own.
pub fn construct_is_open(text: &[u8]) -> bool {
    let mut i = text;
    let mut depth: i64 = 0;
    let mut command_position = true;
    loop {
        i = skip_blanks(i);
        if i.is_empty() {
            return depth > 0;
        }
        if let Ok((rest, _)) = redirect_op(i) {
            i = skip_blanks(rest);
            match word(i) {
                Ok((rest, _)) => i = rest,
                Err(_) => return depth > 0,
            }
            continue;
        }
        if let Ok((rest, _)) = operator(i) {
            i = rest;
            command_position = true;
            continue;
        }
        let Ok((rest, word)) = word(i) else {
            return depth > 0;
        };
        i = rest;
        let keyword = match word.parts.as_slice() {
            [crate::ast::WordPart::Literal(text)] if command_position => text.as_slice(),
            _ => {
                command_position = false;
                continue;
            }
        };
        match keyword {
            b"for" | b"while" | b"until" | b"select" | b"if" | b"case" | b"{" => depth += 1,
            b"done" | b"fi" | b"esac" | b"}" => depth -= 1,
            _ => {}
        }
        command_position = matches!(
            keyword,
            b"do"
                | b"then"
                | b"else"
                | b"elif"
                | b"{"
                | b"!"
                | b"time"
                | b"if"
                | b"while"
                | b"until"
        );
    }
}
