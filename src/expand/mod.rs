//! Expansion: turning the parser's words into the strings a command gets.
//!
//! In POSIX's order: brace expansion (bash's), then tilde, parameters,
//! command substitution and arithmetic, left to right; then field splitting
//! of what unquoted expansions produced; then pathname expansion; then quote
//! removal. Quotes already left the words in the parser; what they leave
//! behind is which bytes were quoted, and that is what this module carries
//! along: a [`Field`] knows, byte by byte, what came from quotes, so that
//! splitting touches only unquoted expansions and globbing, `case`, `[[ ]]`
//! and `${x#pattern}` can tell `*` from `"*"`.
//!
//! Expansion can run commands (`$( )`) and assign variables (`${x:=y}`,
//! `$((i++))`), so it takes the shell mutably.

pub mod arith;
mod arith_vars;
mod brace;
mod cmdsub;
pub mod glob;
mod param;
pub mod reference;
mod split;
mod tilde;

use std::borrow::Cow;
use std::rc::Rc;

use crate::ast::{Argument, AssignValue, Assignment, Param, Subscript, Word, WordPart};
use crate::pattern::{Pattern, PatternOptions};
use crate::shell::Shell;
use crate::status::Status;
pub use arith_vars::{eval_arith, eval_arith_text};
pub use split::Field;
use split::Fields;

/// Why a word could not be expanded. The message is already printed; what
/// is left is how far the failure reaches, which bash decides by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpandError {
    /// The command does not run and fails with this status; the shell goes
    /// on with the next command (`> $two_words`: an ambiguous redirect).
    Failed(Status),
    /// The rest of the command line is dropped too (a division by zero,
    /// a bad substitution, failglob's "no match"); a script goes on with
    /// its next line.
    Abandon(Status),
    /// `${x?}` and `set -u`'s unbound variable: a shell that is not
    /// interactive exits.
    Fatal(Status),
}

pub type Expanded<T> = Result<T, ExpandError>;

/// The argv of a command: every word expanded, split and globbed. After a
/// declaration builtin, an assignment-shaped argument stays one field,
/// `name=value`.
pub fn argv(shell: &mut Shell, words: &[Argument]) -> Expanded<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(words.len());
    for argument in words {
        match argument {
            Argument::Word(word) => fields_into(shell, word, &mut out)?,
            Argument::Assignment(assignment) => out.push(assignment_text(shell, assignment)?),
        }
    }
    Ok(out)
}

/// The fields of a list of words: a `for` loop's, an array's elements.
pub fn fields(shell: &mut Shell, words: &[Word]) -> Expanded<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for word in words {
        fields_into(shell, word, &mut out)?;
    }
    Ok(out)
}

/// One word's fields, appended to `out`.
fn fields_into(shell: &mut Shell, word: &Word, out: &mut Vec<Vec<u8>>) -> Expanded<()> {
    // A plain word, the commonest by far, needs none of the machinery; nor
    // one that only looks like a pattern (`[`, the test command).
    if let Some(text) = word.as_literal() {
        if !has_glob_byte(text) || !glob::is_pattern(text, |_| false, shell.options.extglob) {
            out.push(text.to_vec());
            return Ok(());
        }
    }
    for parts in brace::expand(&word.parts) {
        let mut fields = Fields::new();
        Walker::new(shell).parts(&parts, false, &mut fields)?;
        for field in fields.finish() {
            glob_into(shell, field, out)?;
        }
    }
    Ok(())
}

/// Pathname expansion of one field, or the field itself when its pattern
/// matches nothing (or holds none).
fn glob_into(shell: &mut Shell, field: Field, out: &mut Vec<Vec<u8>>) -> Expanded<()> {
    let options = &shell.options;
    if !field.may_glob() || options.noglob {
        out.push(field.text);
        return Ok(());
    }
    let glob_options = glob::GlobOptions {
        dotglob: options.dotglob,
        nocaseglob: options.nocaseglob,
        extglob: options.extglob,
        globstar: options.globstar,
        match_dots: !options.globskipdots,
        chars: chars(shell),
    };
    let matches = glob::glob(&field.text, |i| field.is_quoted(i), &glob_options);
    if !matches.is_empty() {
        out.extend(matches);
    } else if options.failglob {
        let text = String::from_utf8_lossy(&field.text).into_owned();
        shell.report_error(&format!("no match: {text}"));
        return Err(ExpandError::Abandon(1));
    } else if !options.nullglob {
        out.push(field.text);
    }
    Ok(())
}

