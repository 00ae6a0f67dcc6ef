//! The parser: shell text in, a command tree ([`crate::ast`]) or a located
//! [`SyntaxError`] out. Nothing here runs anything.
//!
//! It is a recursive-descent parser, one method per grammar rule (in
//! [`grammar`], [`word`], [`cond`]), over a [`Reader`] that pulls input a
//! line at a time only when a rule needs more: an unfinished `while`, an open
//! quote or a here-document's body make it read on, and nothing is parsed
//! twice. The token rules are nom parsers over the bytes at the position
//! ([`lexer`]); the arithmetic sub-language is a nom grammar of its own
//! ([`arith`]).
//!
//! ```text
//! complete_command = and_or ((";" | "&") and_or)* [";" | "&"] newline
//! and_or        = pipeline (("&&" | "||") linebreak pipeline)*
//! pipeline      = ["!"] ["time" ["-p"]] command (("|" | "|&") linebreak command)*
//! command       = compound redirection* | function_def | simple_command
//! compound      = "(" list ")" | "{" list "}" | "((" arith "))" | "[[" cond "]]"
//!               | if | while | until | for | case | select
//! simple_command = (assignment | redirection)* (word | redirection)*
//! ```

mod alias;
pub mod arith;
pub mod arith_error;
mod arith_lexer;
mod brace;
mod cond;
mod error;
mod grammar;
mod heredoc;
mod lexer;
pub mod reader;
mod word;

pub use alias::Aliases;
pub use error::{SyntaxError, SyntaxErrorKind};
pub use lexer::is_name;
pub use reader::{LineReader, TextLines};
pub use word::{decode_ansi_c, mark_tilde};

use crate::ast::{HereDoc, List};
use lexer::{Keyword, Operator};
use reader::Reader;

type PResult<T> = Result<T, SyntaxError>;

/// How deeply commands and words may nest (`((((…))))`, `$($($(…)))`) before
/// the parser refuses: far beyond any real script, and well short of the
/// stack's end, so hostile input gets an error and not a crash.
const MAX_DEPTH: usize = 400;

/// A parser over one input, giving one complete command at a time.
pub struct Parser<'s> {
    r: Reader<'s>,
    /// Here-documents whose operator was read and whose body comes after
    /// the current line.
    pending: Vec<heredoc::Pending>,
    /// `shopt -s extglob`: `@(a|b)` and friends are part of a word.
    pub extglob: bool,
    /// Things to tell the user that are not errors (a here-document ended
    /// by the end of the input).
    warnings: Vec<String>,
    depth: usize,
    /// Open compound commands around the position, for skipping a broken
    /// one after a syntax error.
    open: usize,
    /// The aliases to expand, when alias expansion is on.
    pub aliases: Option<Aliases>,
    expanding: Vec<alias::Expanding>,
    /// The value of the alias just expanded ended in a blank: the word
    /// after where it ends is checked too.
    alias_next: Option<usize>,
}

