//! Evaluating an arithmetic tree against the shell's variables, with
//! bash's 64-bit wrapping arithmetic, short circuits and errors.
//!
//! A variable's value is itself an arithmetic text (`x='1+2'; $((x*2))` is
//! 6), evaluated as a nested text of its own; a value that is a plain
//! decimal number is read without the parser, since it nearly always is.
//!
//! The branch that `&&`, `||` or `?:` does not take is still walked, as
//! bash walks it: with every variable 0, nothing read or assigned, and
//! division by 0 let pass. Only a literal error can show there
//! (`0 && 2**-1` is "exponent less than 0" in bash too).

use std::borrow::Cow;

use crate::ast::arith::{
    Arith, ArithExpr, Assign, Binary, BinaryOp, Conditional, IncDec, Power, PrefixOp, Site, Var,
};
use crate::parse::arith::parse_arith;
use crate::parse::arith_error::{ArithError, ArithErrorKind};

/// Bash's `MAX_EXPR_RECURSION_LEVEL`: how many texts (the expression,
/// values of variables, subscripts) may be under evaluation at once.
const MAX_TEXTS: usize = 1024;

/// How deep the trees under evaluation at once may nest in all, with
/// [`TEXT_COST`] for each text: a bound on the evaluator's stack. A level
/// of a tree costs up to 0.7 KB of stack in a debug build (0.2 KB
/// optimized), so this stays under 4 MB; bash's 1024 texts of a name or a
/// sum each fit. A value that is a deep expression naming itself runs out
/// here instead of overflowing the stack.
const MAX_DEPTH: u32 = 5000;

/// The stack a nested text costs besides its tree, in tree levels.
const TEXT_COST: u32 = 2;

/// An array subscript as the shell's side receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscript<'a> {
    /// An indexed array's subscript, already evaluated. Negative counts
    /// from the end; out of range is the shell's error to give.
    Index(i64),
    /// The raw text between the brackets: an associative array's key, or
    /// an indexed array's subscript that bash refuses before evaluating
    /// it (empty, `@`, `*`), for the shell to report as bash does.
    Text(&'a [u8]),
}

/// What the evaluator needs of the shell's variables.
///
/// Errors of the shell's own are the shell's to word and to weigh: bash
/// only warns about a subscript out of range (`a: bad array subscript`)
/// and goes on, reading 0 and assigning nothing, so `get` and `set` may
/// print and return `Ok`; a readonly variable fails the whole text
/// (`r: readonly variable`), so `set` returns [`ArithError::shell`].
///
/// `get` lends the value instead of returning a new `Vec`, so that reading
/// a variable allocates nothing; `set` takes the number and lets the shell
/// format it into storage it may already have. There is no `nounset()`:
/// under `set -u` bash fails on a variable that does not exist, but not on
/// an element missing from an array that does (`a=(1); $((a[5]))` is 0),
/// and only the shell can tell those apart, so `get` returns
/// [`ArithError::unbound`] itself.
pub trait ArithVars {
    /// The value of `name` (or of `name[subscript]`), `None` if unset.
    fn get(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
    ) -> Result<Option<Cow<'_, [u8]>>, ArithError>;

    /// Assigns `value` to `name` (or `name[subscript]`): the shell writes
    /// it in decimal, as bash does, and applies the variable's attributes.
    fn set(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
        value: i64,
    ) -> Result<(), ArithError>;

    /// Whether `name` is an associative array (its subscripts are strings,
    /// not arithmetic).
    fn is_assoc(&self, _name: &str) -> bool {
        false
    }
}

/// Evaluates a parsed text. An empty one is 0; `for ((;;))` asks
/// [`Arith::is_empty`] first, since there an empty condition is true.
pub fn eval(arith: &Arith, vars: &mut dyn ArithVars) -> Result<i64, ArithError> {
    let mut evaluator = Evaluator {
        vars,
        texts: 1,
        depth: arith.depth,
    };
    evaluator.expr(&arith.expr, arith, true)
}

struct Evaluator<'v> {
    vars: &'v mut dyn ArithVars,
    /// Texts under evaluation, the outermost included.
    texts: usize,
    /// Their trees' depths added up, with [`TEXT_COST`] for each.
    depth: u32,
}

