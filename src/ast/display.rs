//! Printing a command tree back as shell text, on one line: what `jobs`
//! shows for a job, and what a syntax tree looks like to a person. Reading
//! the printed text back gives the same tree.

use std::fmt::{self, Display, Formatter, Write as _};

use super::*;

impl Display for List {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(if self.items[i - 1].background {
                    " "
                } else {
                    "; "
                })?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

/// A list inside a compound command, every item terminated (`a; b &`), so
/// the keyword after it reads as a keyword: `{ a; }`, `do a; done`.
struct Body<'a>(&'a List);

impl Display for Body<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for item in &self.0.items {
            write!(
                f,
                "{}{} ",
                item.and_or,
                if item.background { " &" } else { ";" }
            )?;
        }
        Ok(())
    }
}

impl Display for ListItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.and_or)?;
        if self.background {
            f.write_str(" &")?;
        }
        Ok(())
    }
}

impl Display for AndOrList {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (op, pipeline) in &self.rest {
            let op = match op {
                AndOr::And => "&&",
                AndOr::Or => "||",
            };
            write!(f, " {op} {pipeline}")?;
        }
        Ok(())
    }
}

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.timed {
            Some(Timed::Bash) => f.write_str("time ")?,
            Some(Timed::Posix) => f.write_str("time -p ")?,
            None => {}
        }
        if self.negated {
            f.write_str("! ")?;
        }
        for (i, command) in self.commands.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{command}")?;
        }
        Ok(())
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Simple(simple) => write!(f, "{simple}"),
            Command::Compound(compound) => write!(f, "{compound}"),
            Command::Function(function) => write!(f, "{function}"),
        }
    }
}

impl Display for SimpleCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let assignments = self.assignments.iter().map(|a| a as &dyn Display);
        let words = self.words.iter().map(|w| w as &dyn Display);
        let redirections = self.redirections.iter().map(|r| r as &dyn Display);
        // Redirections go last, but for a first word that would read as a
        // reserved word there (`>f }` is not `} >f`).
        let first_reserved = self.assignments.is_empty()
            && matches!(self.words.first(), Some(Argument::Word(w))
                if w.as_literal().is_some_and(crate::parse::is_reserved_word));
        let pieces: Vec<&dyn Display> = match first_reserved {
            true => redirections.chain(words).collect(),
            false => assignments.chain(words).chain(redirections).collect(),
        };
        for (i, piece) in pieces.into_iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{piece}")?;
        }
        Ok(())
    }
}

impl Display for Argument {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Argument::Word(word) => write!(f, "{word}"),
            Argument::Assignment(assignment) => write!(f, "{assignment}"),
        }
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(index) = &self.index {
            write!(f, "[{index}]")?;
        }
        f.write_str(if self.append { "+=" } else { "=" })?;
        match &self.value {
            AssignValue::Scalar(word) => write!(f, "{word}"),
            AssignValue::Array(elements) => {
                f.write_char('(')?;
                for (i, element) in elements.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    if let Some(key) = &element.key {
                        write!(f, "[{key}]=")?;
                    }
                    write!(f, "{}", element.value)?;
                }
                f.write_char(')')
            }
        }
    }
}

impl Display for Compound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        for redirection in &self.redirections {
            write!(f, " {redirection}")?;
        }
        Ok(())
    }
}

