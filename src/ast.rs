//! The command tree: every node type the parser builds and the executor walks,
//! in one place, each printable back as shell text with `Display`.
//!
//! The shape follows the grammar's priorities, lowest first: a [`List`] is
//! items separated by `;`, `&` or newlines; each item is an [`AndOrList`] of
//! [`Pipeline`]s joined by `&&`/`||`; a pipeline is [`Command`]s joined by
//! `|`; a command is a simple command, a compound command (`if`, `while`,
//! `for`, `case`, `( )`, `{ }`, `(( ))`, `[[ ]]`) with its redirections, or
//! a function definition. Words hold their quoting and their expansions, a
//! command substitution's body already parsed into a [`List`].
//!
//! Text is kept as bytes, not `String`: a shell passes whatever bytes the user
//! typed to the programs it runs, valid UTF-8 or not.

pub mod arith;
mod display;
pub mod pretty;
pub mod tree;

use std::cell::OnceCell;
use std::rc::Rc;

pub use arith::Arith;

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
    /// `! pipeline`: the status is inverted (0 becomes 1, anything else 0).
    pub negated: bool,
    /// `time pipeline`: report how long it took, on standard error.
    pub timed: Option<Timed>,
    pub commands: Vec<Command>,
}

/// The two ways of `time`: bash's own report, or POSIX's with `-p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timed {
    /// `time`: bash's `real/user/sys` lines, shaped by `$TIMEFORMAT`.
    Bash,
    /// `time -p`: POSIX's `real 0.00` format, whatever `$TIMEFORMAT` says.
    Posix,
}

/// One stage of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Simple(SimpleCommand),
    Compound(Compound),
    /// `name() { …; }`: defining a function runs nothing but the definition.
    Function(FunctionDef),
}

/// Assignments, words and redirections: `A=1 cmd arg > out`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments, before expansion.
    pub words: Vec<Argument>,
    /// Redirections in the order written; order matters (`2>&1 >f` differs
    /// from `>f 2>&1`).
    pub redirections: Vec<Redirection>,
    /// The line the command starts on, for `$LINENO` and error messages.
    pub line: u32,
}

/// A word of a simple command after its name. After the declaration
/// builtins (`declare`, `local`, `export`, `readonly`, `typeset`) a word
/// shaped like an assignment is one, as in bash: `local x=$y` does not
/// split `$y`, and `declare -a a=(1 2)` takes an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    Word(Word),
    Assignment(Assignment),
}

/// `NAME=value`, `NAME+=value`, `NAME[i]=value` or `NAME=(a b c)`: sets a
/// variable for the shell, or for one command when words follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// `a[i]=v`: the subscript, as written (expanded when assigned).
    pub index: Option<Word>,
    /// `+=`: append to the value instead of replacing it.
    pub append: bool,
    pub value: AssignValue,
}

/// What an assignment assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignValue {
    /// `x=word`: one string, never split or globbed.
    Scalar(Word),
    /// `a=(x y [5]=z)`: an array's elements, each expanded like a command's
    /// words.
    Array(Vec<ArrayElement>),
}

/// One element of `a=( … )`: a word, or `[key]=word`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayElement {
    pub key: Option<Word>,
    pub value: Word,
}

/// A compound command with the redirections written after it, which hold
/// for everything inside: `{ a; b; } > out`, `while read l; do …; done < f`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    pub kind: CompoundKind,
    pub redirections: Vec<Redirection>,
    /// The line the command starts on.
    pub line: u32,
    /// The line its closing word is on (`done`, `}`), where bash places an
    /// error of the redirections after it.
    pub end_line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompoundKind {
    /// `( list )`: run in a forked copy of the shell, so nothing it changes
    /// reaches the shell.
    Subshell(List),
    /// `{ list; }`: run in the shell itself, grouped for `&&`, `|` or
    /// redirections.
    Group(List),
    If(IfCommand),
    /// `while list; do list; done`, and `until` with the test inverted.
    While(WhileLoop),
    For(ForLoop),
    /// `for (( init; condition; step )); do list; done`.
    ArithFor(ArithForLoop),
    Case(CaseCommand),
    /// `select NAME in words; do list; done`: a numbered menu read from
    /// standard input.
    Select(ForLoop),
    /// `(( expression ))`: status 0 when the expression is not zero.
    Arith(ArithSub),
    /// `[[ expression ]]`: tests without word splitting or globbing.
    Cond(CondExpr),
}

/// `if c1; then b1; elif c2; then b2; else b3; fi`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfCommand {
    /// The `if` and each `elif`: a condition and the list it guards.
    pub branches: Vec<(List, List)>,
    pub otherwise: Option<List>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhileLoop {
    /// `until`: loop while the condition fails.
    pub until: bool,
    pub condition: List,
    pub body: List,
}