/// A word that stays one string whatever it holds: an assignment's value,
/// `case`'s word, a here-document, a `[[ ]]` operand. No splitting, no
/// globbing; `$@` is joined with spaces.
pub fn string(shell: &mut Shell, word: &Word) -> Expanded<Vec<u8>> {
    if let Some(text) = word.as_literal() {
        return Ok(text.to_vec());
    }
    let mut sink = split::Joined::default();
    Walker::new(shell).parts(&word.parts, false, &mut sink)?;
    Ok(sink.text)
}

/// A redirection's target, which must be exactly one field: `> $empty`
/// and `> $two_words` are "ambiguous redirects" in bash. A plain word
/// (`> out.txt`) needs no expansion and is borrowed as it is.
pub fn redirect_target<'w>(shell: &mut Shell, word: &'w Word) -> Expanded<Cow<'w, [u8]>> {
    if let Some(text) = word.as_literal() {
        if !text.is_empty() && !has_glob_byte(text) {
            return Ok(Cow::Borrowed(text));
        }
    }
    let mut out = Vec::new();
    fields_into(shell, word, &mut out)?;
    match out.len() {
        1 => Ok(Cow::Owned(out.pop().unwrap_or_default())),
        _ => {
            shell.report_error(&format!("{word}: ambiguous redirect"));
            Err(ExpandError::Failed(1))
        }
    }
}

/// A word as a pattern (`case`, `[[ == ]]`, `${x#p}`): expanded without
/// splitting, its quoted characters literal. `extglob` for `[[ == ]]`,
/// where bash always has it; `nocase` where `nocasematch` applies (`case`,
/// `[[ ]]`, `${x/p/s}`, but not `${x#p}` in bash 5.2).
///
/// Compiled once per text, quoting and options: a loop's `${p##*/}` or
/// `case` compiled the same pattern on every turn (measured: a third of a
/// trimming loop's instructions). The cache is the shell's, small, and
/// emptied when full.
pub fn pattern(
    shell: &mut Shell,
    word: &Word,
    extglob: bool,
    nocase: bool,
) -> Expanded<Rc<Pattern>> {
    let field = pattern_field(shell, word)?;
    let options = PatternOptions {
        extglob: extglob || shell.options.extglob,
        nocase: nocase && shell.options.nocasematch,
        explicit_dot: false,
        chars: chars(shell),
    };
    let (text, quoted) = field.into_parts();
    let key = PatternKey {
        text,
        quoted,
        options,
    };
    if let Some(pattern) = shell.patterns.get(&key) {
        return Ok(Rc::clone(pattern));
    }
    let is_quoted = |i: usize| {
        let at = key.quoted.partition_point(|r| r.end <= i);
        key.quoted.get(at).is_some_and(|r| r.start <= i)
    };
    let pattern = Rc::new(Pattern::new(&key.text, is_quoted, options));
    if shell.patterns.len() >= PATTERN_CACHE {
        shell.patterns.clear();
    }
    shell.patterns.insert(key, Rc::clone(&pattern));
    Ok(pattern)
}

/// How many compiled patterns the shell keeps.
const PATTERN_CACHE: usize = 64;

/// What a compiled pattern depends on: its text, which bytes of it were
/// quoted, and the options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatternKey {
    text: Vec<u8>,
    quoted: Vec<std::ops::Range<usize>>,
    options: PatternOptions,
}

/// How the locale cuts text into characters.
pub fn chars(shell: &Shell) -> crate::pattern::Chars {
    match shell.utf8() {
        true => crate::pattern::Chars::Utf8,
        false => crate::pattern::Chars::Bytes,
    }
}

