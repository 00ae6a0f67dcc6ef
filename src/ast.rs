//! The command tree: every node type the parser builds and the executor walks,
//! in one place, each printable back as shell text with `Display`.
//!
//! The shape follows the grammar's priorities, lowest first:
//! a [`List`] is items separated by `;`, `&` or newlines; each item is an
//! [`AndOrList`] of [`Pipeline`]s joined by `&&`/`||`; a pipeline is
//! [`Command`]s joined by `|`. Later constructs (subshells, `{ }` groups,
//! `if`/`while`/`for`/`case`, functions) join as new [`Command`] variants, and
//! command substitution as a new [`WordPart`], without reshaping the rest.
//!
//! Text is kept as bytes, not `String`: a shell passes whatever bytes the user
//! typed to the programs it runs, valid UTF-8 or not.

use std::fmt::{self, Display, Formatter, Write as _};

/// Commands separated by `;`, `&` or newlines, run one after the other.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct List {
    pub items: Vec<ListItem>,
}

/// One and-or list of a [`List`], with how it is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub and_or: AndOrList,
    /// `true` when the item ended with `&`: the shell starts it and goes on
    /// without waiting.
    pub background: bool,
}

/// Pipelines joined by `&&` and `||`, which bind equally and run left to right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOrList {
    pub first: Pipeline,
    pub rest: Vec<(AndOr, Pipeline)>,
}

/// The operator between two pipelines of an [`AndOrList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AndOr {
    /// `&&`: run the next pipeline only if the previous one succeeded.
    And,
    /// `||`: run the next pipeline only if the previous one failed.
    Or,
}

/// Commands joined by `|`: each one's standard output feeds the next one's
/// standard input, and all of them run at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
}

/// One stage of a pipeline. Compound commands will join this enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
}

/// Assignments, words and redirections: `A=1 cmd arg > out`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments, before expansion.
    pub words: Vec<Word>,
    /// Redirections in the order written; order matters (`2>&1 >f` differs
    /// from `>f 2>&1`).
    pub redirections: Vec<Redirection>,
}

/// `NAME=value`: sets a variable for the shell, or for one command when
/// words follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: Word,
}

/// A redirection such as `2>> log` or `2>&1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// The descriptor written before the operator (`2` in `2>f`); `None`
    /// means the operator's default (0 for input, 1 for output).
    pub fd: Option<i32>,
    pub op: RedirOp,
    /// The file name, or for `>&`/`<&` the descriptor number or `-`.
    pub target: Word,
}

/// The redirection operators, named for what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`: open for reading.
    Read,
    /// `>` (and `>|`): create or truncate, open for writing.
    Write,
    /// `>>`: create or open for appending.
    Append,
    /// `<>`: open for reading and writing, creating it if needed.
    ReadWrite,
    /// `>&`: make the descriptor a copy of another one (or close it with `-`).
    DupOutput,
    /// `<&`: the same, for input.
    DupInput,
    /// `&>`: standard output and standard error to one file, opened once.
    WriteBoth,
    /// `&>>`: the same, appending.
    AppendBoth,
}

impl RedirOp {
    /// The descriptor the operator applies to when none is written.
    pub fn default_fd(self) -> i32 {
        match self {
            RedirOp::Read | RedirOp::ReadWrite | RedirOp::DupInput => 0,
            _ => 1,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            RedirOp::Read => "<",
            RedirOp::Write => ">",
            RedirOp::Append => ">>",
            RedirOp::ReadWrite => "<>",
            RedirOp::DupOutput => ">&",
            RedirOp::DupInput => "<&",
            RedirOp::WriteBoth => "&>",
            RedirOp::AppendBoth => "&>>",
        }
    }
}

/// A word before expansion: adjacent parts written without space between
/// them, such as `"a"'b'c$X`, form one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