/// `for NAME in WORDS; do list; done`; with no `in`, the positional
/// parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForLoop {
    pub name: String,
    pub words: Option<Vec<Word>>,
    pub body: List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArithForLoop {
    pub init: ArithSub,
    /// An empty condition is true: `for ((;;))` loops forever.
    pub condition: ArithSub,
    pub step: ArithSub,
    pub body: List,
}

/// `case WORD in PATTERN|PATTERN) list ;; … esac`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCommand {
    pub word: Word,
    pub items: Vec<CaseItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseItem {
    pub patterns: Vec<Word>,
    pub body: List,
    pub terminator: CaseTerminator,
}

/// How a `case` item ends, which decides what runs after its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseTerminator {
    /// `;;` (or the last item with none): the `case` is done.
    Break,
    /// `;&`: run the next item's list too, without testing its patterns.
    FallThrough,
    /// `;;&`: go on testing the next items' patterns.
    Continue,
}

/// `name() compound-command [redirections]`. The body is shared, so that
/// defining a function keeps it without copying the tree, and a function
/// that redefines itself while it runs is safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: String,
    pub body: Rc<Compound>,
    /// Written with the `function` keyword (kept for printing it back).
    pub keyword: bool,
}

/// An arithmetic expression as written in `$(( ))`, `(( ))` or `for (( ))`:
/// its text is expanded first (`$x`, `$( )`), then evaluated. Text with no
/// expansion in it is parsed once, here, so a loop does not parse it again
/// at each turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArithSub {
    pub text: Word,
    /// The parsed expression when `text` is plain (no expansion), or the
    /// parse error to report when it runs: bash reports arithmetic syntax
    /// errors when the expression is evaluated, not when it is read.
    pub parsed: Option<Result<Rc<Arith>, crate::parse::arith_error::ArithError>>,
    /// Written `$[ … ]`, bash's old form, rather than `$(( … ))`: printed
    /// back the way it was written, since the two forms end on different
    /// bytes (`$((")"]))` holds a `]`, `$[ ( ]` an unclosed `(`), and
    /// their text was read by the rules of its own form.
    pub bracketed: bool,
}

/// A `[[ ]]` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CondExpr {
    /// A lone word: true when it expands to a non-empty string.
    Word(Word),
    /// `-f file`, `-z str`, `-v name`…
    Unary(CondUnary, Word),
    Binary(CondBinary, Word, Word),
    Not(Box<CondExpr>),
    And(Box<CondExpr>, Box<CondExpr>),
    Or(Box<CondExpr>, Box<CondExpr>),
    /// `( expr )`, kept to print it back as written.
    Group(Box<CondExpr>),
}

/// The unary tests of `[[ ]]` and `test`, by their letter: `-e`, `-f`…
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CondUnary(pub u8);

/// The binary operators of `[[ ]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondBinary {
    /// `==` or `=`: the right side is a pattern.
    Match,
    /// `!=`.
    NoMatch,
    /// `=~`: the right side is an extended regular expression.
    Regex,
    /// `<` and `>`: string order.
    Less,
    Greater,
    /// `-eq -ne -lt -le -gt -ge`: arithmetic comparisons.
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `-nt -ot -ef`: file times and identity.
    NewerThan,
    OlderThan,
    SameFile,
}

impl CondBinary {
    /// The operator named by `text`, if it is one.
    pub fn from_text(text: &[u8]) -> Option<CondBinary> {
        Some(match text {
            b"==" | b"=" => CondBinary::Match,
            b"!=" => CondBinary::NoMatch,
            b"=~" => CondBinary::Regex,
            b"<" => CondBinary::Less,
            b">" => CondBinary::Greater,
            b"-eq" => CondBinary::Eq,
            b"-ne" => CondBinary::Ne,
            b"-lt" => CondBinary::Lt,
            b"-le" => CondBinary::Le,
            b"-gt" => CondBinary::Gt,
            b"-ge" => CondBinary::Ge,
            b"-nt" => CondBinary::NewerThan,
            b"-ot" => CondBinary::OlderThan,
            b"-ef" => CondBinary::SameFile,
            _ => return None,
        })
    }

    pub fn text(self) -> &'static str {
        match self {
            CondBinary::Match => "==",
            CondBinary::NoMatch => "!=",
            CondBinary::Regex => "=~",
            CondBinary::Less => "<",
            CondBinary::Greater => ">",
            CondBinary::Eq => "-eq",
            CondBinary::Ne => "-ne",
            CondBinary::Lt => "-lt",
            CondBinary::Le => "-le",
            CondBinary::Gt => "-gt",
            CondBinary::Ge => "-ge",
            CondBinary::NewerThan => "-nt",
            CondBinary::OlderThan => "-ot",
            CondBinary::SameFile => "-ef",
        }
    }
}

