//! The arithmetic parser: text that the shell has already expanded in, an
//! [`Arith`] tree or bash's error out. Nothing here evaluates.
//!
//! One function per precedence level, lowest first, each a nom parser over
//! bytes; the levels are bash's:
//!
//! ```text
//! comma          = assignment ("," assignment)*
//! assignment     = NAME assign_op assignment | conditional
//! conditional    = logical_or ["?" comma ":" conditional]
//! logical_or     = logical_and ("||" logical_and)*
//! logical_and    = bit_or ("&&" bit_or)*
//! bit_or         = bit_xor ("|" bit_xor)*
//! bit_xor        = bit_and ("^" bit_and)*
//! bit_and        = equality ("&" equality)*
//! equality       = relational (("==" | "!=") relational)*
//! relational     = shift (("<=" | ">=" | "<" | ">") shift)*
//! shift          = additive (("<<" | ">>") additive)*
//! additive       = multiplicative (("+" | "-") multiplicative)*
//! multiplicative = power (("*" | "/" | "%") power)*
//! power          = prefix ("**" prefix)*           (right-associative)
//! prefix         = ("-" | "+" | "!" | "~") prefix | primary
//! primary        = "++" NAME | "--" NAME | NAME ["++" | "--"]
//!                | NUMBER | "(" comma ")"
//! ```
//!
//! Unary minus binds tighter than `**` (`-2**2` is 4), as in bash.
//!
//! A few tokens mean what the token before them says, as in bash's reader:
//! `++` after a name increments it, before a name increments that, and
//! elsewhere is two pluses (`5 ++ 3` is 8). The parser remembers what came
//! last (`Before`, in the lexer) and the lexer reads with it.

use crate::ast::arith::{
    Arith, ArithExpr, ArrayIndex, Assign, AssignOp, Binary, BinaryOp, Conditional, IncDec,
    Operation, Power, PrefixOp, Site, Var,
};
use crate::parse::arith_error::{ArithError, ArithErrorKind};
use crate::parse::arith_lexer::{Before, Op, PError, PResult, Token, failure, skip_blanks, token};

/// How deeply the parser may recurse, so that no text can overflow its
/// stack: bash has no bound and crashes near 100,000 parentheses. Counted
/// in units of about 1.5 KB of a debug build's stack (a quarter of that
/// optimized), measured for each construct: a prefix operator costs one,
/// an assignment's value or a `?:`'s `otherwise` two, a `?:`'s `then`
/// three, a parenthesis, which goes down every level again, ten, a
/// subscript thirteen. That allows 80 parentheses inside each other, or
/// 400 `?:` in a row, in 1.25 MB of stack even unoptimized.
const MAX_NESTING: u32 = 800;

const PREFIX_NESTING: u32 = 1;
const ASSIGN_NESTING: u32 = 2;
const ELSE_NESTING: u32 = 2;
const THEN_NESTING: u32 = 3;
const GROUP_NESTING: u32 = 10;
const SUBSCRIPT_NESTING: u32 = 13;

/// Parses an arithmetic text: the body of `$(( ))` or `(( ))` after
/// expansion and quote removal, an argument of `let`, a part of
/// `for (( ; ; ))`. Blank text gives [`ArithExpr::Empty`].
pub fn parse_arith(text: &[u8]) -> Result<Arith, ArithError> {
    parse_nested(text, 0)
}

fn parse_nested(text: &[u8], nesting: u32) -> Result<Arith, ArithError> {
    // Bash's text is a C string: a NUL ends it.
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let mut parser = Parser {
        text,
        sites: Vec::new(),
        last: 0,
        before: Before::Operator,
        nesting,
        cache: None,
    };
    let parsed = if skip_blanks(text).is_empty() {
        Ok(ArithExpr::Empty)
    } else {
        parser.whole(text)
    };
    match parsed {
        Ok(expr) => Ok(Arith {
            text: text.into(),
            depth: depth(&expr),
            expr,
            sites: parser.sites.into(),
        }),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            let at = text.len().saturating_sub(e.input.len());
            let end = e.token_len.map(|len| at + len as usize);
            Err(ArithError::in_text(e.kind, text, at, end))
        }
        // Every rule here reads complete input.
        Err(nom::Err::Incomplete(_)) => Err(ArithError::in_text(
            ArithErrorKind::Syntax,
            text,
            text.len(),
            None,
        )),
    }
}

/// The longest path from the root to a leaf, for the evaluator's stack
/// budget. Its recursion is bounded by [`MAX_NESTING`] times the levels.
fn depth(expr: &ArithExpr) -> u32 {
    let deepest = |items: &mut dyn Iterator<Item = &ArithExpr>| items.map(depth).max().unwrap_or(0);
    1 + match expr {
        ArithExpr::Empty | ArithExpr::Number(_) | ArithExpr::Var(_) | ArithExpr::IncDec(..) => 0,
        ArithExpr::Group(inner) | ArithExpr::Prefix(_, inner) => depth(inner),
        ArithExpr::Binary(b) => {
            deepest(&mut std::iter::once(&b.first).chain(b.rest.iter().map(|op| &op.operand)))
        }
        ArithExpr::Power(p) => deepest(&mut p.operands.iter()),
        ArithExpr::Conditional(c) => deepest(&mut [&c.test, &c.then, &c.otherwise].into_iter()),
        ArithExpr::Assign(a) => depth(&a.value),
        ArithExpr::Comma(items) => deepest(&mut items.iter()),
    }
}