impl Display for CompoundKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CompoundKind::Subshell(list) => write!(f, "( {list} )"),
            CompoundKind::Group(list) => write!(f, "{{ {}}}", Body(list)),
            CompoundKind::If(command) => {
                for (i, (condition, body)) in command.branches.iter().enumerate() {
                    let keyword = if i == 0 { "if" } else { "elif" };
                    write!(f, "{keyword} {}then {}", Body(condition), Body(body))?;
                }
                if let Some(otherwise) = &command.otherwise {
                    write!(f, "else {}", Body(otherwise))?;
                }
                f.write_str("fi")
            }
            CompoundKind::While(command) => {
                let keyword = if command.until { "until" } else { "while" };
                write!(
                    f,
                    "{keyword} {}do {}done",
                    Body(&command.condition),
                    Body(&command.body)
                )
            }
            CompoundKind::For(command) => write_for(f, "for", command),
            CompoundKind::Select(command) => write_for(f, "select", command),
            CompoundKind::ArithFor(command) => write!(
                f,
                "for (({}; {}; {})); do {}done",
                command.init.text,
                command.condition.text,
                command.step.text,
                Body(&command.body)
            ),
            CompoundKind::Case(command) => {
                write!(f, "case {} in", command.word)?;
                for item in &command.items {
                    f.write_char(' ')?;
                    for (i, pattern) in item.patterns.iter().enumerate() {
                        if i > 0 {
                            f.write_char('|')?;
                        }
                        write!(f, "{pattern}")?;
                    }
                    write!(f, ") {}", Body(&item.body))?;
                    f.write_str(match item.terminator {
                        CaseTerminator::Break => ";;",
                        CaseTerminator::FallThrough => ";&",
                        CaseTerminator::Continue => ";;&",
                    })?;
                }
                f.write_str(" esac")
            }
            CompoundKind::Arith(arith) => write!(f, "(({}))", arith.text),
            CompoundKind::Cond(expr) => write!(f, "[[ {expr} ]]"),
        }
    }
}

fn write_for(f: &mut Formatter<'_>, keyword: &str, command: &ForLoop) -> fmt::Result {
    write!(f, "{keyword} {}", command.name)?;
    if let Some(words) = &command.words {
        f.write_str(" in")?;
        for word in words {
            write!(f, " {word}")?;
        }
    }
    write!(f, "; do {}done", Body(&command.body))
}

impl Display for CondExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CondExpr::Word(word) => write!(f, "{word}"),
            CondExpr::Unary(op, word) => write!(f, "-{} {word}", char::from(op.0)),
            CondExpr::Binary(op, left, right) => write!(f, "{left} {} {right}", op.text()),
            CondExpr::Not(inner) => write!(f, "! {inner}"),
            CondExpr::And(left, right) => write!(f, "{left} && {right}"),
            CondExpr::Or(left, right) => write!(f, "{left} || {right}"),
            CondExpr::Group(inner) => write!(f, "( {inner} )"),
        }
    }
}

impl Display for FunctionDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.keyword {
            write!(f, "function {} {}", self.name, self.body)
        } else {
            write!(f, "{} () {}", self.name, self.body)
        }
    }
}

/// As bash prints redirections back (`type`, `jobs`, `$BASH_COMMAND`): a
/// file after a blank (`2> /dev/null`), a descriptor copy with both
/// numbers written out (`1>&2`), a close as `N>&-`.
impl Display for Redirection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.fd_var {
            return match &self.target {
                RedirTarget::Word(word)
                    if matches!(self.op, RedirOp::DupOutput | RedirOp::DupInput) =>
                {
                    write!(f, "{{{name}}}{}{word}", self.op.symbol())
                }
                RedirTarget::Word(word) => write!(f, "{{{name}}}{} {word}", self.op.symbol()),
                RedirTarget::HereDoc(doc) => {
                    let delimiter = String::from_utf8_lossy(&doc.delimiter);
                    write!(f, "{{{name}}}<<{delimiter}")
                }
            };
        }
        if let (RedirOp::DupOutput | RedirOp::DupInput, RedirTarget::Word(word)) =
            (self.op, &self.target)
        {
            let fd = self.fd.unwrap_or(self.op.default_fd());
            return match word.as_literal() {
                Some(b"-") => write!(f, "{fd}{}-", self.op.symbol()),
                _ => write!(f, "{fd}{}{word}", self.op.symbol()),
            };
        }
        if let Some(fd) = self.fd {
            write!(f, "{fd}")?;
        }
        match &self.target {
            RedirTarget::Word(word) => write!(f, "{} {word}", self.op.symbol()),
            RedirTarget::HereDoc(doc) => {
                f.write_str(if doc.strip_tabs { "<<-" } else { "<<" })?;
                let delimiter = String::from_utf8_lossy(&doc.delimiter);
                match doc.literal {
                    true => write!(f, "'{delimiter}'"),
                    false => f.write_str(&delimiter),
                }
            }
        }
    }
}

