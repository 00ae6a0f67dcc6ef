//! Here-documents: `<<WORD` names a delimiter, and the body is the lines
//! after the current line, up to a line that is exactly the delimiter. The
//! parser notes each `<<` as it reads it, and reads the bodies when it
//! reaches the newline that ends their line, as dash's `parseheredoc` does:
//! so several here-documents on one line take their bodies in order.

use super::word::{Mode, shift_error};
use super::{PResult, Parser, TextLines};
use crate::ast::{HereDoc, Word, WordPart};

/// A here-document whose body has not been read yet.
pub(super) struct Pending {
    doc: HereDoc,
}

impl Parser<'_> {
    /// Notes a `<<` (or `<<-`) with its delimiter word. A delimiter with any
    /// quoting in it makes the body literal; the delimiter itself is the
    /// word with its quotes removed.
    pub(super) fn heredoc_operator(&mut self, delimiter: &Word, strip_tabs: bool) -> HereDoc {
        let literal = delimiter.has_quotes();
        let doc = super::new_heredoc(unquoted_text(delimiter), literal, strip_tabs);
        self.pending.push(Pending { doc: doc.clone() });
        doc
    }

    /// Reads the bodies of the pending here-documents, in order, from the
    /// position (the start of the line after their operators).
    pub(super) fn read_heredoc_bodies(&mut self) -> PResult<()> {
        for pending in std::mem::take(&mut self.pending) {
            let doc = pending.doc;
            let first_line = self.r.line();
            let mut body = Vec::new();
            loop {
                if self.r.peek().is_none() {
                    self.warnings.push(format!(
                        "warning: here-document at line {} delimited by end-of-file (wanted '{}')",
                        first_line.saturating_sub(1),
                        String::from_utf8_lossy(&doc.delimiter)
                    ));
                    break;
                }
                let rest = self.r.rest();
                let end = crate::bytes::find(b'\n', rest).map_or(rest.len(), |p| p + 1);
                let line = &rest[..end];
                let mut content = line.strip_suffix(b"\n").unwrap_or(line);
                let mut whole = line;
                if doc.strip_tabs {
                    let tabs = content.iter().take_while(|&&b| b == b'\t').count();
                    content = &content[tabs..];
                    whole = &whole[tabs..];
                }
                if content == doc.delimiter.as_slice() {
                    self.r.advance(end);
                    break;
                }
                body.extend_from_slice(whole);
                self.r.advance(end);
            }
            let word = if doc.literal {
                Word {
                    parts: vec![WordPart::SingleQuoted(body)],
                }
            } else {
                self.heredoc_word(&body)
                    .map_err(|e| shift_error(e, first_line))?
            };
            // The cell is new and set once; a second set cannot happen.
            let _ = doc.body.set(word);
        }
        Ok(())
    }

    /// An unquoted body: expansions and backslashes as in double quotes.
    fn heredoc_word(&mut self, body: &[u8]) -> PResult<Word> {
        let mut lines = TextLines::new(body);
        let mut parser = Parser::new(&mut lines);
        parser.extglob = self.extglob;
        parser.depth = self.depth;
        parser.aliases = self.aliases.clone();
        let parts = parser.word_until(Mode::HereDoc)?;
        self.warnings.extend(parser.take_warnings());
        Ok(Word {
            parts: vec![WordPart::DoubleQuoted(parts.parts)],
        })
    }
}

/// A word's text with its quotes removed, expansions left as written: what
/// a here-document's delimiter line must hold.
fn unquoted_text(word: &Word) -> Vec<u8> {
    fn collect(parts: &[WordPart], out: &mut Vec<u8>) {
        for part in parts {
            match part {
                WordPart::Literal(t) | WordPart::SingleQuoted(t) | WordPart::AnsiC(t) => {
                    out.extend_from_slice(t)
                }
                WordPart::Escaped(b) => out.push(*b),
                WordPart::DoubleQuoted(inner) => collect(inner, out),
                other => out.extend_from_slice(other.to_string().as_bytes()),
            }
        }
    }
    let mut out = Vec::new();
    collect(&word.parts, &mut out);
    out
}