/// What a helper that reads tokens but builds no node returns.
type Checked<'a, T> = Result<T, nom::Err<PError<'a>>>;

struct Parser<'a> {
    text: &'a [u8],
    sites: Vec<u32>,
    /// Where the last token read began: an error at the end of the text
    /// points there, as bash's does.
    last: usize,
    before: Before,
    nesting: u32,
    /// The last token read. Each level looks at the token after its
    /// operand, so one token is asked for by many levels in a row.
    cache: Option<Lexed<'a>>,
}

#[derive(Clone, Copy)]
struct Lexed<'a> {
    at: usize,
    before: Before,
    start: usize,
    rest: &'a [u8],
    token: Token<'a>,
}

type Level<'a> = fn(&mut Parser<'a>, &'a [u8]) -> PResult<'a, ArithExpr>;

impl<'a> Parser<'a> {
    /// Where `i`, a rest of the text, starts in it.
    fn offset(&self, i: &[u8]) -> usize {
        self.text.len().saturating_sub(i.len())
    }

    /// The token after blanks at `i`, read as `before` says.
    #[inline(never)]
    fn next(&mut self, i: &'a [u8], before: Before) -> PResult<'a, Token<'a>> {
        let at = self.offset(i);
        let lexed = match self.cache {
            Some(lexed) if lexed.at == at && lexed.before == before => lexed,
            _ => {
                let start = skip_blanks(i);
                let (rest, token) = token(start, before)?;
                let lexed = Lexed {
                    at,
                    before,
                    start: self.offset(start),
                    rest,
                    token,
                };
                self.cache = Some(lexed);
                lexed
            }
        };
        if lexed.token != Token::End {
            self.last = lexed.start;
        }
        Ok((lexed.rest, lexed.token))
    }

    /// Fails at the token at `i`, or at the last token if the text ends.
    #[cold]
    fn fail<T>(&self, i: &'a [u8], kind: ArithErrorKind) -> PResult<'a, T> {
        let token = skip_blanks(i);
        let input = if token.is_empty() {
            self.text.get(self.last..).unwrap_or_default()
        } else {
            token
        };
        failure(input, kind)
    }

    /// Counts `cost` more nesting, failing past [`MAX_NESTING`].
    fn enter(&mut self, i: &'a [u8], cost: u32) -> Checked<'a, ()> {
        self.nesting = self.nesting.saturating_add(cost);
        if self.nesting > MAX_NESTING {
            return self.fail(i, ArithErrorKind::Recursion).map(|_: (_, ())| ());
        }
        Ok(())
    }

    fn leave(&mut self, cost: u32) {
        self.nesting = self.nesting.saturating_sub(cost);
    }

    fn site_at(&mut self, offset: usize) -> Site {
        let site = Site(u32::try_from(self.sites.len()).unwrap_or(u32::MAX));
        self.sites.push(u32::try_from(offset).unwrap_or(u32::MAX));
        site
    }

    /// Where bash's reader stands once an operand is read: at the next
    /// token, or at the last one if the text ends there.
    fn site_after(&mut self, rest: &[u8]) -> Site {
        let next = skip_blanks(rest);
        let at = if next.is_empty() {
            self.last
        } else {
            self.offset(next)
        };
        self.site_at(at)
    }

    #[inline(never)]
    fn var(&mut self, start: usize, name: &[u8], index: Option<&[u8]>) -> Var {
        let site = self.site_at(start);
        let index = index.map(|text| {
            Box::new(ArrayIndex {
                text: text.into(),
                parsed: parse_nested(text, self.nesting.saturating_add(SUBSCRIPT_NESTING)),
            })
        });
        Var {
            // Names are ASCII: the lexer took nothing else.
            name: String::from_utf8_lossy(name).into(),
            index,
            site,
        }
    }

    /// The whole text: one expression, then nothing.
    fn whole(&mut self, i: &'a [u8]) -> Checked<'a, ArithExpr> {
        // A subscript's text starts out nested in its variable's.
        self.enter(i, 0)?;
        let (rest, expr) = self.comma(i)?;
        match self.next(rest, self.before)? {
            (_, Token::End) => Ok(expr),
            _ => self.fail(rest, ArithErrorKind::Syntax).map(|(_, e)| e),
        }
    }

    // The functions of the levels recurse, for every parenthesis through
    // all of them; each keeps to its recursion and leaves reading and
    // checking tokens to a helper, so that its stack frame stays small.

    fn comma(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        let (i, first) = self.assignment(i)?;
        match self.operator(i, Op::Comma)? {
            None => Ok((i, first)),
            Some(after) => self.comma_list(first, after),
        }
    }

    #[inline(never)]
    fn comma_list(&mut self, first: ArithExpr, mut after: &'a [u8]) -> PResult<'a, ArithExpr> {
        let mut items = vec![first];
        loop {
            let (i, item) = self.assignment(after)?;
            items.push(item);
            match self.operator(i, Op::Comma)? {
                None => return Ok((i, ArithExpr::Comma(items))),
                Some(next) => after = next,
            }
        }
    }

    /// `NAME op= value`, told from a conditional by the token after the
    /// name. Bash takes only a lone name before `=`: `(x) = 1`, `x++ = 1`
    /// and `1 ? 2 : x = 3` are "attempted assignment to non-variable".
    fn assignment(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        if let Some(target) = self.assignment_target(i)? {
            return self.assign(target);
        }
        let (rest, expr) = self.conditional(i)?;
        self.no_assignment(rest)?;
        Ok((rest, expr))
    }

    #[inline(never)]
    fn assign(&mut self, (after, target, op): (&'a [u8], Var, AssignOp)) -> PResult<'a, ArithExpr> {
        self.enter(after, ASSIGN_NESTING)?;
        let (rest, value) = self.assignment(after)?;
        self.leave(ASSIGN_NESTING);
        let site = self.site_after(rest);
        let assign = Assign {
            target,
            op,
            value,
            site,
        };
        Ok((rest, ArithExpr::Assign(Box::new(assign))))
    }

    /// `test ? then : otherwise`: `then` may be any expression, commas
    /// too; `otherwise` stops before an assignment.
    fn conditional(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        let (rest, test) = self.logical_or(i)?;
        match self.question(rest)? {
            None => Ok((rest, test)),
            Some(after_question) => self.branches(test, after_question),
        }
    }

    #[inline(never)]
    fn branches(&mut self, test: ArithExpr, after_question: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.enter(after_question, THEN_NESTING)?;
        let (rest, then) = self.comma(after_question)?;
        self.leave(THEN_NESTING);
        let after_colon = self.colon(rest)?;
        self.enter(after_colon, ELSE_NESTING)?;
        let (rest, otherwise) = self.conditional(after_colon)?;
        self.leave(ELSE_NESTING);
        let conditional = Conditional {
            test,
            then,
            otherwise,
        };
        Ok((rest, ArithExpr::Conditional(Box::new(conditional))))
    }

    fn logical_or(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::logical_and, |op| op == BinaryOp::Or)
    }

    fn logical_and(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::bit_or, |op| op == BinaryOp::And)
    }

    fn bit_or(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::bit_xor, |op| op == BinaryOp::BitOr)
    }

    fn bit_xor(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::bit_and, |op| op == BinaryOp::BitXor)
    }

    fn bit_and(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::equality, |op| op == BinaryOp::BitAnd)
    }

    fn equality(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::relational, |op| {
            matches!(op, BinaryOp::Equal | BinaryOp::NotEqual)
        })
    }

