//! Words: unquoted text, quotes, backslashes and every `$` form, read byte by
//! byte because a word may run over several lines (inside quotes, `$( )`
//! or `${ }`). A command substitution's body is parsed right here, with
//! the word, by the same grammar: its syntax errors are found at once.
//!
//! What ends a word, and what a backslash or a quote means inside it,
//! depends on where the word stands: that is the [`Mode`].

use std::rc::Rc;

use super::lexer::{self, is_metachar, is_name_byte, is_name_start};
use super::{PResult, Parser, SyntaxError, SyntaxErrorKind, TextLines};
use crate::ast::*;

/// Where a word is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A command's word: brace expansion and tilde apply; ends at a blank or
    /// an operator.
    Normal,
    /// A word with tilde but no brace expansion: `case`'s word, a
    /// here-document's delimiter, a `[[ ]]` operand.
    Plain,
    /// A `case` pattern: like `Plain`, with `@(a|b)` when extglob is on.
    Pattern,
    /// The right side of `==` in `[[ ]]`: a pattern, extglob always on.
    CondPattern,
    /// The right side of `=~`: parentheses and `|` belong to the regex.
    Regex,
    /// An assignment's value: tilde after `=` and each `:`.
    Assignment,
    /// Inside `"…"`, up to the closing quote.
    DoubleQuote,
    /// The word of `${x:-word}` and its kin, up to `}`; `quoted` when the
    /// `${ }` stands in double quotes, where single quotes are plain text
    /// except in patterns (`single_quotes`).
    ParamWord {
        quoted: bool,
        single_quotes: bool,
        end: ParamEnd,
    },
    /// An array subscript, up to the matching `]`.
    Subscript,
    /// `$(( … ))` and `(( … ))`, up to the `)` that closes the outer level.
    Arith,
    /// One expression of `for ((;;))`, up to `;` (or the final `)`).
    ArithFor(u8),
    /// A here-document's body: expansions and backslashes as in double
    /// quotes, but `"` is plain text.
    HereDoc,
    /// Inside an extglob group `@( … )`, up to its `)`.
    ExtGlob,
}

/// What, besides `}`, ends the word of a parameter operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ParamEnd {
    Brace,
    /// The pattern of `${x/p/s}` ends at `/` too.
    Slash,
    /// The offset of `${x:o:l}` ends at `:` too.
    Colon,
}

impl Mode {
    /// Double-quote rules for backslashes and single quotes.
    fn quoted(self) -> bool {
        matches!(
            self,
            Mode::DoubleQuote | Mode::HereDoc | Mode::ParamWord { quoted: true, .. }
        )
    }

    /// Whether `'…'` quotes here. In arithmetic a `'` is itself, as in
    /// bash (`$(( '1' ))` is an error), except in an associative array's
    /// key, which the evaluator unquotes.
    fn single_quotes(self) -> bool {
        match self {
            Mode::DoubleQuote | Mode::HereDoc | Mode::Arith | Mode::ArithFor(_) => false,
            Mode::ParamWord { single_quotes, .. } => single_quotes,
            _ => true,
        }
    }

    /// Whether a blank or an operator byte ends the word.
    fn ends_at_metachar(self) -> bool {
        matches!(
            self,
            Mode::Normal | Mode::Plain | Mode::Pattern | Mode::CondPattern | Mode::Assignment
        )
    }
}