/// A piece of a word. Quoting decides what expansion may do with it: text in
/// quotes is never split into fields, and a quoted empty string is still an
/// argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Text taken as it is: unquoted text, with backslash escapes resolved,
    /// or text inside double quotes.
    Literal(Vec<u8>),
    /// A character escaped with a backslash outside quotes (`\$`, `\ `):
    /// literal, and quoted for expansion's purposes.
    Escaped(u8),
    /// `'text'`: every byte literal.
    SingleQuoted(Vec<u8>),
    /// `"…"`: literals and parameters, expanded but never split.
    DoubleQuoted(Vec<WordPart>),
    /// `$NAME`, `${NAME}`, `$1`, `$?`…
    Param(Param),
    /// `~` or `~user` at the start of a word: a home directory.
    Tilde(Vec<u8>),
}

/// The parameters `$` can expand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// A variable: `$HOME`, `${HOME}`.
    Named(String),
    /// `$0`, `$1` … `${10}`.
    Positional(usize),
    /// `$?`: the status of the last command.
    Status,
    /// `$$`: the shell's process ID.
    ShellPid,
    /// `$!`: the process ID of the last background command.
    LastBackground,
    /// `$#`: the number of positional parameters.
    Count,
    /// `$@`: the positional parameters, each its own field even in quotes.
    AllSeparate,
    /// `$*`: the positional parameters joined into one field in quotes.
    AllJoined,
    /// `$-`: the shell's option letters.
    Options,
}

impl Word {
    /// A word of one literal part, as the parser's tests and the shell's own
    /// generated commands build them.
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![WordPart::Literal(text.as_bytes().to_vec())],
        }
    }
}

// ---- Display: print a tree back as shell text ----------------------------

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
        }
    }
}

impl Display for SimpleCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let assignments = self.assignments.iter().map(|a| a as &dyn Display);
        let words = self.words.iter().map(|w| w as &dyn Display);
        let redirections = self.redirections.iter().map(|r| r as &dyn Display);
        for (i, piece) in assignments.chain(words).chain(redirections).enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            write!(f, "{piece}")?;
        }
        Ok(())
    }
}

impl Display for Assignment {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

impl Display for Redirection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(fd) = self.fd {
            write!(f, "{fd}")?;
        }
        write!(f, "{}{}", self.op.symbol(), self.target)
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
            WordPart::DoubleQuoted(parts) => {
                f.write_char('"')?;
                for part in parts {
                    match part {
                        WordPart::Literal(text) => {
                            for c in String::from_utf8_lossy(text).chars() {
                                if matches!(c, '"' | '\\' | '$' | '`') {
                                    f.write_char('\\')?;
                                }
                                f.write_char(c)?;
                            }
                        }
                        other => write!(f, "{other}")?,
                    }
                }
                f.write_char('"')
            }
            WordPart::Param(param) => write!(f, "{param}"),
            WordPart::Tilde(user) => write!(f, "~{}", String::from_utf8_lossy(user)),
        }
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Param::Named(name) => write!(f, "${{{name}}}"),
            Param::Positional(n) if *n < 10 => write!(f, "${n}"),
            Param::Positional(n) => write!(f, "${{{n}}}"),
            Param::Status => f.write_str("$?"),
            Param::ShellPid => f.write_str("$$"),
            Param::LastBackground => f.write_str("$!"),
            Param::Count => f.write_str("$#"),
            Param::AllSeparate => f.write_str("$@"),
            Param::AllJoined => f.write_str("$*"),
            Param::Options => f.write_str("$-"),
        }
    }
}

/// Shorthands for building words by hand in the parser's and expansion's
/// tests.
#[cfg(test)]
pub mod build {
    use super::{Param, WordPart};

    pub fn lit(text: &str) -> WordPart {
        WordPart::Literal(text.as_bytes().to_vec())
    }

    pub fn sq(text: &str) -> WordPart {
        WordPart::SingleQuoted(text.as_bytes().to_vec())
    }

    pub fn dq(parts: Vec<WordPart>) -> WordPart {
        WordPart::DoubleQuoted(parts)
    }

    pub fn var(name: &str) -> WordPart {
        WordPart::Param(Param::Named(name.to_owned()))
    }
}