/// A word expanded as one field, with its quoting kept.
pub fn pattern_field(shell: &mut Shell, word: &Word) -> Expanded<Field> {
    let mut sink = split::Unsplit::default();
    Walker::new(shell).parts(&word.parts, false, &mut sink)?;
    Ok(sink.field)
}

/// The right side of `=~`: quoted characters match themselves, so they
/// are escaped for the regular expression.
pub fn regex(shell: &mut Shell, word: &Word) -> Expanded<Vec<u8>> {
    let field = pattern_field(shell, word)?;
    let mut out = Vec::with_capacity(field.text.len());
    for (i, &b) in field.text.iter().enumerate() {
        if field.is_quoted(i) && b"\\.[]()*+?{}|^$".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
    }
    Ok(out)
}

/// An assignment word after a declaration builtin, as its argument:
/// `name=value` (a scalar), or `name=(…)` with the elements expanded and
/// quoted back so the builtin can read them.
fn assignment_text(shell: &mut Shell, assignment: &Assignment) -> Expanded<Vec<u8>> {
    let mut text = assignment.name.clone().into_bytes();
    if let Some(index) = &assignment.index {
        text.push(b'[');
        text.extend(string(shell, index)?);
        text.push(b']');
    }
    text.extend_from_slice(if assignment.append { b"+=" } else { b"=" });
    match &assignment.value {
        AssignValue::Scalar(word) => text.extend(string(shell, word)?),
        AssignValue::Array(elements) => {
            text.push(b'(');
            let mut first = true;
            for element in elements {
                let key = match &element.key {
                    Some(key) => Some(string(shell, key)?),
                    None => None,
                };
                let values = match key {
                    Some(_) => vec![string(shell, &element.value)?],
                    None => fields(shell, std::slice::from_ref(&element.value))?,
                };
                for value in values {
                    if !first {
                        text.push(b' ');
                    }
                    first = false;
                    if let Some(key) = &key {
                        text.push(b'[');
                        text.extend(crate::quote::quote(key));
                        text.extend_from_slice(b"]=");
                    }
                    text.extend(crate::quote::quote(&value));
                }
            }
            text.push(b')');
        }
    }
    Ok(text)
}

/// Whether unquoted text holds a byte that makes it a glob pattern.
fn has_glob_byte(text: &[u8]) -> bool {
    text.iter().any(|b| matches!(b, b'*' | b'?' | b'['))
}

/// Where expanded text goes: into fields that split (a command's words),
/// into one string, or into one field that remembers its quoting.
trait Sink {
    /// Text from quotes, or a tilde's directory: never split nor globbed.
    fn quoted(&mut self, text: &[u8]);
    /// Unquoted text of the word itself: not split, but it may glob.
    fn literal(&mut self, text: &[u8]);
    /// What an unquoted expansion produced: split on `ifs`, and globbed.
    fn expanded(&mut self, text: &[u8], ifs: &[u8]);
    /// Between the elements of `$@`: a new field starts (kept even if
    /// empty when `quoted`).
    fn next_field(&mut self, quoted: bool);
    /// Quotes were seen: the field exists even if empty (`""`).
    fn keep(&mut self);
    /// Whether what it collects is split into fields later. Where it is
    /// not (an assignment, a `case` word, `[[ ]]`), an unquoted `$*` is
    /// joined as `"$*"` is: with the first character of IFS.
    fn splits(&self) -> bool {
        true
    }
}

/// Walks a word's parts, expanding each into a sink.
struct Walker<'s> {
    shell: &'s mut Shell,
    /// Inside the word of an unquoted `${x:-word}`: its plain text is
    /// part of the expansion's result, so it is split and globbed too.
    split_literals: bool,
}

impl<'s> Walker<'s> {
    fn new(shell: &'s mut Shell) -> Walker<'s> {
        Walker {
            shell,
            split_literals: false,
        }
    }
}

impl Walker<'_> {
    /// `$IFS`, borrowed: copying it for every unquoted expansion cost an
    /// allocation each time.
    fn ifs(&self) -> &[u8] {
        self.shell.vars.get("IFS").unwrap_or(b" \t\n")
    }

