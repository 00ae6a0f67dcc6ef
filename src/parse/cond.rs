//! `[[ expression ]]`: a grammar of its own, where `<`, `>`, `(`, `)`, `&&`,
//! `||` and `!` are the expression's operators rather than redirections and
//! control operators, and words are never split nor globbed.
//!
//! ```text
//! or      = and ("||" and)*
//! and     = not ("&&" not)*
//! not     = "!" not | primary
//! primary = "(" or ")" | UNARY word | word BINARY word | word
//! ```

use super::lexer::{self, Keyword};
use super::word::Mode;
use super::{PResult, Parser, SyntaxErrorKind};
use crate::ast::{CondBinary, CondExpr, CondUnary, UNARY_TESTS};

impl Parser<'_> {
    /// After `[[`: the expression and the closing `]]`.
    pub(super) fn cond_rest(&mut self) -> PResult<CondExpr> {
        let expr = self.cond_or()?;
        self.cond_gap(&expr)?;
        if self.peek_keyword() != Some(Keyword::CloseCond) {
            return Err(self.cond_error("syntax error in conditional expression".into()));
        }
        self.r.advance(2);
        Ok(expr)
    }

    /// Between a test and what follows it (`&&`, `||`, `)`, `]]`): blanks,
    /// and newlines too once the test is complete, as bash reads them. A
    /// bare word may still take an operator, so a newline after one ends
    /// the line.
    fn cond_gap(&mut self, after: &CondExpr) -> PResult<()> {
        self.blanks();
        if !matches!(after, CondExpr::Word(_)) {
            self.linebreak()?;
        }
        Ok(())
    }

    fn cond_error(&self, message: String) -> super::SyntaxError {
        self.error(self.r.pos(), SyntaxErrorKind::Conditional(message))
    }

    /// The token at the position, as bash quotes it in `[[ ]]` errors.
    fn cond_token(&self) -> String {
        match self.r.rest().first() {
            None | Some(b'\n') => "newline".to_owned(),
            _ => self.token_text(),
        }
    }

    fn cond_or(&mut self) -> PResult<CondExpr> {
        let mut left = self.cond_and()?;
        loop {
            self.cond_gap(&left)?;
            if !self.r.rest().starts_with(b"||") {
                return Ok(left);
            }
            self.r.advance(2);
            let right = self.cond_and()?;
            left = CondExpr::Or(Box::new(left), Box::new(right));
        }
    }

    fn cond_and(&mut self) -> PResult<CondExpr> {
        let mut left = self.cond_not()?;
        loop {
            self.cond_gap(&left)?;
            if !self.r.rest().starts_with(b"&&") {
                return Ok(left);
            }
            self.r.advance(2);
            let right = self.cond_not()?;
            left = CondExpr::And(Box::new(left), Box::new(right));
        }
    }

    fn cond_not(&mut self) -> PResult<CondExpr> {
        self.linebreak()?;
        if self.peek_keyword() == Some(Keyword::Bang) {
            self.r.advance(1);
            self.enter()?;
            let inner = self.cond_not();
            self.leave();
            return Ok(CondExpr::Not(Box::new(inner?)));
        }
        self.cond_primary()
    }

    fn cond_primary(&mut self) -> PResult<CondExpr> {
        self.linebreak()?;
        if self.at_cond_end() {
            return Err(self.unexpected());
        }
        if self.r.peek() == Some(b'(') {
            self.r.advance(1);
            self.enter()?;
            let inner = self.cond_or();
            self.leave();
            let inner = inner?;
            self.cond_gap(&inner)?;
            if self.r.peek() != Some(b')') {
                return Err(self.unexpected());
            }
            self.r.advance(1);
            return Ok(CondExpr::Group(Box::new(inner)));
        }
        if let Some(op) = self.unary_test() {
            self.r.advance(2);
            self.blanks();
            if self.at_cond_end() {
                let token = self.cond_token();
                return Err(self.cond_error(format!(
                    "unexpected argument `{token}' to conditional unary operator"
                )));
            }
            let operand = self.word(Mode::Plain)?;
            return Ok(CondExpr::Unary(op, operand));
        }
        if self.r.peek().is_some_and(lexer::is_metachar) {
            return Err(self.unexpected());
        }
        let left = self.word(Mode::Plain)?;
        self.blanks();
        let Some((op, len)) = self.binary_operator() else {
            return Ok(CondExpr::Word(left));
        };
        self.r.advance(len);
        self.blanks();
        if self.at_cond_end() {
            let token = self.cond_token();
            return Err(self.cond_error(format!(
                "unexpected argument `{token}' to conditional binary operator"
            )));
        }
        let mode = match op {
            CondBinary::Regex => Mode::Regex,
            CondBinary::Match | CondBinary::NoMatch => Mode::CondPattern,
            _ => Mode::Plain,
        };
        let right = self.word(mode)?;
        Ok(CondExpr::Binary(op, left, right))
    }

    /// Whether the expression ends here: `]]`, `&&`, `||`, `)`, the end.
    fn at_cond_end(&mut self) -> bool {
        let rest = self.r.rest();
        rest.is_empty()
            || lexer::keyword(rest).is_ok_and(|(_, k)| k == Keyword::CloseCond)
            || rest.starts_with(b"&&")
            || rest.starts_with(b"||")
            || rest.starts_with(b")")
    }

    /// `-f`, `-z`… followed by a blank and an operand (a lone `-f` is a
    /// word, tested for being non-empty).
    fn unary_test(&mut self) -> Option<CondUnary> {
        let rest = self.r.rest();
        let [b'-', letter, after, ..] = rest else {
            return None;
        };
        // A lone `-f` is still the operator: bash refuses `[[ -f ]]`.
        if !UNARY_TESTS.contains(letter) || !(lexer::is_blank(*after) || *after == b'\n') {
            return None;
        }
        Some(CondUnary(*letter))
    }

    /// The binary operator at the position and its length in bytes.
    fn binary_operator(&mut self) -> Option<(CondBinary, usize)> {
        let rest = self.r.rest();
        let len = match rest.first()? {
            b'<' | b'>' => 1,
            _ => rest.iter().take_while(|&&b| !lexer::is_metachar(b)).count(),
        };
        let op = CondBinary::from_text(&rest[..len])?;
        let after = rest.get(len);
        after
            .is_none_or(|&b| lexer::is_blank(b) || b == b'\n')
            .then_some((op, len))
    }
}