/// The letters of the unary tests `[[ ]]` and `test` know.
pub const UNARY_TESTS: &[u8] = b"abcdefghknoprstuvwxzGLNORS";

/// A redirection such as `2>> log`, `2>&1` or `<<EOF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// The descriptor written before the operator (`2` in `2>f`); `None`
    /// means the operator's default (0 for input, 1 for output).
    pub fd: Option<i32>,
    /// `{name}>file`: the descriptor is one the shell picks (10 or above),
    /// its number stored in `name`, and it stays open after the command;
    /// `{name}>&-` closes the one `name` holds.
    pub fd_var: Option<String>,
    pub op: RedirOp,
    pub target: RedirTarget,
}

/// What a redirection points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirTarget {
    /// A file name, or for `>&`/`<&` a descriptor number or `-`; for `<<<`
    /// the string itself.
    Word(Word),
    HereDoc(HereDoc),
}

/// `<<WORD` … `WORD`: the body is read after the line that holds the
/// operator, so the parser fills it in when it gets there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HereDoc {
    pub delimiter: Vec<u8>,
    /// The delimiter was quoted (`<<'EOF'`, `<<"EOF"`, `<<\EOF`): the body is
    /// taken literally, with no expansion.
    pub literal: bool,
    /// `<<-`: leading tabs are stripped from each body line.
    pub strip_tabs: bool,
    /// The body, once the parser has read it: a word whose expansions run
    /// when the command does.
    pub body: Rc<OnceCell<Word>>,
}

/// The redirection operators, named for what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`: open for reading.
    Read,
    /// `>`: create or truncate, open for writing (refused on an existing
    /// file under `set -C`).
    Write,
    /// `>|`: the same, even under `set -C`.
    Clobber,
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
    /// `<<` and `<<-`: a here-document.
    HereDoc,
    /// `<<<`: a here-string, the word and a newline as standard input.
    HereString,
}

impl RedirOp {
    /// The descriptor the operator applies to when none is written.
    pub fn default_fd(self) -> i32 {
        match self {
            RedirOp::Read
            | RedirOp::ReadWrite
            | RedirOp::DupInput
            | RedirOp::HereDoc
            | RedirOp::HereString => 0,
            _ => 1,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            RedirOp::Read => "<",
            RedirOp::Write => ">",
            RedirOp::Clobber => ">|",
            RedirOp::Append => ">>",
            RedirOp::ReadWrite => "<>",
            RedirOp::DupOutput => ">&",
            RedirOp::DupInput => "<&",
            RedirOp::WriteBoth => "&>",
            RedirOp::AppendBoth => "&>>",
            RedirOp::HereDoc => "<<",
            RedirOp::HereString => "<<<",
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
/// quotes is never split into fields nor globbed, and a quoted empty string
/// is still an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted text, taken as it is (it may still hold glob characters).
    Literal(Vec<u8>),
    /// A character escaped with a backslash outside quotes (`\$`, `\ `):
    /// literal, and quoted for expansion's purposes.
    Escaped(u8),
    /// `'text'`: every byte literal.
    SingleQuoted(Vec<u8>),
    /// `$'text'`: ANSI-C quoting, its escapes already decoded.
    AnsiC(Vec<u8>),
    /// `"…"`: literals and expansions, expanded but never split.
    DoubleQuoted(Vec<WordPart>),
    /// `$NAME`, `${NAME}`, `${NAME:-word}`…
    Param(Box<ParamExpr>),
    /// `$( list )`, or `` `list` `` (`backquoted`), parsed with the word.
    CommandSub { body: Rc<List>, backquoted: bool },
    /// `<( list )` (`reads: true`: the command reads what the list writes)
    /// or `>( list )`: the list runs beside the command, joined to it by a
    /// pipe the word names (`/dev/fd/63`).
    ProcessSub { body: Rc<List>, reads: bool },
    /// `$(( expression ))`.
    Arith(Box<ArithSub>),
    /// `~` or `~user` at the start of a word: a home directory.
    Tilde(Vec<u8>),
    /// `{a,b}` or `{1..5}`: brace expansion, which makes several words of
    /// one before any other expansion.
    Brace(Box<Brace>),
    /// A `${…}` that names no parameter (`${}`, `${x!}`), as written: bash
    /// reads it and reports "bad substitution" when the command runs.
    BadSubstitution(Vec<u8>),
}

/// The two forms of brace expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Brace {
    /// `{a,b,c}`: one word per alternative, each itself a list of parts.
    Alternatives(Vec<Vec<WordPart>>),
    /// `{1..10}`, `{a..e}`, `{01..10..2}`: a sequence, kept as written so
    /// expansion can pad numbers the way they were typed.
    Sequence {
        start: Vec<u8>,
        end: Vec<u8>,
        step: Option<Vec<u8>>,
    },
}

/// A parameter expansion: which parameter, and what to do with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamExpr {
    pub param: Param,
    /// `${a[i]}`, `${a[@]}`, `${a[*]}`.
    pub subscript: Option<Subscript>,
    /// `${!x}`: the value of the variable whose name `x` holds.
    pub indirect: bool,
    pub op: ParamOp,
    /// Written with braces (kept for printing it back).
    pub braced: bool,
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

/// `[…]` after an array's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscript {
    /// `[@]`: every element, each its own field in quotes.
    All,
    /// `[*]`: every element, joined in quotes.
    Star,
    /// `[expr]`: one element; an arithmetic expression for an indexed array,
    /// a string for an associative one.
    Index(Word),
}