impl Display for Word {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            write!(f, "{part}")?;
        }
        Ok(())
    }
}

impl Display for WordPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            WordPart::Literal(text) => f.write_str(&String::from_utf8_lossy(text)),
            WordPart::Escaped(byte) => write!(f, "\\{}", char::from(*byte)),
            WordPart::SingleQuoted(text) => write!(f, "'{}'", String::from_utf8_lossy(text)),
            WordPart::AnsiC(text) => {
                f.write_str("$'")?;
                for &b in text {
                    match b {
                        b'\'' => f.write_str("\\'")?,
                        b'\\' => f.write_str("\\\\")?,
                        b'\n' => f.write_str("\\n")?,
                        b'\t' => f.write_str("\\t")?,
                        0x20..=0x7e => f.write_char(char::from(b))?,
                        _ => write!(f, "\\x{b:02x}")?,
                    }
                }
                f.write_char('\'')
            }
            WordPart::DoubleQuoted(parts) => {
                f.write_char('"')?;
                for (i, part) in parts.iter().enumerate() {
                    match part {
                        WordPart::Literal(text) => {
                            // What is printed after the text: the next
                            // part, or the closing quote (`None`).
                            let after = parts.get(i + 1).and_then(|p| p.to_string().chars().next());
                            write_double_quoted(f, &String::from_utf8_lossy(text), after)?;
                        }
                        other => write!(f, "{other}")?,
                    }
                }
                f.write_char('"')
            }
            WordPart::Param(param) => write!(f, "{param}"),
            WordPart::CommandSub { body, backquoted } => match backquoted {
                // Inside backquotes `\` and `` ` `` need a backslash of
                // their own, which reading them takes off again.
                true => {
                    f.write_char('`')?;
                    for c in body.to_string().chars() {
                        if matches!(c, '\\' | '`') {
                            f.write_char('\\')?;
                        }
                        f.write_char(c)?;
                    }
                    f.write_char('`')
                }
                // `$( (a) )`, not `$((a))`: that would be arithmetic.
                false => match body.to_string() {
                    text if text.starts_with('(') => write!(f, "$( {text})"),
                    text => write!(f, "$({text})"),
                },
            },
            WordPart::ProcessSub { body, reads } => match reads {
                true => write!(f, "<({body})"),
                false => write!(f, ">({body})"),
            },
            WordPart::Arith(arith) => match arith.bracketed {
                true => write!(f, "$[{}]", arith.text),
                false => write!(f, "$(({}))", arith.text),
            },
            WordPart::Tilde(user) => write!(f, "~{}", String::from_utf8_lossy(user)),
            WordPart::Brace(brace) => write!(f, "{brace}"),
            WordPart::BadSubstitution(text) => f.write_str(&String::from_utf8_lossy(text)),
        }
    }
}