    fn relational(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::shift, |op| {
            use BinaryOp as B;
            matches!(op, B::LessEqual | B::GreaterEqual | B::Less | B::Greater)
        })
    }

    fn shift(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::additive, |op| {
            matches!(op, BinaryOp::ShiftLeft | BinaryOp::ShiftRight)
        })
    }

    fn additive(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::multiplicative, |op| {
            matches!(op, BinaryOp::Add | BinaryOp::Subtract)
        })
    }

    fn multiplicative(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        self.binary(i, Self::power, |op| {
            use BinaryOp as B;
            matches!(op, B::Multiply | B::Divide | B::Remainder)
        })
    }

    /// One left-associative level: operands of the level above joined by
    /// the operators `level` accepts. Most operands have no operator at
    /// most levels, so that case returns at once and the list is built in
    /// [`Self::chain`], out of the way of the stack.
    fn binary(
        &mut self,
        i: &'a [u8],
        operand: Level<'a>,
        level: fn(BinaryOp) -> bool,
    ) -> PResult<'a, ArithExpr> {
        let (i, first) = operand(self, i)?;
        match self.binary_operator(i, level)? {
            None => Ok((i, first)),
            Some(op) => self.chain(first, op, operand, level),
        }
    }

    #[inline(never)]
    fn chain(
        &mut self,
        first: ArithExpr,
        mut op: (&'a [u8], BinaryOp, Site),
        operand: Level<'a>,
        level: fn(BinaryOp) -> bool,
    ) -> PResult<'a, ArithExpr> {
        let mut rest = Vec::new();
        loop {
            let (after, op_kind, site) = op;
            let (i, expr) = operand(self, after)?;
            rest.push(Operation {
                op: op_kind,
                operand: expr,
                site,
            });
            match self.binary_operator(i, level)? {
                None => return Ok((i, ArithExpr::Binary(Box::new(Binary { first, rest })))),
                Some(next) => op = next,
            }
        }
    }

    /// `a ** b ** c`, kept as one list: evaluation folds it from the right.
    fn power(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        let (i, first) = self.prefix(i)?;
        match self.operator(i, Op::Power)? {
            None => Ok((i, first)),
            Some(after) => self.powers(first, after),
        }
    }

    #[inline(never)]
    fn powers(&mut self, first: ArithExpr, mut after: &'a [u8]) -> PResult<'a, ArithExpr> {
        let mut operands = vec![first];
        loop {
            let (i, operand) = self.prefix(after)?;
            operands.push(operand);
            match self.operator(i, Op::Power)? {
                Some(next) => after = next,
                None => {
                    let site = self.site_after(i);
                    return Ok((i, ArithExpr::Power(Box::new(Power { operands, site }))));
                }
            }
        }
    }

    fn prefix(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        let Some((after, op)) = self.prefix_operator(i)? else {
            return self.primary(i);
        };
        self.enter(after, PREFIX_NESTING)?;
        let (rest, operand) = self.prefix(after)?;
        self.leave(PREFIX_NESTING);
        Ok((rest, ArithExpr::Prefix(op, Box::new(operand))))
    }

    fn primary(&mut self, i: &'a [u8]) -> PResult<'a, ArithExpr> {
        let after_open = match self.operand(i)? {
            Operand::Done(rest, expr) => return Ok((rest, expr)),
            Operand::Open(after_open) => after_open,
        };
        self.enter(after_open, GROUP_NESTING)?;
        let (inner_end, inner) = self.comma(after_open)?;
        self.leave(GROUP_NESTING);
        let after = self.close(inner_end)?;
        Ok((after, ArithExpr::Group(Box::new(inner))))
    }

    // Helpers that read tokens, never recursing into the grammar.

    /// Past `op` if it comes next.
    #[inline(never)]
    fn operator(&mut self, i: &'a [u8], op: Op) -> Checked<'a, Option<&'a [u8]>> {
        let (after, token) = self.next(i, self.before)?;
        Ok((token == Token::Op(op)).then_some(after))
    }

    #[inline(never)]
    fn binary_operator(
        &mut self,
        i: &'a [u8],
        level: fn(BinaryOp) -> bool,
    ) -> Checked<'a, Option<(&'a [u8], BinaryOp, Site)>> {
        let (after, token) = self.next(i, self.before)?;
        let op = match token {
            Token::Op(Op::Binary(op)) if level(op) => op,
            _ => return Ok(None),
        };
        // Bash's "division by 0" names the divisor, after spaces and tabs
        // but not newlines.
        let divisor = after
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let site = self.site_at(self.offset(&after[divisor..]));
        Ok(Some((after, op, site)))
    }

    #[inline(never)]
    fn prefix_operator(&mut self, i: &'a [u8]) -> Checked<'a, Option<(&'a [u8], PrefixOp)>> {
        let (after, token) = self.next(i, Before::Operator)?;
        let op = match token {
            Token::Op(Op::Binary(BinaryOp::Subtract)) => PrefixOp::Negate,
            Token::Op(Op::Binary(BinaryOp::Add)) => PrefixOp::Plus,
            Token::Op(Op::Not) => PrefixOp::Not,
            Token::Op(Op::BitNot) => PrefixOp::BitNot,
            _ => return Ok(None),
        };
        Ok(Some((after, op)))
    }

    /// A name followed by an assignment operator: the target, the
    /// operator and where the value starts.
    #[inline(never)]
    fn assignment_target(&mut self, i: &'a [u8]) -> Checked<'a, Option<(&'a [u8], Var, AssignOp)>> {
        let (after_name, Token::Name { name, index }) = self.next(i, Before::Operator)? else {
            return Ok(None);
        };
        let start = self.last;
        let (after_op, Token::Op(Op::Assign(op))) = self.next(after_name, Before::Name)? else {
            return Ok(None);
        };
        Ok(Some((after_op, self.var(start, name, index), op)))
    }

    #[inline(never)]
    fn no_assignment(&mut self, rest: &'a [u8]) -> Checked<'a, ()> {
        match self.next(rest, self.before)? {
            (_, Token::Op(Op::Assign(_))) => self
                .fail(rest, ArithErrorKind::AssignToNonVariable)
                .map(|_: (_, ())| ()),
            _ => Ok(()),
        }
    }

    /// Past `?` if it comes next, with something after it that is no `:`.
    #[inline(never)]
    fn question(&mut self, rest: &'a [u8]) -> Checked<'a, Option<&'a [u8]>> {
        let Some(after) = self.operator(rest, Op::Question)? else {
            return Ok(None);
        };
        if let (_, Token::End | Token::Op(Op::Colon)) = self.next(after, Before::Operator)? {
            return self
                .fail(after, ArithErrorKind::ExpressionExpected)
                .map(|(_, e)| e);
        }
        Ok(Some(after))
    }

    /// Past the `:` that must come next, with something after it.
    #[inline(never)]
    fn colon(&mut self, rest: &'a [u8]) -> Checked<'a, &'a [u8]> {
        let Some(after) = self.operator(rest, Op::Colon)? else {
            return self
                .fail(rest, ArithErrorKind::ColonExpected)
                .map(|(_, e)| e);
        };
        if let (_, Token::End) = self.next(after, Before::Operator)? {
            return self
                .fail(after, ArithErrorKind::ExpressionExpected)
                .map(|(_, e)| e);
        }
        Ok(after)
    }

    /// Past the `)` that must come next.
    #[inline(never)]
    fn close(&mut self, inner_end: &'a [u8]) -> Checked<'a, &'a [u8]> {
        let Some(after) = self.operator(inner_end, Op::Close)? else {
            return self
                .fail(inner_end, ArithErrorKind::MissingParen)
                .map(|(_, e)| e);
        };
        self.before = Before::CloseParen;
        Ok(after)
    }

    /// An operand that needs no recursion, or the `(` that opens one.
    #[inline(never)]
    fn operand(&mut self, i: &'a [u8]) -> Checked<'a, Operand<'a>> {
        let (rest, token) = self.next(i, Before::Operator)?;
        let start = self.last;
        match token {
            Token::Number(value) => {
                self.before = Before::Number;
                Ok(Operand::Done(rest, ArithExpr::Number(value)))
            }
            Token::Name { name, index } => {
                let var = self.var(start, name, index);
                let op = match self.next(rest, Before::Name)? {
                    (after, Token::Op(Op::PostIncrement)) => (after, IncDec::PostIncrement),
                    (after, Token::Op(Op::PostDecrement)) => (after, IncDec::PostDecrement),
                    _ => {
                        self.before = Before::Name;
                        return Ok(Operand::Done(rest, ArithExpr::Var(var)));
                    }
                };
                self.before = Before::Number;
                Ok(Operand::Done(op.0, ArithExpr::IncDec(op.1, var)))
            }
            Token::Op(pre @ (Op::PreIncrement | Op::PreDecrement)) => {
                let (after, Token::Name { name, index }) = self.next(rest, Before::Operator)?
                else {
                    return self
                        .fail(rest, ArithErrorKind::IdentifierExpected)
                        .map(|(_, e)| e);
                };
                let var = self.var(self.last, name, index);
                self.before = Before::PreIncDec;
                let op = if pre == Op::PreIncrement {
                    IncDec::PreIncrement
                } else {
                    IncDec::PreDecrement
                };
                Ok(Operand::Done(after, ArithExpr::IncDec(op, var)))
            }
            Token::Op(Op::Open) => Ok(Operand::Open(rest)),
            _ => self
                .fail(i, ArithErrorKind::OperandExpected)
                .map(|(_, e)| e),
        }
    }
}

enum Operand<'a> {
    Done(&'a [u8], ArithExpr),
    Open(&'a [u8]),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ArithExpr {
        match parse_arith(text.as_bytes()) {
            Ok(arith) => arith.expr,
            Err(e) => panic!("{text:?} did not parse: {e}"),
        }
    }

    fn error(text: &str) -> String {
        match parse_arith(text.as_bytes()) {
            Ok(arith) => panic!("{text:?} parsed as {arith}"),
            Err(e) => e.to_string(),
        }
    }

    /// The tree printed back, which shows its shape through the groups
    /// the parser keeps: a test writes what it means with parentheses.
    fn shape(text: &str) -> String {
        parse(text).to_string()
    }

    #[test]
    fn blank_text_is_empty() {
        for text in ["", " ", "\t\n  "] {
            assert_eq!(parse(text), ArithExpr::Empty);
            assert!(parse_arith(text.as_bytes()).is_ok_and(|a| a.is_empty()));
        }
    }

    #[test]
    fn bad_literals_name_the_number_alone() {
        let cases = [
            ("08", "08: value too great for base (error token is \"08\")"),
            (
                "1 + 08 + 2",
                "1 + 08: value too great for base (error token is \"08\")",
            ),
            ("3a", "3a: value too great for base (error token is \"3a\")"),
            (
                "1_0",
                "1_0: value too great for base (error token is \"1_0\")",
            ),
            (
                "0xg",
                "0xg: value too great for base (error token is \"0xg\")",
            ),
            (
                "2#102",
                "2#102: value too great for base (error token is \"2#102\")",
            ),
            (
                "37#_",
                "37#_: value too great for base (error token is \"37#_\")",
            ),
            (
                "1#1",
                "1#1: invalid arithmetic base (error token is \"1#1\")",
            ),
            (
                "65#1",
                "65#1: invalid arithmetic base (error token is \"65#1\")",
            ),
            ("2#", "2#: invalid integer constant (error token is \"2#\")"),
            (
                "2##1",
                "2##1: invalid integer constant (error token is \"2##1\")",
            ),
            ("0x1#2", "0x1#2: invalid number (error token is \"0x1#2\")"),
            ("0#1", "0#1: invalid number (error token is \"0#1\")"),
            (
                "10#1#2",
                "10#1#2: invalid number (error token is \"10#1#2\")",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(error(text), message, "{text}");
        }
    }

    #[test]
    fn names_and_elements() {
        let ArithExpr::Var(var) = parse("_a1") else {
            panic!("not a variable");
        };
        assert_eq!(&*var.name, "_a1");
        assert!(var.index.is_none());
        let ArithExpr::Var(var) = parse("a[i + 1]") else {
            panic!("not an element");
        };
        let index = var.index.as_deref().map(|index| &*index.text);
        assert_eq!(index, Some(&b"i + 1"[..]));
        assert_eq!(shape("a[b[1]] + 1"), "a[b[1]] + 1");
        assert_eq!(shape("m[\"]\"]"), "m[\"]\"]");
        assert_eq!(shape("m[\\]]"), "m[\\]]");
    }

    #[test]
    fn a_bad_subscript_waits_for_evaluation() {
        let ArithExpr::Binary(binary) = parse("0 && a[1+]") else {
            panic!("not binary");
        };
        let ArithExpr::Var(var) = &binary.rest[0].operand else {
            panic!("not a variable");
        };
        let parsed = var.index.as_ref().map(|index| index.parsed.clone());
        let message = parsed.and_then(Result::err).map(|e| e.to_string());
        let expected = "1+: syntax error: operand expected (error token is \"+\")";
        assert_eq!(message.as_deref(), Some(expected));
    }

    #[test]
    fn an_unclosed_subscript_is_an_error_at_once() {
        assert_eq!(
            error("a[1 "),
            "a[1 : bad array subscript (error token is \"a[1 \")"
        );
        assert_eq!(
            error("1 + a["),
            "1 + a[: bad array subscript (error token is \"a[\")"
        );
        assert_eq!(
            error("a['1]"),
            "a['1]: bad array subscript (error token is \"a['1]\")"
        );
    }

    #[test]
    fn precedence_from_highest_to_lowest() {
        // Each line: an expression, and the same with the groups that the
        // precedence implies written out.
        let cases = [
            ("-2 ** 2", "-2 ** 2"),
            ("2 ** 3 * 4", "2 ** 3 * 4"),
            ("1 + 2 * 3", "1 + 2 * 3"),
            ("1 << 2 + 3", "1 << 2 + 3"),
            ("1 < 2 << 3", "1 < 2 << 3"),
            ("1 == 2 < 3", "1 == 2 < 3"),
            ("1 & 2 == 3", "1 & 2 == 3"),
            ("1 ^ 2 & 3", "1 ^ 2 & 3"),
            ("1 | 2 ^ 3", "1 | 2 ^ 3"),
            ("1 && 2 | 3", "1 && 2 | 3"),
            ("1 || 2 && 3", "1 || 2 && 3"),
            ("1 ? 2 : 3 || 4", "1 ? 2 : 3 || 4"),
            ("x = 1 ? 2 : 3", "x = 1 ? 2 : 3"),
            ("x = 1, 2", "x = 1, 2"),
        ];
        for (text, printed) in cases {
            assert_eq!(shape(text), printed);
        }
        // The structure under the printing: `1 + 2 * 3` adds a product.
        let ArithExpr::Binary(sum) = parse("1 + 2 * 3") else {
            panic!("not a sum");
        };
        assert_eq!(sum.rest[0].op, BinaryOp::Add);
        assert!(
            matches!(&sum.rest[0].operand, ArithExpr::Binary(p) if p.rest[0].op == BinaryOp::Multiply)
        );
        // `1 || 2 && 3` is an or whose second operand is an and.
        let ArithExpr::Binary(or) = parse("1 || 2 && 3") else {
            panic!("not an or");
        };
        assert_eq!(or.rest.len(), 1);
        assert_eq!(or.rest[0].op, BinaryOp::Or);
    }

    #[test]
    fn one_level_in_a_row_is_one_flat_node() {
        let ArithExpr::Binary(binary) = parse("1 - 2 + 3 - 4") else {
            panic!("not binary");
        };
        let ops: Vec<_> = binary.rest.iter().map(|op| op.op).collect();
        use BinaryOp as B;
        assert_eq!(ops, [B::Subtract, B::Add, B::Subtract]);
        let ArithExpr::Power(power) = parse("2 ** 3 ** 2") else {
            panic!("not a power");
        };
        assert_eq!(power.operands.len(), 3);
        assert!(matches!(parse("1, 2, 3"), ArithExpr::Comma(items) if items.len() == 3));
    }

    #[test]
    fn every_operator_is_read() {
        use BinaryOp as B;
        let cases = [
            ("*", B::Multiply),
            ("/", B::Divide),
            ("%", B::Remainder),
            ("+", B::Add),
            ("-", B::Subtract),
            ("<<", B::ShiftLeft),
            (">>", B::ShiftRight),
            ("<=", B::LessEqual),
            (">=", B::GreaterEqual),
            ("<", B::Less),
            (">", B::Greater),
            ("==", B::Equal),
            ("!=", B::NotEqual),
            ("&", B::BitAnd),
            ("^", B::BitXor),
            ("|", B::BitOr),
            ("&&", B::And),
            ("||", B::Or),
        ];
        for (text, op) in cases {
            let ArithExpr::Binary(binary) = parse(&format!("1{text}2")) else {
                panic!("{text} is not binary");
            };
            assert_eq!(binary.rest[0].op, op, "{text}");
        }
        let compound = [
            ("=", AssignOp::Set),
            ("*=", AssignOp::Multiply),
            ("/=", AssignOp::Divide),
            ("%=", AssignOp::Remainder),
            ("+=", AssignOp::Add),
            ("-=", AssignOp::Subtract),
            ("<<=", AssignOp::ShiftLeft),
            (">>=", AssignOp::ShiftRight),
            ("&=", AssignOp::BitAnd),
            ("^=", AssignOp::BitXor),
            ("|=", AssignOp::BitOr),
        ];
        for (text, op) in compound {
            let ArithExpr::Assign(assign) = parse(&format!("x{text}2")) else {
                panic!("{text} is not an assignment");
            };
            assert_eq!(assign.op, op, "{text}");
        }
        for (text, op) in [
            ("-x", PrefixOp::Negate),
            ("+x", PrefixOp::Plus),
            ("!x", PrefixOp::Not),
            ("~x", PrefixOp::BitNot),
        ] {
            assert!(
                matches!(parse(text), ArithExpr::Prefix(o, _) if o == op),
                "{text}"
            );
        }
    }

    #[test]
    fn plus_plus_means_what_the_token_before_says() {
        assert_eq!(shape("x+++y"), "x++ + y");
        assert_eq!(shape("x---y"), "x-- - y");
        assert_eq!(shape("x ++"), "x++");
        assert_eq!(shape("++ x"), "++x");
        assert_eq!(shape("--5"), "- -5");
        assert_eq!(shape("++5"), "+ +5");
        assert_eq!(shape("1 ++ 2"), "1 + +2");
        assert_eq!(shape("1+++x"), "1 + ++x");
        assert_eq!(shape("-x++"), "-x++");
        assert_eq!(shape("- --x"), "- --x");
    }

    #[test]
    fn increments_need_a_variable() {
        assert_eq!(
            error("5++"),
            "5++: syntax error: operand expected (error token is \"+\")"
        );
        assert_eq!(
            error("5 ++x"),
            "5 ++x: syntax error in expression (error token is \"++x\")"
        );
        assert_eq!(
            error("(1)++x"),
            "(1)++x: syntax error in expression (error token is \"++x\")"
        );
        assert_eq!(
            error("++x++"),
            "++x++: ++: assignment requires lvalue (error token is \"++\")"
        );
        assert_eq!(
            error("--x ++ 2"),
            "--x ++ 2: ++: assignment requires lvalue (error token is \"++ 2\")"
        );
        assert_eq!(
            error("++x--"),
            "++x--: --: assignment requires lvalue (error token is \"--\")"
        );
        assert_eq!(
            error("x--1"),
            "x--1: syntax error in expression (error token is \"1\")"
        );
    }

    #[test]
    fn assignment_needs_a_lone_name() {
        let message = |text: &str, token: &str| {
            format!("{text}: attempted assignment to non-variable (error token is \"{token}\")")
        };
        for (text, token) in [
            ("1 = 2", "= 2"),
            ("(x) = 2", "= 2"),
            ("x+y=3", "=3"),
            ("x++ = 3", "= 3"),
            ("++x = 3", "= 3"),
            ("0 ? 1 : x = 7", "= 7"),
            ("-x = 1", "= 1"),
            ("1 += 2", "+= 2"),
        ] {
            assert_eq!(error(text), message(text, token));
        }
        assert_eq!(shape("x = y = 9"), "x = y = 9");
        assert_eq!(shape("1 ? x = 7 : 8"), "1 ? x = 7 : 8");
        assert_eq!(shape("a[i++] += 2"), "a[i++] += 2");
        assert_eq!(
            error("x **= 2"),
            "x **= 2: syntax error: operand expected (error token is \"= 2\")"
        );
        assert_eq!(
            error("x = = 3"),
            "x = = 3: syntax error: operand expected (error token is \"= 3\")"
        );
        assert_eq!(
            error("x ="),
            "x =: syntax error: operand expected (error token is \"=\")"
        );
    }

    #[test]
    fn syntax_errors_point_where_bash_does() {
        let cases = [
            ("1 +", "syntax error: operand expected", "+"),
            ("1 + ", "syntax error: operand expected", "+ "),
            ("2 3", "syntax error in expression", "3"),
            ("1 )", "syntax error in expression", ")"),
            ("()", "syntax error: operand expected", ")"),
            ("(1", "missing `)'", "1"),
            ("(1 2", "missing `)'", "2"),
            ("1 ? 2", "`:' expected for conditional expression", "2"),
            ("1 ? 2 3", "`:' expected for conditional expression", "3"),
            ("1 ? : 2", "expression expected", ": 2"),
            ("1 ?", "expression expected", "?"),
            ("1 ? 2 :", "expression expected", ":"),
            (",1", "syntax error: operand expected", ",1"),
            ("1,", "syntax error: operand expected", ","),
            ("1 @ 2", "syntax error: invalid arithmetic operator", "@ 2"),
            ("@", "syntax error: operand expected", "@"),
            ("x @", "syntax error: invalid arithmetic operator", "@"),
            ("(1) @", "syntax error: operand expected", "@"),
            ("1 + @", "syntax error: operand expected", "@"),
            ("x++ @", "syntax error: invalid arithmetic operator", "@"),
            ("5[1]", "syntax error: invalid arithmetic operator", "[1]"),
            (
                "a[1]]+1",
                "syntax error: invalid arithmetic operator",
                "]+1",
            ),
            ("a [1]", "syntax error: invalid arithmetic operator", "[1]"),
            ("1\r+2", "syntax error: invalid arithmetic operator", "\r+2"),
            ("foo bar", "syntax error in expression", "bar"),
        ];
        for (text, message, token) in cases {
            let expected = format!("{text}: {message} (error token is \"{token}\")");
            assert_eq!(error(text), expected, "{text:?}");
        }
    }

    #[test]
    fn errors_in_the_tokens_bash_reads_ahead_come_first() {
        assert_eq!(
            error("x 08"),
            "x 08: value too great for base (error token is \"08\")"
        );
        assert_eq!(
            error("x y 08"),
            "x y 08: value too great for base (error token is \"08\")"
        );
        assert_eq!(
            error("x @ 08"),
            "x @ 08: syntax error: invalid arithmetic operator (error token is \"@ 08\")"
        );
        assert_eq!(
            error("x y["),
            "x y[: bad array subscript (error token is \"y[\")"
        );
    }

    #[test]
    fn blanks_tabs_and_newlines_separate_tokens() {
        assert_eq!(shape(" 1\n+\n2\t*3 "), "1 + 2 * 3");
        assert_eq!(shape("\tx\n=\n1"), "x = 1");
    }

    #[test]
    fn a_nul_ends_the_text() {
        assert_eq!(parse("1+2\0junk"), parse("1+2"));
    }

    #[test]
    fn sites_point_at_bash_s_error_tokens() {
        let arith = parse_arith(b"1 / 0+5").expect("parses");
        let ArithExpr::Binary(sum) = &arith.expr else {
            panic!("not binary");
        };
        let ArithExpr::Binary(quotient) = &sum.first else {
            panic!("not binary");
        };
        assert_eq!(&arith.text[arith.offset(quotient.rest[0].site)..], b"0+5");
        let arith = parse_arith(b"2**-1 + 3").expect("parses");
        let ArithExpr::Binary(binary) = &arith.expr else {
            panic!("not binary");
        };
        let ArithExpr::Power(power) = &binary.first else {
            panic!("not a power");
        };
        assert_eq!(&arith.text[arith.offset(power.site)..], b"+ 3");
        let arith = parse_arith(b"x /= 0").expect("parses");
        let ArithExpr::Assign(assign) = &arith.expr else {
            panic!("not an assignment");
        };
        assert_eq!(&arith.text[arith.offset(assign.site)..], b"0");
    }

    /// Fails with the nesting bound's error, without overflowing the stack
    /// of a test thread (2 MB): the bound holds in a debug build too.
    fn too_deep(text: &str) {
        let kind = parse_arith(text.as_bytes()).err().map(|e| e.kind());
        assert_eq!(
            kind,
            Some(ArithErrorKind::Recursion),
            "{}",
            &text[..20.min(text.len())]
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for n in [81, 100_000] {
            too_deep(&format!("{}1{}", "(".repeat(n), ")".repeat(n)));
            too_deep(&format!("{}1", "(".repeat(n)));
        }
        too_deep(&format!("{}1", "- ".repeat(100_000)));
        too_deep(&format!("{}1", "!".repeat(100_000)));
        too_deep(&format!("{}1", "x = ".repeat(100_000)));
        too_deep(&format!("1{}", " ? 1 : 1".repeat(100_000)));
        too_deep(&format!(
            "{}1{}",
            "1 ? ".repeat(100_000),
            " : 1".repeat(100_000)
        ));
        let message = "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\
                       ((((((((((((((((((((((1: expression recursion level exceeded \
                       (error token is \"(1\")";
        let text = format!("{}1", "(".repeat(82));
        assert_eq!(error(&text), message);
    }

    #[test]
    fn deep_subscripts_fail_when_evaluated() {
        let n = 20_000;
        let text = format!("{}1{}", "a[".repeat(n), "]".repeat(n));
        let mut parsed = parse_arith(text.as_bytes()).expect("the outer text parses");
        let mut levels = 0;
        loop {
            let ArithExpr::Var(var) = parsed.expr else {
                panic!("not an element");
            };
            match var.index.map(|index| index.parsed) {
                Some(Ok(inner)) => parsed = inner,
                Some(Err(e)) => {
                    assert_eq!(e.kind(), ArithErrorKind::Recursion);
                    break;
                }
                None => panic!("no subscript"),
            }
            levels += 1;
        }
        assert_eq!(levels, MAX_NESTING / SUBSCRIPT_NESTING);
    }

    #[test]
    fn nesting_within_the_limit_parses() {
        let n = 80;
        let text = format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert!(parse_arith(text.as_bytes()).is_ok());
        let long = vec!["1"; 100_000].join(" + ");
        assert!(parse_arith(long.as_bytes()).is_ok());
        let long = vec!["1"; 100_000].join(" ** ");
        assert!(parse_arith(long.as_bytes()).is_ok());
    }
}