/// What a parameter expansion does with the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamOp {
    /// `$x`, `${x}`: the value.
    Value,
    /// `${#x}`: its length in characters.
    Length,
    /// `${x:-w}` (`colon`: also when empty) and `${x-w}`: `w` if unset.
    Default { colon: bool, word: Word },
    /// `${x:=w}`, `${x=w}`: the same, and assign `w`.
    Assign { colon: bool, word: Word },
    /// `${x:?w}`, `${x?w}`: an error (ending a script) if unset.
    Error { colon: bool, word: Word },
    /// `${x:+w}`, `${x+w}`: `w` if set, else nothing.
    Alternative { colon: bool, word: Word },
    /// `${x#p}` (shortest) and `${x##p}` (longest): remove a matching prefix.
    RemovePrefix { longest: bool, pattern: Word },
    /// `${x%p}`, `${x%%p}`: remove a matching suffix.
    RemoveSuffix { longest: bool, pattern: Word },
    /// `${x/p/s}`, `${x//p/s}`, `${x/#p/s}`, `${x/%p/s}`.
    Replace {
        mode: ReplaceMode,
        pattern: Word,
        replacement: Word,
    },
    /// `${x:offset}` and `${x:offset:length}`: arithmetic, as written.
    Substring { offset: Word, length: Option<Word> },
    /// `${x^}`, `${x^^}`, `${x,}`, `${x,,}`, with an optional pattern of the
    /// characters to change.
    Case {
        upper: bool,
        all: bool,
        pattern: Word,
    },
    /// `${x@Q}` and the other `@` transformations, by their letter.
    Transform(u8),
    /// `${!prefix*}` and `${!prefix@}`: the names of the variables that
    /// start with the prefix.
    Names { quoted_separately: bool },
    /// `${!a[@]}`, `${!a[*]}`: the indices (keys) of an array.
    Keys,
}

/// Which matches of `${x/p/s}` are replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaceMode {
    /// `/`: the first.
    First,
    /// `//`: every one.
    All,
    /// `/#`: one at the start.
    Prefix,
    /// `/%`: one at the end.
    Suffix,
}

impl Word {
    /// A word of one literal part, as the parser's tests and the shell's own
    /// generated commands build them.
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![WordPart::Literal(text.as_bytes().to_vec())],
        }
    }

    /// The word's text when it is plain unquoted text, with no quote and no
    /// expansion: how reserved words, function names and `case` keywords
    /// are recognized.
    pub fn as_literal(&self) -> Option<&[u8]> {
        match self.parts.as_slice() {
            [WordPart::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Whether the word holds any quoting at all (`"x"`, `'x'`, `\x`): a
    /// here-document delimiter written so takes its body literally.
    pub fn has_quotes(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                WordPart::Escaped(_)
                    | WordPart::SingleQuoted(_)
                    | WordPart::AnsiC(_)
                    | WordPart::DoubleQuoted(_)
            )
        })
    }
}

/// Shorthands for building words by hand in the parser's and expansion's
/// tests.
#[cfg(test)]
pub mod build {
    use super::{Param, ParamExpr, ParamOp, WordPart};

    pub fn lit(text: &str) -> WordPart {
        WordPart::Literal(text.as_bytes().to_vec())
    }

    pub fn sq(text: &str) -> WordPart {
        WordPart::SingleQuoted(text.as_bytes().to_vec())
    }

    pub fn dq(parts: Vec<WordPart>) -> WordPart {
        WordPart::DoubleQuoted(parts)
    }

    pub fn param(param: Param) -> WordPart {
        WordPart::Param(Box::new(ParamExpr {
            param,
            subscript: None,
            indirect: false,
            op: ParamOp::Value,
            braced: false,
        }))
    }

    pub fn var(name: &str) -> WordPart {
        param(Param::Named(name.to_owned()))
    }
}