impl Evaluator<'_> {
    /// The value of `expr`, a node of `text`. `live` is false in a branch
    /// not taken: see the module's doc. Every node but the simplest goes
    /// to a function of its own, which keeps this frame, on the stack once
    /// for every level of the tree, small.
    fn expr(&mut self, expr: &ArithExpr, text: &Arith, live: bool) -> Result<i64, ArithError> {
        match expr {
            ArithExpr::Empty => Ok(0),
            ArithExpr::Number(value) => Ok(*value),
            ArithExpr::Var(var) => self.var(var, text, live),
            ArithExpr::Group(inner) => self.expr(inner, text, live),
            ArithExpr::Prefix(op, operand) => self.prefix(*op, operand, text, live),
            ArithExpr::IncDec(op, var) => self.inc_dec(*op, var, text, live),
            ArithExpr::Binary(binary) => self.binary(binary, text, live),
            ArithExpr::Power(power) => self.power(power, text, live),
            ArithExpr::Conditional(c) => self.conditional(c, text, live),
            ArithExpr::Assign(assign) => self.assign(assign, text, live),
            ArithExpr::Comma(items) => self.comma(items, text, live),
        }
    }

    fn var(&mut self, var: &Var, text: &Arith, live: bool) -> Result<i64, ArithError> {
        if !live {
            return Ok(0);
        }
        let subscript = self.subscript(var, text)?;
        self.value(var, subscript, text)
    }

    fn prefix(
        &mut self,
        op: PrefixOp,
        operand: &ArithExpr,
        text: &Arith,
        live: bool,
    ) -> Result<i64, ArithError> {
        let value = self.expr(operand, text, live)?;
        Ok(match op {
            PrefixOp::Negate => value.wrapping_neg(),
            PrefixOp::Plus => value,
            PrefixOp::Not => i64::from(value == 0),
            PrefixOp::BitNot => !value,
        })
    }

    fn conditional(
        &mut self,
        c: &Conditional,
        text: &Arith,
        live: bool,
    ) -> Result<i64, ArithError> {
        let test = self.expr(&c.test, text, live)?;
        let then = self.expr(&c.then, text, live && test != 0)?;
        let otherwise = self.expr(&c.otherwise, text, live && test == 0)?;
        Ok(if test != 0 { then } else { otherwise })
    }

    fn comma(&mut self, items: &[ArithExpr], text: &Arith, live: bool) -> Result<i64, ArithError> {
        let mut value = 0;
        for item in items {
            value = self.expr(item, text, live)?;
        }
        Ok(value)
    }

    fn binary(&mut self, binary: &Binary, text: &Arith, live: bool) -> Result<i64, ArithError> {
        let mut value = self.expr(&binary.first, text, live)?;
        for operation in &binary.rest {
            let operand = &operation.operand;
            value = match operation.op {
                BinaryOp::And => {
                    let right = self.expr(operand, text, live && value != 0)?;
                    i64::from(value != 0 && right != 0)
                }
                BinaryOp::Or => {
                    let right = self.expr(operand, text, live && value == 0)?;
                    i64::from(value != 0 || right != 0)
                }
                op => {
                    let right = self.expr(operand, text, live)?;
                    apply(op, value, right, live)
                        .map_err(|kind| error(kind, text, operation.site))?
                }
            };
        }
        Ok(value)
    }

    /// `a ** b ** c`: every operand first, left to right as bash reads
    /// them, then the powers from the right.
    fn power(&mut self, power: &Power, text: &Arith, live: bool) -> Result<i64, ArithError> {
        let mut few = [0; 8];
        let mut many = Vec::new();
        let values: &mut [i64] = match few.get_mut(..power.operands.len()) {
            Some(values) => values,
            None => {
                many.resize(power.operands.len(), 0);
                &mut many
            }
        };
        for (value, operand) in values.iter_mut().zip(&power.operands) {
            *value = self.expr(operand, text, live)?;
        }
        let Some((&last, bases)) = values.split_last() else {
            return Ok(0);
        };
        let mut exponent = last;
        for &base in bases.iter().rev() {
            exponent = match exponent {
                0 => 1,
                // Bash checks this even in a branch not taken.
                ..0 => return Err(error(ArithErrorKind::NegativeExponent, text, power.site)),
                _ => wrapping_pow(base, exponent),
            };
        }
        Ok(exponent)
    }

    fn inc_dec(
        &mut self,
        op: IncDec,
        var: &Var,
        text: &Arith,
        live: bool,
    ) -> Result<i64, ArithError> {
        let step = match op {
            IncDec::PreIncrement | IncDec::PostIncrement => 1,
            IncDec::PreDecrement | IncDec::PostDecrement => -1,
        };
        let pre = matches!(op, IncDec::PreIncrement | IncDec::PreDecrement);
        if !live {
            // Bash's values there, with the variable read as 0.
            return Ok(if pre { step } else { 0 });
        }
        let subscript = self.subscript(var, text)?;
        let old = self.value(var, subscript, text)?;
        let new = old.wrapping_add(step);
        self.vars.set(&var.name, subscript, new)?;
        Ok(if pre { new } else { old })
    }

    /// `x = v` evaluates `v`, then `x`'s subscript; `x op= v` reads `x`
    /// (subscript first) before it evaluates `v`, and writes the element it
    /// read. Bash's order, seen in `a[i++] = i` and `x += x++`.
    fn assign(&mut self, assign: &Assign, text: &Arith, live: bool) -> Result<i64, ArithError> {
        let target = &assign.target;
        let Some(op) = assign.op.binary() else {
            let value = self.expr(&assign.value, text, live)?;
            if live {
                let subscript = self.subscript(target, text)?;
                self.vars.set(&target.name, subscript, value)?;
            }
            return Ok(value);
        };
        let (subscript, old) = if live {
            let subscript = self.subscript(target, text)?;
            (subscript, self.value(target, subscript, text)?)
        } else {
            (None, 0)
        };
        let right = self.expr(&assign.value, text, live)?;
        let value = apply(op, old, right, live).map_err(|kind| error(kind, text, assign.site))?;
        if live {
            self.vars.set(&target.name, subscript, value)?;
        }
        Ok(value)
    }

    fn subscript<'e>(
        &mut self,
        var: &'e Var,
        text: &Arith,
    ) -> Result<Option<Subscript<'e>>, ArithError> {
        let Some(index) = &var.index else {
            return Ok(None);
        };
        if self.vars.is_assoc(&var.name) || matches!(&*index.text, b"" | b"@" | b"*") {
            return Ok(Some(Subscript::Text(&index.text)));
        }
        let parsed = index.parsed.as_ref().map_err(Clone::clone)?;
        Ok(Some(Subscript::Index(self.nested(parsed, text, var.site)?)))
    }

    /// The value of a variable: its text evaluated.
    fn value(
        &mut self,
        var: &Var,
        subscript: Option<Subscript<'_>>,
        text: &Arith,
    ) -> Result<i64, ArithError> {
        let Some(value) = self.vars.get(&var.name, subscript)? else {
            return Ok(0);
        };
        if let Some(number) = plain_number(&value) {
            // Bash evaluates this as a text too, which counts as one.
            if self.texts >= MAX_TEXTS {
                return Err(error(ArithErrorKind::Recursion, text, var.site));
            }
            return Ok(number);
        }
        if value.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\n')) {
            return Ok(0);
        }
        let value = value.into_owned();
        // Before parsing: bash counts the text before it reads it, so a
        // runaway recursion shows even through a value that does not parse.
        if self.texts >= MAX_TEXTS {
            return Err(error(ArithErrorKind::Recursion, text, var.site));
        }
        let parsed = parse_arith(&value)?;
        self.nested(&parsed, text, var.site)
    }

    /// Evaluates `nested`, a text met while evaluating `text` at `site`.
    fn nested(&mut self, nested: &Arith, text: &Arith, site: Site) -> Result<i64, ArithError> {
        if nested.is_empty() {
            return Ok(0);
        }
        let cost = nested.depth.saturating_add(TEXT_COST);
        if self.texts >= MAX_TEXTS || self.depth.saturating_add(cost) > MAX_DEPTH {
            return Err(error(ArithErrorKind::Recursion, text, site));
        }
        self.texts += 1;
        self.depth += cost;
        let value = self.expr(&nested.expr, nested, true);
        self.texts -= 1;
        self.depth -= cost;
        value
    }
}