impl Parser<'_> {
    /// A word in `mode` (one that ends at a blank or operator), with tilde
    /// and brace expansion marked where they apply.
    pub(super) fn word(&mut self, mode: Mode) -> PResult<Word> {
        let mut parts = self.parts(mode)?;
        match mode {
            Mode::Normal => {
                // A word shaped like an assignment (`a=~/x`) gets tilde
                // expansion after its `=` and colons, as bash gives it.
                mark_word_tilde(&mut parts);
                parts = super::brace::mark(parts);
            }
            Mode::Plain | Mode::Pattern | Mode::CondPattern => mark_tilde(&mut parts, false),
            Mode::Assignment => mark_tilde(&mut parts, true),
            _ => {}
        }
        Ok(Word { parts })
    }

    /// A word in a mode that ends at a closing byte (`]`, `)`, `}`…),
    /// which is left for the caller.
    pub(super) fn word_until(&mut self, mode: Mode) -> PResult<Word> {
        Ok(Word {
            parts: self.parts(mode)?,
        })
    }

    fn parts(&mut self, mode: Mode) -> PResult<Vec<WordPart>> {
        self.enter()?;
        let parts = self.parts_inner(mode);
        self.leave();
        parts
    }

    fn parts_inner(&mut self, mode: Mode) -> PResult<Vec<WordPart>> {
        let open = self.r.pos();
        let mut parts: Vec<WordPart> = Vec::new();
        // Nesting of `(` (arithmetic, regex, extglob) or `[` (subscripts)
        // inside the word, so that only the outer closing byte ends it.
        let mut depth = 0usize;
        loop {
            let Some(b) = self.r.peek() else {
                return match mode {
                    Mode::DoubleQuote => Err(self.error(
                        open.saturating_sub(1),
                        SyntaxErrorKind::UnexpectedEnd {
                            looking_for: Some("\"".into()),
                        },
                    )),
                    Mode::ParamWord { .. } => Err(self.unexpected_end(Some("}"))),
                    Mode::Arith | Mode::ArithFor(_) | Mode::ExtGlob => {
                        Err(self.unexpected_end(Some(")")))
                    }
                    Mode::Subscript => Err(self.unexpected_end(Some("]"))),
                    _ => Ok(parts),
                };
            };
            // What ends the word here?
            match mode {
                _ if mode.ends_at_metachar() && is_metachar(b) => {
                    if matches!(mode, Mode::Normal | Mode::Assignment)
                        && self.at_process_substitution()
                    {
                        let part = self.process_substitution()?;
                        push(&mut parts, part);
                        continue;
                    }
                    let extglob = matches!(mode, Mode::CondPattern)
                        || (self.extglob && matches!(mode, Mode::Normal | Mode::Pattern));
                    if b == b'(' && extglob && ends_with_extglob_prefix(&parts) {
                        self.r.advance(1);
                        push(&mut parts, WordPart::Literal(b"(".to_vec()));
                        for part in self.parts(Mode::ExtGlob)? {
                            push(&mut parts, part);
                        }
                        self.r.advance(1);
                        push(&mut parts, WordPart::Literal(b")".to_vec()));
                        continue;
                    }
                    return Ok(parts);
                }
                Mode::DoubleQuote if b == b'"' => {
                    self.r.advance(1);
                    return Ok(parts);
                }
                Mode::ParamWord { end, .. } => {
                    let ends = b == b'}'
                        || (end == ParamEnd::Slash && b == b'/')
                        || (end == ParamEnd::Colon && b == b':');
                    if ends && depth == 0 {
                        return Ok(parts);
                    }
                    if b == b'{' && !mode.quoted() {
                        depth += 1;
                    } else if b == b'}' {
                        depth -= 1;
                    }
                }
                Mode::Subscript => match b {
                    b']' if depth == 0 => return Ok(parts),
                    b']' => depth -= 1,
                    b'[' => depth += 1,
                    _ => {}
                },
                Mode::Arith | Mode::ExtGlob | Mode::Regex | Mode::ArithFor(_) => {
                    let end = match mode {
                        Mode::ArithFor(end) => end,
                        _ => b')',
                    };
                    if b == b')' && depth > 0 {
                        depth -= 1;
                    } else if b == end && depth == 0 {
                        if mode == Mode::Regex {
                            return Ok(parts);
                        }
                        return Ok(parts);
                    } else if b == b'(' {
                        depth += 1;
                    } else if mode == Mode::Regex && depth == 0 && ends_regex(self.r.rest()) {
                        return Ok(parts);
                    }
                }
                _ => {}
            }
            let part = match b {
                b'\\' => self.backslash(mode),
                b'\'' if mode.single_quotes() => Some(self.single_quoted()?),
                // In `"${x-'…'}"` the quotes are plain text, yet bash looks for
                // the closing brace past them: `"${x-'}'}"` is `'}'`.
                b'\'' if matches!(mode, Mode::ParamWord { quoted: true, .. }) => {
                    Some(self.quoted_span_as_text()?)
                }
                b'"' if mode != Mode::HereDoc => {
                    self.r.advance(1);
                    Some(WordPart::DoubleQuoted(self.parts(Mode::DoubleQuote)?))
                }
                b'$' => self.dollar(mode)?,
                b'`' => Some(self.backquote(mode.quoted())?),
                _ => {
                    let text = self.literal_run(mode, depth);
                    Some(WordPart::Literal(text))
                }
            };
            if let Some(part) = part {
                push(&mut parts, part);
            }
        }
    }

    /// Plain text up to the next byte that may mean something in `mode`.
    fn literal_run(&mut self, mode: Mode, depth: usize) -> Vec<u8> {
        let rest = self.r.rest();
        let special = |b: u8| match b {
            b'\\' | b'$' | b'`' => true,
            b'\'' => mode.single_quotes(),
            b'"' => mode != Mode::HereDoc,
            _ => match mode {
                Mode::Normal
                | Mode::Plain
                | Mode::Pattern
                | Mode::CondPattern
                | Mode::Assignment => is_metachar(b),
                Mode::DoubleQuote | Mode::HereDoc => false,
                Mode::ParamWord { .. } => b == b'}' || b == b'{' || b == b'/' || b == b':',
                Mode::Subscript => b == b']' || b == b'[',
                Mode::Arith | Mode::ExtGlob | Mode::ArithFor(_) => {
                    b == b'(' || b == b')' || b == b';'
                }
                Mode::Regex => b == b'(' || b == b')' || (depth == 0 && is_metachar(b)),
            },
        };
        let mut len = rest.iter().take_while(|&&b| !special(b)).count();
        if len == 0 {
            // The byte is special here but stands for itself (a `(` inside
            // arithmetic, a `/` in a `${x:-a/b}`): take it alone.
            len = 1;
        }
        let text = rest[..len].to_vec();
        self.r.advance(len);
        text
    }

    /// A backslash: escapes the next byte, joins lines before a newline, or
    /// (inside double quotes, before an ordinary byte) stands for itself.
    fn backslash(&mut self, mode: Mode) -> Option<WordPart> {
        let next = self.r.peek_at(1);
        match next {
            Some(b'\n') => {
                self.r.advance(2);
                None
            }
            // At the end of the input a backslash is itself, as if escaped:
            // so it stays itself wherever the word is printed back.
            None => {
                self.r.advance(1);
                Some(WordPart::Escaped(b'\\'))
            }
            Some(c) if mode.quoted() => {
                let escapes = match mode {
                    Mode::HereDoc => matches!(c, b'$' | b'`' | b'\\'),
                    // Inside `"${x…}"` a backslash also escapes what would
                    // end the operator's word: `}`, and `/` in a pattern.
                    Mode::ParamWord {
                        end, single_quotes, ..
                    } => {
                        matches!(c, b'$' | b'`' | b'\\' | b'"' | b'}')
                            || (c == b'/' && end == ParamEnd::Slash)
                            || (c == b'\'' && single_quotes)
                    }
                    _ => matches!(c, b'$' | b'`' | b'\\' | b'"'),
                };
                if escapes {
                    self.r.advance(2);
                    Some(WordPart::Escaped(c))
                } else if c == b'\'' && matches!(mode, Mode::ParamWord { .. }) {
                    // `"${x-\'…}"`: both stay, but the quote opens no
                    // `'…'` span: bash skips an escaped byte when it looks
                    // for the closing brace.
                    self.r.advance(2);
                    Some(WordPart::Literal(b"\\'".to_vec()))
                } else {
                    self.r.advance(1);
                    Some(WordPart::Literal(b"\\".to_vec()))
                }
            }
            // Escaping a non-ASCII byte changes nothing (none is special),
            // and keeping it a literal keeps multi-byte characters whole.
            Some(c) if !c.is_ascii() => {
                self.r.advance(1);
                None
            }
            Some(c) => {
                self.r.advance(2);
                Some(WordPart::Escaped(c))
            }
        }
    }

    /// `'…'` inside `"${x-…}"`: the quotes are text and what is between
    /// them still expands (`"${u-'$v'}"` is `'` and $v and `'`); a `'` with
    /// no partner is alone.
    fn quoted_span_as_text(&mut self) -> PResult<WordPart> {
        let at = self.r.pos();
        // The closing quote may be lines away: bash reads on to find it,
        // and the end of the input without one is an error, as for `'…'`.
        let mut close = 1;
        loop {
            match self.r.peek_at(close) {
                Some(b'\'') => break,
                Some(_) => close += 1,
                None => {
                    return Err(self.error(
                        at,
                        SyntaxErrorKind::UnexpectedEnd {
                            looking_for: Some("'".into()),
                        },
                    ));
                }
            }
        }
        let close = close - 1;
        let inner = double_quote_removal(&self.r.rest()[1..=close]);
        self.r.advance(close + 2);
        let mut parts = vec![WordPart::Literal(b"'".to_vec())];
        match super::expandable_text(&inner) {
            Ok(crate::ast::Word { parts: inner_parts }) => {
                for part in inner_parts {
                    match part {
                        WordPart::DoubleQuoted(inside) => {
                            inside.into_iter().for_each(|p| push(&mut parts, p))
                        }
                        other => push(&mut parts, other),
                    }
                }
            }
            Err(e) => return Err(self.error(at + 1, e.kind)),
        }
        // Merged with the text before it: `''` is one literal, as `"''"`
        // reads.
        push(&mut parts, WordPart::Literal(b"'".to_vec()));
        Ok(WordPart::DoubleQuoted(parts))
    }

    /// `'…'`: everything up to the next `'` is literal, newlines included.
    fn single_quoted(&mut self) -> PResult<WordPart> {
        let open = self.r.pos();
        self.r.advance(1);
        let mut text = Vec::new();
        loop {
            if self.r.peek().is_none() {
                return Err(self.error(
                    open,
                    SyntaxErrorKind::UnexpectedEnd {
                        looking_for: Some("'".into()),
                    },
                ));
            }
            let rest = self.r.rest();
            match crate::bytes::find(b'\'', rest) {
                Some(end) => {
                    text.extend_from_slice(&rest[..end]);
                    self.r.advance(end + 1);
                    return Ok(WordPart::SingleQuoted(text));
                }
                None => {
                    text.extend_from_slice(rest);
                    let n = rest.len();
                    self.r.advance(n);
                }
            }
        }
    }

    /// `$` and what follows it. A `$` that starts no expansion is literal.
    fn dollar(&mut self, mode: Mode) -> PResult<Option<WordPart>> {
        let literal_dollar = || Some(WordPart::Literal(b"$".to_vec()));
        self.r.splice_continuations(1);
        let Some(next) = self.r.peek_at(1) else {
            self.r.advance(1);
            return Ok(literal_dollar());
        };
        let part = match next {
            b'{' => self.braced_param(mode.quoted())?,
            b'(' => {
                if self.r.peek_at(2) == Some(b'(') {
                    if let Some(arith) = self.arith_substitution()? {
                        return Ok(Some(arith));
                    }
                }
                self.command_substitution()?
            }
            b'[' => {
                self.r.advance(2);
                let text = self.word_until(Mode::Subscript)?;
                self.r.advance(1);
                WordPart::Arith(Box::new(arith_sub(text, true)))
            }
            // Also in a pattern inside double quotes (`"${x%$'b'*}"`), as
            // bash reads it (git-prompt.sh relies on it).
            b'\'' if !mode.quoted() || mode.single_quotes() => {
                self.r.advance(1);
                self.ansi_c()?
            }
            b'"' if !mode.quoted() => {
                // `$"…"`: a string for translation; without a catalogue it
                // is the string itself.
                self.r.advance(2);
                WordPart::DoubleQuoted(self.parts(Mode::DoubleQuote)?)
            }
            c if is_name_start(c) => {
                self.r.advance(1);
                let len = self.joined_name_len();
                let rest = self.r.rest();
                let name = String::from_utf8_lossy(&rest[..len]).into_owned();
                self.r.advance(len);
                simple_param(Param::Named(name))
            }
            c => match special_param(c) {
                Some(param) => {
                    self.r.advance(2);
                    simple_param(param)
                }
                None => {
                    self.r.advance(1);
                    return Ok(literal_dollar());
                }
            },
        };
        Ok(Some(part))
    }

    /// `name[…]` where an assignment could start but none does (no `=`
    /// after the `]`): bash has read the brackets whole, blanks and `#`
    /// included, so `Z[ #]` is one word, the command `Z[ #]`, not `Z[` and
    /// a comment. `None` (position unchanged) for any other word.
    pub(super) fn bracketed_name_word(&mut self) -> PResult<Option<Word>> {
        let rest = self.r.rest();
        let head = match super::lexer::assignment_start(rest) {
            Ok((after, (_, super::lexer::AssignStart::Subscript))) => rest.len() - after.len(),
            _ => return Ok(None),
        };
        let mut parts = vec![WordPart::Literal(rest[..head].to_vec())];
        self.r.advance(head);
        parts.extend(self.word_until(Mode::Subscript)?.parts);
        self.r.advance(1);
        parts.push(WordPart::Literal(b"]".to_vec()));
        parts.extend(self.parts(Mode::Normal)?);
        // One literal where the pieces are all text, as any word reads.
        let mut merged: Vec<WordPart> = Vec::with_capacity(parts.len());
        for part in parts {
            match (merged.last_mut(), part) {
                (Some(WordPart::Literal(text)), WordPart::Literal(more)) => text.extend(more),
                (_, part) => merged.push(part),
            }
        }
        mark_word_tilde(&mut merged);
        Ok(Some(Word {
            parts: super::brace::mark(merged),
        }))
    }

    /// The length of the name at the position, once every `\<newline>`
    /// inside it (or right after it) is removed: bash joins continued
    /// lines before it reads a word, so `$a\<newline>b` is `$ab`.
    fn joined_name_len(&mut self) -> usize {
        let mut len = 0;
        loop {
            self.r.splice_continuations(len);
            match self.r.peek_at(len) {
                Some(b) if is_name_byte(b) => len += 1,
                _ => return len,
            }
        }
    }

    /// `$(( … ))`, or `None` (position unchanged) when no `))` closes it:
    /// then it is a command substitution of a subshell, `$( ( … ) )`.
    fn arith_substitution(&mut self) -> PResult<Option<WordPart>> {
        if !self.closes_as_arithmetic(3) {
            return Ok(None);
        }
        let start = self.r.pos();
        self.r.advance(3);
        let text = match self.word_until(Mode::Arith) {
            Ok(text) => text,
            Err(_) => {
                self.r.rewind(start);
                return Ok(None);
            }
        };
        if self.r.peek() == Some(b')') && self.r.peek_at(1) == Some(b')') {
            self.r.advance(2);
            return Ok(Some(WordPart::Arith(Box::new(arith_sub(text, false)))));
        }
        self.r.rewind(start);
        Ok(None)
    }

    /// `$( list )`: the body is parsed here by the command grammar, up to
    /// the `)` that closes it (a `case` pattern's `)` belongs to the case).
    fn command_substitution(&mut self) -> PResult<WordPart> {
        self.r.advance(2);
        let body = self.substitution_body()?;
        Ok(WordPart::CommandSub {
            body: Rc::new(body),
            backquoted: false,
        })
    }

    /// `<( list )` or `>( list )`, read as `$( )` is.
    fn process_substitution(&mut self) -> PResult<WordPart> {
        let reads = self.r.peek() == Some(b'<');
        self.r.advance(2);
        let body = self.substitution_body()?;
        Ok(WordPart::ProcessSub {
            body: Rc::new(body),
            reads,
        })
    }

    /// Whether `<(` or `>(` starts here: a word, not a redirection.
    pub(super) fn at_process_substitution(&mut self) -> bool {
        matches!(self.r.peek(), Some(b'<' | b'>')) && self.r.peek_at(1) == Some(b'(')
    }

    /// The list inside `$( … )` or `<( … )` once the opening is consumed,
    /// up to and past the `)` that closes it.
    fn substitution_body(&mut self) -> PResult<List> {
        let outer = std::mem::take(&mut self.pending);
        let open = self.open;
        self.enter()?;
        let body = self.maybe_empty_list_in_substitution();
        self.leave();
        self.open = open;
        let body = body?;
        if self.peek_op() != Some(lexer::Operator::CloseParen) {
            return Err(match self.r.peek() {
                None => self.unexpected_end(Some(")")),
                Some(_) => self.unexpected(),
            });
        }
        self.r.advance(1);
        let inner = std::mem::replace(&mut self.pending, outer);
        self.pending.extend(inner);
        Ok(body)
    }

    /// `` `list` ``: the text up to the closing backquote, with `\$`,
    /// `` \` `` and `\\` (and `\"` inside double quotes) unescaped, parsed
    /// as commands.
    fn backquote(&mut self, in_double_quotes: bool) -> PResult<WordPart> {
        let open = self.r.pos();
        self.r.advance(1);
        let mut text = Vec::new();
        loop {
            match self.r.peek() {
                None => {
                    return Err(self.error(
                        open,
                        SyntaxErrorKind::UnexpectedEnd {
                            looking_for: Some("`".into()),
                        },
                    ));
                }
                Some(b'`') => {
                    self.r.advance(1);
                    break;
                }
                Some(b'\\') => match self.r.peek_at(1) {
                    Some(c @ (b'$' | b'`' | b'\\')) => {
                        text.push(c);
                        self.r.advance(2);
                    }
                    Some(b'"') if in_double_quotes => {
                        text.push(b'"');
                        self.r.advance(2);
                    }
                    _ => {
                        text.push(b'\\');
                        self.r.advance(1);
                    }
                },
                Some(c) => {
                    text.push(c);
                    self.r.advance(1);
                }
            }
        }
        let (line, column) = self.r.line_and_column(open);
        let body = self.sub_parse(&text).map_err(|mut e| {
            if e.line == 1 {
                e.column += column;
            }
            e.line += line - 1;
            e
        })?;
        Ok(WordPart::CommandSub {
            body: Rc::new(body),
            backquoted: true,
        })
    }

    /// Parses text the shell took out of the input (a backquoted command,
    /// a here-document body) with a parser of its own.
    fn sub_parse(&mut self, text: &[u8]) -> PResult<List> {
        self.enter()?;
        let mut lines = TextLines::new(text);
        let mut parser = Parser::new(&mut lines);
        parser.extglob = self.extglob;
        parser.depth = self.depth;
        parser.aliases = self.aliases.clone();
        let mut list = List::default();
        let result = loop {
            match parser.next_command() {
                Ok(Some(command)) => list.items.extend(command.items),
                Ok(None) => break Ok(list),
                Err(e) => break Err(e),
            }
        };
        self.warnings.extend(parser.take_warnings());
        self.leave();
        result
    }

    /// `$'…'`: ANSI-C quoting, its escapes decoded now (`\n`, `\t`, `\x41`,
    /// `\u00e9`, `\'`…).
    fn ansi_c(&mut self) -> PResult<WordPart> {
        let open = self.r.pos();
        self.r.advance(1);
        let mut raw = Vec::new();
        loop {
            match self.r.peek() {
                None => {
                    return Err(self.error(
                        open,
                        SyntaxErrorKind::UnexpectedEnd {
                            looking_for: Some("'".into()),
                        },
                    ));
                }
                Some(b'\'') => {
                    self.r.advance(1);
                    break;
                }
                Some(b'\\') => {
                    raw.push(b'\\');
                    self.r.advance(1);
                    if let Some(c) = self.r.peek() {
                        raw.push(c);
                        self.r.advance(1);
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.r.advance(1);
                }
            }
        }
        Ok(WordPart::AnsiC(decode_ansi_c(&raw)))
    }

    /// `${ … }`: a parameter, maybe a subscript, maybe an operator and its
    /// word. Text that names no parameter is kept for a "bad substitution"
    /// error when the command runs, as bash does.
    fn braced_param(&mut self, quoted: bool) -> PResult<WordPart> {
        let start = self.r.pos();
        self.r.advance(2);
        match self.braced_param_inner(quoted) {
            Ok(Some(expr)) => Ok(WordPart::Param(Box::new(expr))),
            Ok(None) => {
                self.r.rewind(start);
                self.bad_substitution()
            }
            // The text ran out before the `}` this reading wanted, but an
            // earlier `}` (inside a subscript: `${u[""[}]""]`) closes the
            // `${` as bash finds it: a bad substitution, as when more text
            // had followed.
            Err(error)
                if matches!(&error.kind,
                    SyntaxErrorKind::UnexpectedEnd { looking_for: Some(what) } if what == "}") =>
            {
                self.r.rewind(start);
                self.bad_substitution().map_err(|_| error)
            }
            Err(error) => Err(error),
        }
    }

    fn braced_param_inner(&mut self, quoted: bool) -> PResult<Option<ParamExpr>> {
        let start = self.r.pos();
        let mut length = false;
        let mut indirect = false;
        let first = self.r.peek();
        let second = self.r.peek_at(1);
        let starts_param = |b: Option<u8>| {
            b.is_some_and(|b| is_name_start(b) || b.is_ascii_digit() || b"@*#?$!-".contains(&b))
        };
        if first == Some(b'#') && second != Some(b'}') && starts_param(second) {
            // `${#x}`; but `${#}` is `$#`, and `${#-x}`… is `$#` with `-`.
            if !matches!(second, Some(b'-' | b'=' | b'?' | b'+' | b':'))
                || self.r.peek_at(2) == Some(b'}')
            {
                length = true;
                self.r.advance(1);
            }
        } else if first == Some(b'!') && second != Some(b'}') && starts_param(second) {
            indirect = true;
            self.r.advance(1);
        }
        let Some(b) = self.r.peek() else {
            return Err(self.unexpected_end(Some("}")));
        };
        let param = if is_name_start(b) {
            let len = self.joined_name_len();
            let rest = self.r.rest();
            let name = String::from_utf8_lossy(&rest[..len]).into_owned();
            self.r.advance(len);
            Param::Named(name)
        } else if b.is_ascii_digit() {
            let rest = self.r.rest();
            let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            // Too many digits wrap around as bash's do, so a huge number
            // names a parameter that is unset (and expands to nothing)
            // rather than being a bad substitution.
            let n = rest[..len].iter().fold(0usize, |n, digit| {
                n.wrapping_mul(10).wrapping_add(usize::from(digit - b'0'))
            });
            self.r.advance(len);
            Param::Positional(n)
        } else {
            match special_param(b) {
                Some(param) => {
                    self.r.advance(1);
                    param
                }
                None => return Ok(None),
            }
        };
        let mut subscript = None;
        if self.r.peek() == Some(b'[') && matches!(param, Param::Named(_)) {
            self.r.advance(1);
            let rest = self.r.rest();
            subscript = Some(if rest.starts_with(b"@]") {
                self.r.advance(2);
                Subscript::All
            } else if rest.starts_with(b"*]") {
                self.r.advance(2);
                Subscript::Star
            } else {
                // No `]` before the end: bash finds the `}` first and the
                // whole is a bad substitution (`${c[}`), reported when it
                // runs, not a syntax error of the script.
                let Ok(index) = self.word_until(Mode::Subscript) else {
                    return Ok(None);
                };
                self.r.advance(1);
                Subscript::Index(index)
            });
        }
        let mut expr = ParamExpr {
            param,
            subscript,
            indirect,
            op: ParamOp::Value,
            braced: true,
        };
        if indirect {
            let names = matches!(self.r.peek(), Some(b'*' | b'@'))
                && self.r.peek_at(1) == Some(b'}')
                && expr.subscript.is_none();
            if names {
                let quoted_separately = self.r.peek() == Some(b'@');
                self.r.advance(2);
                expr.indirect = false;
                expr.op = ParamOp::Names { quoted_separately };
                return Ok(Some(expr));
            }
            if matches!(expr.subscript, Some(Subscript::All | Subscript::Star))
                && self.r.peek() == Some(b'}')
            {
                self.r.advance(1);
                expr.indirect = false;
                expr.op = ParamOp::Keys;
                return Ok(Some(expr));
            }
        }
        if length && expr.param == Param::Count && self.r.peek() != Some(b'}') {
            // `${##2}`, `${###}`: not the length of `$#` but `$#` itself
            // with an operator (`#2`: remove a prefix 2), as bash reads it.
            self.r.rewind(start + 1);
            length = false;
        }
        let Some(b) = self.r.peek() else {
            return Err(self.unexpected_end(Some("}")));
        };
        let word = |single_quotes: bool, end: ParamEnd| Mode::ParamWord {
            quoted,
            single_quotes: single_quotes || !quoted,
            end,
        };
        let plain = word(false, ParamEnd::Brace);
        // Outside double quotes, the word of `${x:-~}` starts like any word,
        // with a tilde expanded.
        let tilde = |mut w: Word| {
            if !quoted {
                mark_tilde(&mut w.parts, false);
            }
            w
        };
        let pattern = word(true, ParamEnd::Brace);
        expr.op = match b {
            b'}' => {
                self.r.advance(1);
                if length {
                    expr.op = ParamOp::Length;
                }
                return Ok(Some(expr));
            }
            _ if length => return Ok(None),
            b':' => {
                let after = self.r.peek_at(1);
                match after {
                    Some(c @ (b'-' | b'=' | b'?' | b'+')) => {
                        self.r.advance(2);
                        let w = tilde(self.word_until(plain)?);
                        default_op(c, true, w)
                    }
                    _ => {
                        self.r.advance(1);
                        let offset = self.word_until(word(false, ParamEnd::Colon))?;
                        if offset.parts.is_empty() && self.r.peek() == Some(b'}') {
                            // `${x:}`: bash's "bad substitution".
                            return Ok(None);
                        }
                        let length = if self.r.peek() == Some(b':') {
                            self.r.advance(1);
                            Some(self.word_until(plain)?)
                        } else {
                            None
                        };
                        ParamOp::Substring { offset, length }
                    }
                }
            }
            c @ (b'-' | b'=' | b'?' | b'+') => {
                self.r.advance(1);
                let w = tilde(self.word_until(plain)?);
                default_op(c, false, w)
            }
            b'#' | b'%' => {
                let longest = self.r.peek_at(1) == Some(b);
                self.r.advance(if longest { 2 } else { 1 });
                let pattern = self.word_until(pattern)?;
                match b {
                    b'#' => ParamOp::RemovePrefix { longest, pattern },
                    _ => ParamOp::RemoveSuffix { longest, pattern },
                }
            }
            b'/' => {
                let mode = match self.r.peek_at(1) {
                    Some(b'/') => ReplaceMode::All,
                    Some(b'#') => ReplaceMode::Prefix,
                    Some(b'%') => ReplaceMode::Suffix,
                    _ => ReplaceMode::First,
                };
                self.r
                    .advance(if mode == ReplaceMode::First { 1 } else { 2 });
                // A tilde starting the pattern or the replacement expands,
                // even inside double quotes, as bash has it.
                let mut pattern = self.word_until(word(true, ParamEnd::Slash))?;
                mark_tilde(&mut pattern.parts, false);
                let replacement = if self.r.peek() == Some(b'/') {
                    self.r.advance(1);
                    let mut replacement = self.word_until(word(true, ParamEnd::Brace))?;
                    mark_tilde(&mut replacement.parts, false);
                    replacement
                } else {
                    Word::default()
                };
                ParamOp::Replace {
                    mode,
                    pattern,
                    replacement,
                }
            }
            c @ (b'^' | b',') => {
                let all = self.r.peek_at(1) == Some(c);
                self.r.advance(if all { 2 } else { 1 });
                let pattern = self.word_until(pattern)?;
                ParamOp::Case {
                    upper: c == b'^',
                    all,
                    pattern,
                }
            }
            b'@' => match self.r.peek_at(1) {
                Some(letter) if b"QEPAaKkULu".contains(&letter) => {
                    self.r.advance(2);
                    ParamOp::Transform(letter)
                }
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        if self.r.peek() != Some(b'}') {
            return match self.r.peek() {
                None => Err(self.unexpected_end(Some("}"))),
                Some(_) => Ok(None),
            };
        }
        self.r.advance(1);
        Ok(Some(expr))
    }

    /// Reads a malformed `${ … }` to its closing brace, as text.
    fn bad_substitution(&mut self) -> PResult<WordPart> {
        let start = self.r.pos();
        self.r.advance(2);
        let mut depth = 1;
        loop {
            match self.r.peek() {
                None => return Err(self.unexpected_end(Some("}"))),
                Some(b'{') => depth += 1,
                Some(b'}') => {
                    depth -= 1;
                    if depth == 0 {
                        self.r.advance(1);
                        break;
                    }
                }
                _ => {}
            }
            self.r.advance(1);
        }
        let text = self.r.slice(start, self.r.pos()).to_vec();
        Ok(WordPart::BadSubstitution(text))
    }

    /// The list of a `$( )`, which may be empty (`$( )` is empty output).
    fn maybe_empty_list_in_substitution(&mut self) -> PResult<List> {
        self.linebreak()?;
        if self.peek_op() == Some(lexer::Operator::CloseParen) {
            return Ok(List::default());
        }
        self.compound_list()
    }
}

impl Parser<'_> {
    /// Whether the text `skip` bytes after the position (after `((` or
    /// `$((`) closes with `))` before its parentheses close otherwise: a
    /// quick scan before committing to arithmetic, so that `((a); b)` and a
    /// line of a hundred thousand `(` cost one scan, not one per level. It
    /// reads more lines when the expression goes on over them.
    pub(super) fn closes_as_arithmetic(&mut self, skip: usize) -> bool {
        let mut depth = 0usize;
        let mut i = skip;
        loop {
            let Some(b) = self.r.peek_at(i) else {
                return false;
            };
            match b {
                b'(' => depth += 1,
                b')' if depth == 0 => return self.r.peek_at(i + 1) == Some(b')'),
                b')' => depth -= 1,
                b'\\' => i += 1,
                quote @ (b'\'' | b'"') => loop {
                    i += 1;
                    match self.r.peek_at(i) {
                        None => return false,
                        Some(c) if c == quote => break,
                        Some(b'\\') if quote == b'"' => i += 1,
                        Some(_) => {}
                    }
                },
                _ => {}
            }
            i += 1;
        }
    }
}

/// An arithmetic expression's text, parsed now when it holds no expansion
/// (so a loop does not parse it again each turn).
/// The inside of `'…'` in a double-quoted `${x-…}` as bash reads it there,
/// in double quotes: a `"` only opens or closes quoting and goes, and
/// `\"` is a `"` (`"${u-'a"b'}"` is `'ab'`, `"${u-'a\"b'}"` is `'a"b'`).
/// Other backslashes stay for the here-document rules the text is read
/// with next.
fn double_quote_removal(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], text.get(i + 1)) {
            (b'\\', Some(b'"')) => {
                out.push(b'"');
                i += 2;
            }
            (b'\\', Some(&next)) => {
                out.extend_from_slice(&[b'\\', next]);
                i += 2;
            }
            (b'"', _) => i += 1,
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

pub(super) fn arith_sub(text: Word, bracketed: bool) -> ArithSub {
    let parsed = static_text(&text).map(|bytes| super::arith::parse_arith(&bytes).map(Rc::new));
    ArithSub {
        text,
        parsed,
        bracketed,
    }
}

/// The text of a word made only of literal pieces (any quoting), or `None`
/// when some part must be expanded first.
pub(super) fn static_text(word: &Word) -> Option<Vec<u8>> {
    fn collect(parts: &[WordPart], out: &mut Vec<u8>) -> bool {
        for part in parts {
            match part {
                WordPart::Literal(t) | WordPart::SingleQuoted(t) | WordPart::AnsiC(t) => {
                    out.extend_from_slice(t)
                }
                WordPart::Escaped(b) => out.push(*b),
                WordPart::DoubleQuoted(inner) => {
                    if !collect(inner, out) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }
    let mut out = Vec::new();
    collect(&word.parts, &mut out).then_some(out)
}

fn simple_param(param: Param) -> WordPart {
    WordPart::Param(Box::new(ParamExpr {
        param,
        subscript: None,
        indirect: false,
        op: ParamOp::Value,
        braced: false,
    }))
}

fn special_param(c: u8) -> Option<Param> {
    Some(match c {
        b'?' => Param::Status,
        b'$' => Param::ShellPid,
        b'!' => Param::LastBackground,
        b'#' => Param::Count,
        b'@' => Param::AllSeparate,
        b'*' => Param::AllJoined,
        b'-' => Param::Options,
        d @ b'0'..=b'9' => Param::Positional(usize::from(d - b'0')),
        _ => return None,
    })
}

fn default_op(c: u8, colon: bool, word: Word) -> ParamOp {
    match c {
        b'-' => ParamOp::Default { colon, word },
        b'=' => ParamOp::Assign { colon, word },
        b'?' => ParamOp::Error { colon, word },
        _ => ParamOp::Alternative { colon, word },
    }
}

/// Whether an extglob group may open here: the word so far ends with an
/// unquoted `?`, `*`, `+`, `@` or `!`.
fn ends_with_extglob_prefix(parts: &[WordPart]) -> bool {
    matches!(parts.last(), Some(WordPart::Literal(t)) if t.last().is_some_and(|b| b"?*+@!".contains(b)))
}

/// Whether the regex of `=~` ends at the bytes `rest`: a blank, a newline,
/// `&&`, `||`, or `]]`-ending text.
fn ends_regex(rest: &[u8]) -> bool {
    matches!(
        rest,
        [b' ' | b'\t' | b'\n', ..] | [b'&', b'&', ..] | [b'|', b'|', ..]
    )
}

/// Appends a part, merging adjacent literals so `a\nb` (escaped newline
/// removed) is one literal, as the user sees it.
fn push(parts: &mut Vec<WordPart>, part: WordPart) {
    if let (Some(WordPart::Literal(last)), WordPart::Literal(text)) = (parts.last_mut(), &part) {
        last.extend_from_slice(text);
    } else {
        parts.push(part);
    }
}

/// Decodes the escapes of `$'…'`, as bash does. A NUL (`\0`, `\x00`,
/// `\u0000`) ends the text: shell strings are C strings, and bash keeps
/// only what comes before it.
pub fn decode_ansi_c(raw: &[u8]) -> Vec<u8> {
    let mut out = decode_all(raw);
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    out
}

fn decode_all(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' || i == raw.len() {
            out.push(b);
            continue;
        }
        let c = raw[i];
        i += 1;
        let simple = match c {
            b'a' => Some(7),
            b'b' => Some(8),
            b'e' | b'E' => Some(27),
            b'f' => Some(12),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(11),
            b'\\' => Some(b'\\'),
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            b'?' => Some(b'?'),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match c {
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && i < raw.len() && (b'0'..=b'7').contains(&raw[i]) {
                    value = value * 8 + u32::from(raw[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(value as u8);
            }
            b'x' | b'u' | b'U' => {
                let max = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let digits = raw[i..]
                    .iter()
                    .take(max)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                if digits == 0 {
                    out.push(b'\\');
                    out.push(c);
                    continue;
                }
                let text = String::from_utf8_lossy(&raw[i..i + digits]).into_owned();
                i += digits;
                let value = u32::from_str_radix(&text, 16).unwrap_or(0);
                if c == b'x' {
                    out.push(value as u8);
                } else if let Some(ch) = char::from_u32(value) {
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
            }
            b'c' if i < raw.len() => {
                out.push(raw[i] & 0x1f);
                i += 1;
            }
            _ => {
                out.push(b'\\');
                out.push(c);
            }
        }
    }
    out
}

/// Tilde marking for a command's word: at its start, or for a word shaped
/// like an assignment (`a=~/x`) after its `=` and each `:`, as bash does.
fn mark_word_tilde(parts: &mut Vec<WordPart>) {
    let prefix = match parts.first() {
        Some(WordPart::Literal(t)) => match lexer::assignment_start(t) {
            Ok((rest, (_, lexer::AssignStart::Equals))) => t.len() - rest.len(),
            _ => 0,
        },
        _ => 0,
    };
    if prefix == 0 {
        return mark_tilde(parts, false);
    }
    let Some(WordPart::Literal(first)) = parts.first_mut() else {
        return;
    };
    let rest = first.split_off(prefix);
    let head = std::mem::replace(first, rest);
    if parts
        .first()
        .is_some_and(|p| matches!(p, WordPart::Literal(t) if t.is_empty()))
    {
        parts.remove(0);
    }
    mark_tilde(parts, true);
    parts.insert(0, WordPart::Literal(head));
}

/// Turns an unquoted `~` or `~user` into a [`WordPart::Tilde`] where the
/// shell expands it: at the start of the word, and in assignments also after
/// each `:` (and the `=`). The prefix runs to the first `/` (or `:` in
/// assignments); a prefix that runs into a quote or expansion is left
/// literal, as in bash.
pub fn mark_tilde(parts: &mut Vec<WordPart>, after_colons: bool) {
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
        // The prefix ends at a `/`, or at a `:` (bash's: `~:x` is the
        // home directory, then `:x`).
        let prefix_end = segment
            .iter()
            .position(|&b| b == b'/' || b == b':')
            .unwrap_or(segment.len());
        let ends_cleanly = prefix_end < segment.len() || segment_end < text.len() || only_part;
        let user = segment.get(1..prefix_end).unwrap_or(&[]);
        let valid_user = user == b"+"
            || user == b"-"
            || user
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

/// Errors inside a here-document body are located in the body's own
/// lines; this moves them to where the body stands in the input.
pub(super) fn shift_error(mut error: SyntaxError, first_line: u32) -> SyntaxError {
    error.line += first_line - 1;
    error
}