    /// Pushes an expansion's result: quoted inside double quotes, split
    /// outside.
    fn push_value(&self, text: &[u8], quoted: bool, sink: &mut dyn Sink) {
        if quoted {
            sink.keep();
            sink.quoted(text);
        } else if !text.is_empty() {
            sink.expanded(text, self.ifs());
        }
    }

    /// `"$@"`-like values: each element its own field in quotes, and split
    /// further outside them.
    ///
    /// Unquoted, bash joins the elements with the first character of IFS
    /// and splits the result, so with a separator that is not white space
    /// an empty element between others still makes an empty field
    /// (`IFS=x; set -- a '' b; echo $@` gives three words).
    fn push_fields(&self, values: &[Vec<u8>], quoted: bool, sink: &mut dyn Sink) {
        let ifs: &[u8] = if quoted { b"" } else { self.ifs() };
        let joiner = match ifs.first() {
            Some(&first) if sink.splits() => Some([first]),
            _ => None,
        };
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                match &joiner {
                    Some(joiner) => sink.expanded(joiner, ifs),
                    None => sink.next_field(quoted),
                }
            }
            if quoted {
                sink.keep();
                sink.quoted(value);
            } else if !value.is_empty() {
                sink.expanded(value, ifs);
            }
        }
    }

    fn parts(&mut self, parts: &[WordPart], quoted: bool, sink: &mut dyn Sink) -> Expanded<()> {
        for part in parts {
            self.part(part, quoted, sink)?;
        }
        Ok(())
    }

    fn part(&mut self, part: &WordPart, quoted: bool, sink: &mut dyn Sink) -> Expanded<()> {
        match part {
            WordPart::Literal(text) if quoted => sink.quoted(text),
            WordPart::Literal(text) if self.split_literals => {
                let ifs = self.shell.vars.get("IFS").unwrap_or(b" \t\n");
                sink.expanded(text, ifs)
            }
            WordPart::Literal(text) => sink.literal(text),
            WordPart::Escaped(byte) => {
                sink.quoted(&[*byte]);
                sink.keep();
            }
            WordPart::SingleQuoted(text) | WordPart::AnsiC(text) => {
                sink.quoted(text);
                sink.keep();
            }
            WordPart::DoubleQuoted(inner) => {
                // `"$@"` with no parameters makes no field at all; any other
                // quotes make one, even empty.
                if !is_lone_at(inner) {
                    sink.keep();
                }
                self.parts(inner, true, sink)?;
            }
            WordPart::Param(expr) => self.param(expr, quoted, sink)?,
            WordPart::CommandSub { body, .. } => {
                let output = cmdsub::capture(self.shell, body);
                self.push_value(&output, quoted, sink);
            }
            WordPart::ProcessSub { .. } if !self.shell.run_substitutions => sink.keep(),
            WordPart::ProcessSub { body, reads } => {
                let path = self.shell.process_substitution(body, *reads);
                sink.quoted(&path);
                sink.keep();
            }
            WordPart::Arith(arith) => {
                let value = eval_arith(self.shell, arith)?;
                self.push_value(value.to_string().as_bytes(), quoted, sink);
            }
            WordPart::Tilde(user) => {
                let home = tilde::expand(self.shell, user);
                sink.quoted(&home);
                sink.keep();
            }
            // Brace expansion ran first; a brace left here (inside quotes
            // or an operator's word) is its text.
            WordPart::Brace(brace) => {
                let text = brace.to_string();
                if quoted {
                    sink.quoted(text.as_bytes());
                } else {
                    sink.literal(text.as_bytes());
                }
            }
            WordPart::BadSubstitution(text) => {
                let text = String::from_utf8_lossy(text).into_owned();
                self.shell
                    .report_error(&format!("{text}: bad substitution"));
                return Err(ExpandError::Abandon(1));
            }
        }
        Ok(())
    }
}

/// Whether double quotes hold just `$@` or `${a[@]}` (with any operator):
/// the case that can make zero fields, which then decides itself whether
/// there is a field.
fn is_lone_at(inner: &[WordPart]) -> bool {
    match inner {
        [WordPart::Param(expr)] => {
            expr.param == Param::AllSeparate || expr.subscript == Some(Subscript::All)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