fn error(kind: ArithErrorKind, text: &Arith, site: Site) -> ArithError {
    ArithError::in_text(kind, &text.text, text.offset(site), None)
}

/// A binary operator on two values, as bash computes it with C's 64-bit
/// integers: wrapping, shifts counted modulo 64 as x86 does, and
/// `INT64_MIN / -1` giving `INT64_MIN` (and `% -1` giving 0) rather than a
/// trap. In a branch not taken, division by 0 divides by 1.
fn apply(op: BinaryOp, left: i64, right: i64, live: bool) -> Result<i64, ArithErrorKind> {
    Ok(match op {
        BinaryOp::Multiply => left.wrapping_mul(right),
        BinaryOp::Divide | BinaryOp::Remainder => {
            let divisor = match right {
                0 if live => return Err(ArithErrorKind::DivisionByZero),
                0 => 1,
                _ => right,
            };
            if op == BinaryOp::Divide {
                left.wrapping_div(divisor)
            } else {
                left.wrapping_rem(divisor)
            }
        }
        BinaryOp::Add => left.wrapping_add(right),
        BinaryOp::Subtract => left.wrapping_sub(right),
        BinaryOp::ShiftLeft => left.wrapping_shl(shift_count(right)),
        BinaryOp::ShiftRight => left.wrapping_shr(shift_count(right)),
        BinaryOp::LessEqual => i64::from(left <= right),
        BinaryOp::GreaterEqual => i64::from(left >= right),
        BinaryOp::Less => i64::from(left < right),
        BinaryOp::Greater => i64::from(left > right),
        BinaryOp::Equal => i64::from(left == right),
        BinaryOp::NotEqual => i64::from(left != right),
        BinaryOp::BitAnd => left & right,
        BinaryOp::BitXor => left ^ right,
        BinaryOp::BitOr => left | right,
        BinaryOp::And => i64::from(left != 0 && right != 0),
        BinaryOp::Or => i64::from(left != 0 || right != 0),
    })
}