impl<'s> Parser<'s> {
    pub fn new(source: &'s mut dyn LineReader) -> Parser<'s> {
        Parser {
            r: Reader::new(source),
            pending: Vec::new(),
            extglob: false,
            warnings: Vec::new(),
            depth: 0,
            open: 0,
            aliases: None,
            expanding: Vec::new(),
            alias_next: None,
        }
    }

    /// The next complete command: everything up to the newline that ends it
    /// (with the here-document bodies after that line). `Ok(None)` at the end
    /// of the input; an empty list for a blank or comment line.
    pub fn next_command(&mut self) -> Result<Option<List>, SyntaxError> {
        self.r.start_command();
        self.pending.clear();
        self.open = 0;
        self.depth = 0;
        self.complete_command()
    }

    /// Numbers the input's lines from `line` on: a new parser picks up
    /// where the one before it stopped.
    pub fn starting_at_line(mut self, line: u32) -> Self {
        self.r.set_first_line(line);
        self
    }

    /// The number of the next line to read.
    pub fn next_line_number(&self) -> u32 {
        self.r.line()
    }

    /// What was read but not parsed yet: the rest of a line after an alias
    /// whose text held a newline (`alias two='a\nb'`). The next parser
    /// must start with it.
    pub fn leftover(&self) -> &[u8] {
        self.r.rest()
    }

    /// The text of the command parsed last, all its lines: what a terminal
    /// keeps as one history entry.
    pub fn text(&self) -> &[u8] {
        self.r.text()
    }

    /// Why the input ended early: a read error, or Ctrl-C at a prompt.
    pub fn take_read_error(&mut self) -> Option<std::io::Error> {
        self.r.take_error()
    }

    /// Warnings gathered while parsing, to print before running.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// After a syntax error: drops the rest of the line, and if the error
    /// was inside a compound command (an `if`, a loop…), the lines up to the
    /// word that closes it, so that none of its pieces runs on its own.
    pub fn recover(&mut self) {
        let mut depth = self.open;
        self.r.skip_line();
        while depth > 0 {
            if self.r.peek().is_none() {
                return;
            }
            let end =
                crate::bytes::find(b'\n', self.r.rest()).map_or(self.r.rest().len(), |p| p + 1);
            let line = self.r.rest()[..end].to_vec();
            self.r.advance(end);
            depth = lexer::nesting_after(&line, depth);
        }
    }

    // ---- the parser's own small steps ---------------------------------

    fn error(&self, at: usize, kind: SyntaxErrorKind) -> SyntaxError {
        let (line, column) = self.r.line_and_column(at);
        SyntaxError { kind, line, column }
    }

    /// The error for whatever token stands at the position, which the
    /// grammar cannot take here.
    fn unexpected(&mut self) -> SyntaxError {
        self.blanks();
        let at = self.r.pos();
        match self.r.peek() {
            None => self.error(at, SyntaxErrorKind::UnexpectedEnd { looking_for: None }),
            Some(_) => {
                let token = self.token_text();
                self.error(at, SyntaxErrorKind::UnexpectedToken(token))
            }
        }
    }

    fn unexpected_end(&self, looking_for: Option<&str>) -> SyntaxError {
        self.error(
            self.r.pos(),
            SyntaxErrorKind::UnexpectedEnd {
                looking_for: looking_for.map(str::to_owned),
            },
        )
    }

    fn unsupported(&self, at: usize, what: &'static str) -> SyntaxError {
        self.error(at, SyntaxErrorKind::Unsupported(what))
    }

    /// The token at the position as a syntax error names it: an operator,
    /// a redirection operator, the next word's text, or `newline`.
    fn token_text(&self) -> String {
        let rest = self.r.rest();
        if let Ok((after, _)) = lexer::redirect_op(rest) {
            return String::from_utf8_lossy(&rest[..rest.len() - after.len()]).into_owned();
        }
        if let Ok((_, op)) = lexer::operator(rest) {
            return op.text().to_owned();
        }
        let end = rest
            .iter()
            .position(|&b| lexer::is_metachar(b))
            .unwrap_or(rest.len());
        String::from_utf8_lossy(&rest[..end.max(1).min(rest.len())]).into_owned()
    }

    /// Skips spaces, tabs, a comment and line continuations: what may stand
    /// between two tokens of one line.
    fn blanks(&mut self) {
        loop {
            let Some(b) = self.r.peek() else { return };
            match b {
                b' ' | b'\t' => self.r.advance(1),
                b'#' => {
                    let n = lexer::blanks_len(self.r.rest());
                    self.r.advance(n);
                }
                b'\\' if self.r.join_continuation() => {}
                _ => return,
            }
        }
    }

    /// Skips blanks, comments and newlines: where a command may start on a
    /// later line (after `&&`, `|`, `then`, inside a compound command).
    fn linebreak(&mut self) -> PResult<()> {
        loop {
            self.blanks();
            if self.r.peek() != Some(b'\n') {
                return Ok(());
            }
            self.newline()?;
        }
    }

    /// Consumes a newline, then reads the bodies of the here-documents its
    /// line announced.
    fn newline(&mut self) -> PResult<()> {
        self.r.advance(1);
        if !self.pending.is_empty() {
            self.read_heredoc_bodies()?;
        }
        Ok(())
    }

    /// The control operator at the position, if any (after blanks).
    fn peek_op(&mut self) -> Option<Operator> {
        self.blanks();
        let first = self.r.peek()?;
        while b"&|;<>".contains(&first)
            && self.r.peek_at(1) == Some(b'\\')
            && self.r.peek_at(2) == Some(b'\n')
        {
            let at = self.r.pos() + 1;
            self.r.remove_continuation(at);
        }
        if lexer::redirect_op(self.r.rest()).is_ok() {
            return None;
        }
        lexer::operator(self.r.rest()).ok().map(|(_, op)| op)
    }

    /// The reserved word at the position, if the word there is one.
    fn peek_keyword(&mut self) -> Option<Keyword> {
        self.blanks();
        self.r.peek()?;
        // bash joins continued lines before it reads a word, so
        // `i\<newline>f` and `[[\<newline>` are reserved words: the
        // continuations inside (and right after) a word of the letters
        // and brackets reserved words are made of go first.
        let keyword_byte = |b: u8| b.is_ascii_alphabetic() || b"[]{}!".contains(&b);
        let rest = self.r.rest();
        let len = rest.iter().take_while(|&&b| keyword_byte(b)).count();
        // A continuation shows as the first byte after the letters: only
        // then is there anything to join (the grammar asks here at every
        // command, so the plain case stays a scan).
        if rest.get(len) == Some(&b'\\') {
            let mut k = 0;
            loop {
                self.r.splice_continuations(k);
                match self.r.peek_at(k) {
                    Some(b) if keyword_byte(b) => k += 1,
                    _ => break,
                }
            }
        }
        lexer::keyword(self.r.rest()).ok().map(|(_, k)| k)
    }

    /// Consumes reserved word `k`, or fails naming what stands there.
    fn expect_keyword(&mut self, k: Keyword) -> PResult<()> {
        if self.peek_keyword() == Some(k) {
            self.r.advance(k.text().len());
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.unsupported(self.r.pos(), "commands nested this deeply are"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// Text read as the body of a here-document is: `$x`, `$( )`, `$(( ))` and
/// backslashes as in double quotes, but `"` plain. How a prompt string's
/// expansions are read (`${x@P}`, `$PS1`).
pub fn expandable_text(text: &[u8]) -> Result<crate::ast::Word, SyntaxError> {
    let mut lines = TextLines::new(text);
    let mut parser = Parser::new(&mut lines);
    let parts = parser.word_until(word::Mode::HereDoc)?;
    Ok(crate::ast::Word {
        parts: vec![crate::ast::WordPart::DoubleQuoted(parts.parts)],
    })
}

/// Whether `name` is a reserved word (`if`, `done`, `{`…), for `type`.
pub fn is_reserved_word(name: &[u8]) -> bool {
    matches!(lexer::keyword(name), Ok((rest, _)) if rest.is_empty())
}

/// Parses a whole text as one list: every command in it, in order. For
/// tests and for text the shell itself holds (a trap's action); commands
/// read from input go through [`Parser::next_command`] one at a time.
pub fn parse(text: &[u8]) -> Result<List, SyntaxError> {
    let mut lines = TextLines::new(text);
    let mut parser = Parser::new(&mut lines);
    let mut list = List::default();
    while let Some(command) = parser.next_command()? {
        list.items.extend(command.items);
    }
    Ok(list)
}

/// A here-document's body cell and what it waits for.
pub(crate) fn new_heredoc(delimiter: Vec<u8>, literal: bool, strip_tabs: bool) -> HereDoc {
    HereDoc {
        delimiter,
        literal,
        strip_tabs,
        body: std::rc::Rc::new(std::cell::OnceCell::new()),
    }
}

#[cfg(test)]
mod tests;