/// Literal text inside double quotes, with a backslash only where the
/// character would mean something else there: `"` and `` ` `` always, `\`
/// before a character it would escape (or the closing quote), `$` before
/// what would start an expansion. So the text the parser read (`"a\b$"`)
/// prints as it was written and reads back the same.
fn write_double_quoted(f: &mut Formatter<'_>, text: &str, after: Option<char>) -> fmt::Result {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().or(after);
        let escape = match c {
            '"' | '`' => true,
            '\\' => next.is_none_or(|n| matches!(n, '$' | '`' | '"' | '\\' | '\n')),
            '$' => next.is_some_and(|n| n.is_ascii_alphanumeric() || "_{([@*#?-$!".contains(n)),
            _ => false,
        };
        if escape {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    Ok(())
}

impl Display for Brace {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('{')?;
        match self {
            Brace::Alternatives(alternatives) => {
                for (i, parts) in alternatives.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    for part in parts {
                        write!(f, "{part}")?;
                    }
                }
            }
            Brace::Sequence { start, end, step } => {
                let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
                write!(f, "{}..{}", text(start), text(end))?;
                if let Some(step) = step {
                    write!(f, "..{}", text(step))?;
                }
            }
        }
        f.write_char('}')
    }
}

impl Display for ParamExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.braced {
            return write!(f, "${}", self.param);
        }
        f.write_str("${")?;
        if self.op == ParamOp::Length {
            f.write_char('#')?;
        }
        if self.indirect || matches!(self.op, ParamOp::Names { .. } | ParamOp::Keys) {
            f.write_char('!')?;
        }
        write!(f, "{}", self.param)?;
        match &self.subscript {
            Some(Subscript::All) => f.write_str("[@]")?,
            Some(Subscript::Star) => f.write_str("[*]")?,
            Some(Subscript::Index(word)) => write!(f, "[{word}]")?,
            None => {}
        }
        let colon = |c: bool| if c { ":" } else { "" };
        match &self.op {
            ParamOp::Value | ParamOp::Length | ParamOp::Keys => {}
            ParamOp::Default { colon: c, word } => write!(f, "{}-{word}", colon(*c))?,
            ParamOp::Assign { colon: c, word } => write!(f, "{}={word}", colon(*c))?,
            ParamOp::Error { colon: c, word } => write!(f, "{}?{word}", colon(*c))?,
            ParamOp::Alternative { colon: c, word } => write!(f, "{}+{word}", colon(*c))?,
            ParamOp::RemovePrefix { longest, pattern } => {
                write!(f, "{}{pattern}", if *longest { "##" } else { "#" })?
            }
            ParamOp::RemoveSuffix { longest, pattern } => {
                write!(f, "{}{pattern}", if *longest { "%%" } else { "%" })?
            }
            ParamOp::Replace {
                mode,
                pattern,
                replacement,
            } => {
                let op = match mode {
                    ReplaceMode::First => "/",
                    ReplaceMode::All => "//",
                    ReplaceMode::Prefix => "/#",
                    ReplaceMode::Suffix => "/%",
                };
                // No replacement is written without its `/`: `${x/}` must
                // not print as `${x//}`, which replaces every match.
                match replacement.parts.is_empty() {
                    true => write!(f, "{op}{pattern}")?,
                    false => write!(f, "{op}{pattern}/{replacement}")?,
                }
            }
            ParamOp::Substring { offset, length } => {
                write!(f, ":{offset}")?;
                if let Some(length) = length {
                    write!(f, ":{length}")?;
                }
            }
            ParamOp::Case {
                upper,
                all,
                pattern,
            } => {
                let c = if *upper { '^' } else { ',' };
                f.write_char(c)?;
                if *all {
                    f.write_char(c)?;
                }
                write!(f, "{pattern}")?
            }
            ParamOp::Transform(letter) => write!(f, "@{}", char::from(*letter))?,
            ParamOp::Names { quoted_separately } => {
                f.write_char(if *quoted_separately { '@' } else { '*' })?
            }
        }
        f.write_char('}')
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Param::Named(name) => f.write_str(name),
            Param::Positional(n) => write!(f, "{n}"),
            Param::Status => f.write_str("?"),
            Param::ShellPid => f.write_str("$"),
            Param::LastBackground => f.write_str("!"),
            Param::Count => f.write_str("#"),
            Param::AllSeparate => f.write_str("@"),
            Param::AllJoined => f.write_str("*"),
            Param::Options => f.write_str("-"),
        }
    }
}