fn shift_count(count: i64) -> u32 {
    // The low six bits, which is what x86 shifts by: `1 << 64` is 1.
    (count & 63) as u32
}

/// `base ** exponent` by squaring, wrapping; `exponent` is positive.
fn wrapping_pow(mut base: i64, mut exponent: i64) -> i64 {
    let mut result: i64 = 1;
    while exponent != 0 {
        if exponent & 1 == 1 {
            result = result.wrapping_mul(base);
        }
        exponent >>= 1;
        base = base.wrapping_mul(base);
    }
    result
}

/// A value that is an optional `-` and decimal digits, without a leading
/// zero (that would be octal) and short enough not to wrap: its number,
/// read without the parser.
fn plain_number(text: &[u8]) -> Option<i64> {
    let (negative, digits) = match text {
        [b'-', digits @ ..] => (true, digits),
        _ => (false, text),
    };
    match digits {
        [b'0'] => return Some(0),
        [b'1'..=b'9', ..] if digits.len() <= 18 => {}
        _ => return None,
    }
    let mut value: i64 = 0;
    for &digit in digits {
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(digit - b'0');
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::arith::bash_tests::{MapVars, on_shell_stack};

    fn run(text: &str, vars: &mut MapVars) -> Result<i64, String> {
        let parsed = parse_arith(text.as_bytes()).map_err(|e| e.to_string())?;
        eval(&parsed, vars).map_err(|e| e.to_string())
    }

    fn value(text: &str) -> i64 {
        match run(text, &mut MapVars::default()) {
            Ok(value) => value,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    fn error(text: &str) -> String {
        match run(text, &mut MapVars::default()) {
            Ok(value) => panic!("{text} gave {value}"),
            Err(e) => e,
        }
    }

    #[test]
    fn empty_is_zero() {
        assert_eq!(value(""), 0);
        assert_eq!(value("  \n"), 0);
    }

    #[test]
    fn every_binary_operator() {
        let cases = [
            ("7 * 6", 42),
            ("7 / 2", 3),
            ("-7 / 2", -3),
            ("7 % -3", 1),
            ("-7 % 3", -1),
            ("1 + 2", 3),
            ("1 - 2", -1),
            ("1 << 4", 16),
            ("-8 >> 1", -4),
            ("2 <= 2", 1),
            ("3 >= 4", 0),
            ("1 < 2", 1),
            ("1 > 2", 0),
            ("3 == 3", 1),
            ("3 != 3", 0),
            ("6 & 3", 2),
            ("6 ^ 3", 5),
            ("6 | 3", 7),
            ("2 && 3", 1),
            ("0 && 3", 0),
            ("0 || 0", 0),
            ("0 || 5", 1),
            ("2 ** 10", 1024),
            ("1, 2, 3", 3),
            ("1 ? 2 : 3", 2),
            ("0 ? 2 : 3", 3),
        ];
        for (text, expected) in cases {
            assert_eq!(value(text), expected, "{text}");
        }
    }

    #[test]
    fn every_prefix_operator() {
        assert_eq!(value("-5"), -5);
        assert_eq!(value("+5"), 5);
        assert_eq!(value("!0"), 1);
        assert_eq!(value("!5"), 0);
        assert_eq!(value("~0"), -1);
        assert_eq!(value("-+-5"), 5);
    }

    #[test]
    fn precedence_and_associativity() {
        let cases = [
            ("-2**2", 4),
            ("~2**2", 9),
            ("2**3**2", 512),
            ("2**-1**2", 2),
            ("2*3**2", 18),
            ("1+2*3", 7),
            ("10-4-3", 3),
            ("100/10/5", 2),
            ("1<<2+1", 8),
            ("1<2<3", 1),
            ("3>2>1", 0),
            ("1==1==1", 1),
            ("5&3|8^1", 9),
            ("1|2&0", 1),
            ("1||0&&0", 1),
            ("1 ? 2 : 3 ? 4 : 5", 2),
            ("0 ? 2 : 0 ? 4 : 5", 5),
            ("1 ? 2, 3 : 4", 3),
            ("0 ? 1 : 2, 3", 3),
            ("(1+2)*3", 9),
        ];
        for (text, expected) in cases {
            assert_eq!(value(text), expected, "{text}");
        }
    }

    #[test]
    fn wrapping_as_bash_wraps() {
        assert_eq!(value("2**63"), i64::MIN);
        assert_eq!(value("2**62*2"), i64::MIN);
        assert_eq!(value("9223372036854775807+1"), i64::MIN);
        assert_eq!(value("-9223372036854775808 / -1"), i64::MIN);
        assert_eq!(value("-9223372036854775808 % -1"), 0);
        assert_eq!(value("-9223372036854775808 * -1"), i64::MIN);
        assert_eq!(value("- -9223372036854775808"), i64::MIN);
        assert_eq!(value("3**40"), -6289078614652622815);
        assert_eq!(value("0**0"), 1);
        assert_eq!(value("(-2)**3"), -8);
        assert_eq!(value("1 << 64"), 1);
        assert_eq!(value("1 << -1"), i64::MIN);
        assert_eq!(value("1 >> 65"), 0);
        let mut vars = MapVars::with(&[("x", "-9223372036854775808")]);
        assert_eq!(run("x /= -1", &mut vars), Ok(i64::MIN));
        assert_eq!(run("x %= -1", &mut vars), Ok(0));
    }

    #[test]
    fn division_by_zero_names_the_divisor() {
        assert_eq!(error("1/0"), "1/0: division by 0 (error token is \"0\")");
        assert_eq!(
            error("1/0 + 5"),
            "1/0 + 5: division by 0 (error token is \"0 + 5\")"
        );
        assert_eq!(
            error("1 %  (2-2)"),
            "1 %  (2-2): division by 0 (error token is \"(2-2)\")"
        );
        assert_eq!(
            error("1/\n0"),
            "1/\n0: division by 0 (error token is \"\n0\")"
        );
        let mut vars = MapVars::with(&[("x", "5")]);
        let e = run("x /= 0 , 1", &mut vars);
        assert_eq!(
            e,
            Err("x /= 0 , 1: division by 0 (error token is \", 1\")".into())
        );
        let e = run("x %= 0", &mut vars);
        assert_eq!(
            e,
            Err("x %= 0: division by 0 (error token is \"0\")".into())
        );
    }

    #[test]
    fn negative_exponents_are_errors_even_untaken() {
        assert_eq!(
            error("2**-1"),
            "2**-1: exponent less than 0 (error token is \"1\")"
        );
        assert_eq!(
            error("2**-1 + 3"),
            "2**-1 + 3: exponent less than 0 (error token is \"+ 3\")"
        );
        assert_eq!(
            error("0 && 2**-1"),
            "0 && 2**-1: exponent less than 0 (error token is \"1\")"
        );
        // Untaken, x is 0 whatever its value.
        let mut vars = MapVars::with(&[("x", "5")]);
        let e = run("0 && 2**(x-1)", &mut vars);
        assert_eq!(
            e,
            Err("0 && 2**(x-1): exponent less than 0 (error token is \")\")".into())
        );
    }

    #[test]
    fn short_circuits_leave_variables_alone() {
        let mut vars = MapVars::default();
        assert_eq!(run("0 && (x=5)", &mut vars), Ok(0));
        assert_eq!(run("1 || (x=5)", &mut vars), Ok(1));
        assert_eq!(run("1 ? 2 : y++", &mut vars), Ok(2));
        assert_eq!(run("0 ? y++ : 3", &mut vars), Ok(3));
        assert_eq!(run("0 && 1/0", &mut vars), Ok(0));
        assert_eq!(run("0 && (z/=0)", &mut vars), Ok(0));
        assert_eq!(run("0 && bad", &mut MapVars::with(&[("bad", "1+")])), Ok(0));
        assert_eq!(run("0 && a[1+]", &mut vars), Ok(0));
        assert_eq!(vars.scalar("x"), None);
        assert_eq!(vars.scalar("y"), None);
        assert_eq!(vars.scalar("z"), None);
        assert_eq!(run("0 || (x=5)", &mut vars), Ok(1));
        assert_eq!(vars.scalar("x"), Some("5"));
        assert_eq!(run("0 ? x=1 : (y=2)", &mut vars), Ok(2));
        assert_eq!(vars.scalar("x"), Some("5"));
        assert_eq!(vars.scalar("y"), Some("2"));
    }

    #[test]
    fn increments_and_decrements() {
        let mut vars = MapVars::with(&[("x", "5"), ("y", "2")]);
        assert_eq!(run("x++", &mut vars), Ok(5));
        assert_eq!(run("x", &mut vars), Ok(6));
        assert_eq!(run("++x", &mut vars), Ok(7));
        assert_eq!(run("x--", &mut vars), Ok(7));
        assert_eq!(run("--x", &mut vars), Ok(5));
        assert_eq!(run("x+++y", &mut vars), Ok(7));
        assert_eq!(vars.scalar("x"), Some("6"));
        assert_eq!(run("x++ + ++x", &mut vars), Ok(6 + 8));
        assert_eq!(run("-x++", &mut vars), Ok(-8));
        assert_eq!(run("u++", &mut vars), Ok(0));
        assert_eq!(vars.scalar("u"), Some("1"));
        let mut vars = MapVars::with(&[("m", "9223372036854775807")]);
        assert_eq!(run("++m", &mut vars), Ok(i64::MIN));
    }

    #[test]
    fn assignments() {
        let mut vars = MapVars::with(&[("x", "2")]);
        let cases = [
            ("x *= 3 + 1", 8),
            ("x /= 3", 2),
            ("x %= 3", 2),
            ("x += 10", 12),
            ("x -= 2", 10),
            ("x <<= 2", 40),
            ("x >>= 1", 20),
            ("x &= 6", 4),
            ("x ^= 5", 1),
            ("x |= 6", 7),
            ("x = y = 9", 9),
            ("x = 1 ? 5 : 6", 5),
        ];
        for (text, expected) in cases {
            assert_eq!(run(text, &mut vars), Ok(expected), "{text}");
        }
        assert_eq!(vars.scalar("y"), Some("9"));
        assert_eq!(vars.scalar("x"), Some("5"));
    }

    #[test]
    fn a_compound_assignment_reads_before_its_value() {
        let mut vars = MapVars::with(&[("x", "1")]);
        assert_eq!(run("x += x++", &mut vars), Ok(2));
        assert_eq!(vars.scalar("x"), Some("2"));
    }

    #[test]
    fn plain_assignment_does_not_read_the_old_value() {
        let mut vars = MapVars::with(&[("x", "1+")]);
        assert_eq!(run("x = 5", &mut vars), Ok(5));
        let mut vars = MapVars::with(&[("x", "1+")]);
        let e = run("x += 5", &mut vars);
        assert_eq!(
            e,
            Err("1+: syntax error: operand expected (error token is \"+\")".into())
        );
    }

    #[test]
    fn values_are_expressions_evaluated_in_turn() {
        let mut vars = MapVars::with(&[("x", "1+2"), ("a", "b"), ("b", "c"), ("c", "7")]);
        assert_eq!(run("x*2", &mut vars), Ok(6));
        assert_eq!(run("a", &mut vars), Ok(7));
        let mut vars = MapVars::with(&[
            ("s", " 12 "),
            ("o", "010"),
            ("h", "0x1f"),
            ("e", ""),
            ("b", " "),
        ]);
        assert_eq!(run("s*2", &mut vars), Ok(24));
        assert_eq!(run("o", &mut vars), Ok(8));
        assert_eq!(run("h", &mut vars), Ok(31));
        assert_eq!(run("e + b + unset", &mut vars), Ok(0));
        let mut vars = MapVars::with(&[("n", "-5"), ("z", "-0"), ("big", "99999999999999999999")]);
        assert_eq!(run("n", &mut vars), Ok(-5));
        assert_eq!(run("z", &mut vars), Ok(0));
        assert_eq!(run("big", &mut vars), Ok(7766279631452241919));
    }

    #[test]
    fn errors_in_values_quote_the_value() {
        let mut vars = MapVars::with(&[("x", "foo bar"), ("d", "1/0"), ("q", "08")]);
        let e = run("x + 1", &mut vars);
        assert_eq!(
            e,
            Err("foo bar: syntax error in expression (error token is \"bar\")".into())
        );
        let e = run("d", &mut vars);
        assert_eq!(e, Err("1/0: division by 0 (error token is \"0\")".into()));
        let e = run("q", &mut vars);
        assert_eq!(
            e,
            Err("08: value too great for base (error token is \"08\")".into())
        );
    }

    #[test]
    fn self_reference_stops_at_bash_s_level() {
        on_shell_stack(self_reference);
    }

    fn self_reference() {
        let mut vars = MapVars::with(&[("a", "a")]);
        let e = run("a", &mut vars);
        assert_eq!(
            e,
            Err("a: expression recursion level exceeded (error token is \"a\")".into())
        );
        let mut vars = MapVars::with(&[("a", "a+1")]);
        let e = run("a + 2", &mut vars);
        assert_eq!(
            e,
            Err("a+1: expression recursion level exceeded (error token is \"a+1\")".into())
        );
    }

    #[test]
    fn a_chain_of_names_may_be_1023_long() {
        on_shell_stack(chain_of_names);
    }

    fn chain_of_names() {
        // Bash: the outer text and 1023 values fit, 1024 do not.
        let chain = |n: usize, step: &str, last: &str| {
            let mut vars = MapVars::default();
            for i in 1..n {
                vars.set_scalar(&format!("v{i}"), &format!("v{}{step}", i + 1));
            }
            vars.set_scalar(&format!("v{n}"), last);
            run("v1", &mut vars)
        };
        assert_eq!(chain(1023, "", "1"), Ok(1));
        assert_eq!(chain(1023, "", "1+0"), Ok(1));
        assert_eq!(chain(1023, "+1", "1"), Ok(1023));
        let e = chain(1024, "", "1");
        assert_eq!(
            e,
            Err("v1024: expression recursion level exceeded (error token is \"v1024\")".into())
        );
        assert_eq!(chain(1024, "", " "), Ok(0));
    }

    #[test]
    fn deep_values_naming_themselves_stop_without_overflow() {
        on_shell_stack(|| {
            for (open, close) in [("(", ")"), ("-", ""), ("0 ? 0 : ", ""), ("y = ", "")] {
                let deep = format!("{}x{}", open.repeat(70), close.repeat(70));
                let mut vars = MapVars::with(&[("x", &deep)]);
                let e = parse_arith(b"x").map(|parsed| eval(&parsed, &mut vars));
                let kind = e.ok().and_then(Result::err).map(|e| e.kind());
                assert_eq!(kind, Some(ArithErrorKind::Recursion), "{open}");
            }
        });
    }

    #[test]
    fn array_elements() {
        let mut vars = MapVars::default();
        vars.set_array("a", &["10", "20", "30"]);
        vars.set_scalar("i", "0");
        assert_eq!(run("a[1] + a[-1] + a", &mut vars), Ok(60));
        assert_eq!(run("a[i+1]", &mut vars), Ok(20));
        assert_eq!(run("a[a[0]/10]", &mut vars), Ok(20));
        assert_eq!(run("a[ ]", &mut vars), Ok(10));
        assert_eq!(run("a[7]", &mut vars), Ok(0));
        assert_eq!(run("a[2] += 1", &mut vars), Ok(31));
        assert_eq!(run("a[0]++", &mut vars), Ok(10));
        assert_eq!(vars.element("a", 0), Some("11"));
        assert_eq!(run("a[i++] = 3", &mut vars), Ok(3));
        assert_eq!(vars.element("a", 0), Some("3"));
        assert_eq!(vars.scalar("i"), Some("1"));
    }

    #[test]
    fn subscripts_are_evaluated_in_bash_s_order() {
        // `=`: the value first, then the subscript.
        let mut vars = MapVars::with(&[("i", "0")]);
        assert_eq!(run("a[i++] = i", &mut vars), Ok(0));
        assert_eq!(vars.element("a", 0), Some("0"));
        assert_eq!(vars.scalar("i"), Some("1"));
        // `+=`: the subscript first, once.
        let mut vars = MapVars::with(&[("i", "0")]);
        vars.set_array("a", &["5", "5"]);
        assert_eq!(run("a[i++] += i", &mut vars), Ok(6));
        assert_eq!(vars.element("a", 0), Some("6"));
        assert_eq!(vars.element("a", 1), Some("5"));
        assert_eq!(vars.scalar("i"), Some("1"));
        assert_eq!(run("a[--i]++", &mut vars), Ok(6));
        assert_eq!(vars.element("a", 0), Some("7"));
    }

    #[test]
    fn subscript_errors_quote_the_subscript() {
        let mut vars = MapVars::default();
        vars.set_array("a", &["1"]);
        let e = run("a[1/0]", &mut vars);
        assert_eq!(e, Err("1/0: division by 0 (error token is \"0\")".into()));
        let e = run("a[1+]", &mut vars);
        assert_eq!(
            e,
            Err("1+: syntax error: operand expected (error token is \"+\")".into())
        );
    }

    #[test]
    fn refused_subscripts_reach_the_shell_raw() {
        let mut vars = MapVars::default();
        vars.set_array("a", &["1"]);
        for text in ["a[]", "a[@]", "a[*]"] {
            assert_eq!(
                run(text, &mut vars),
                Err(format!("{text}: bad array subscript"))
            );
        }
    }

    #[test]
    fn associative_keys_are_raw_text() {
        let mut vars = MapVars::default();
        vars.set_assoc("m", &[("foo", "3"), (" foo ", "4"), ("a+b", "7")]);
        assert_eq!(run("m[foo] + 1", &mut vars), Ok(4));
        assert_eq!(run("m[ foo ]", &mut vars), Ok(4));
        assert_eq!(run("m[a+b]", &mut vars), Ok(7));
        assert_eq!(run("m[x y] = 2", &mut vars), Ok(2));
        assert_eq!(vars.key("m", "x y"), Some("2"));
        assert_eq!(run("m[1+] += 1", &mut vars), Ok(1));
    }

    #[test]
    fn the_shell_s_errors_pass_through() {
        let mut vars = MapVars::default();
        vars.set_readonly("r", "1");
        assert_eq!(run("r = 2", &mut vars), Err("r: readonly variable".into()));
        assert_eq!(run("r += 2", &mut vars), Err("r: readonly variable".into()));
        assert_eq!(run("r + 2", &mut vars), Ok(3));
        vars.nounset = true;
        assert_eq!(run("y + 1", &mut vars), Err("y: unbound variable".into()));
        assert_eq!(run("y = 1", &mut vars), Ok(1));
    }

    #[test]
    fn plain_numbers_skip_the_parser_and_agree_with_it() {
        for text in [
            "0",
            "7",
            "-7",
            "123456789012345678",
            "-123456789012345678",
            "-0",
        ] {
            let fast = plain_number(text.as_bytes());
            let slow = parse_arith(text.as_bytes())
                .ok()
                .and_then(|parsed| eval(&parsed, &mut MapVars::default()).ok());
            assert_eq!(fast, slow, "{text}");
        }
        for text in [
            "",
            "-",
            "010",
            "0x1",
            "1234567890123456789",
            "1 ",
            "+1",
            "--1",
            "1a",
        ] {
            assert_eq!(plain_number(text.as_bytes()), None, "{text}");
        }
    }
}

#[cfg(test)]
pub(crate) mod bash_tests;
