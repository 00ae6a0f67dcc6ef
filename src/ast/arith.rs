//! The tree of a shell arithmetic expression (`$(( ))`, `(( ))`, `let`,
//! `for (( ; ; ))`), and its printing back as arithmetic text.
//!
//! Operators of one precedence level that follow each other are one flat
//! node (`a + b - c` is one [`Binary`] with two operations), as are `**`
//! chains and `,` lists: a long sum is then a loop to evaluate and to drop,
//! not a recursion as deep as the sum is long.

use std::fmt::{self, Display, Formatter};

use crate::parse::arith_error::ArithError;

/// A parsed arithmetic text: the tree and the text it came from.
///
/// The text stays with the tree because bash's error messages quote it
/// (`1/0: division by 0 (error token is "0")`) and evaluation errors point
/// into it through [`Site`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arith {
    pub text: Box<[u8]>,
    pub expr: ArithExpr,
    /// Byte offsets into `text`; [`Site`]`(n)` stands for `sites[n]`.
    pub sites: Box<[u32]>,
    /// How deeply the tree nests. The evaluator adds up the depths of the
    /// texts it is evaluating at once (variables whose values are
    /// expressions) and stops before the sum could overflow the stack.
    pub depth: u32,
}

impl Arith {
    /// Whether the text had no tokens at all: `$(( ))` is 0 then, and
    /// `for ((;;))` takes an empty condition as true.
    pub fn is_empty(&self) -> bool {
        self.expr == ArithExpr::Empty
    }

    /// Where `site` points in the text.
    pub fn offset(&self, site: Site) -> usize {
        let index = usize::try_from(site.0).unwrap_or(usize::MAX);
        self.sites
            .get(index)
            .map_or(self.text.len(), |&offset| offset as usize)
    }
}

/// Where an evaluation error points: bash names an "error token" by its
/// place in the text. An index into [`Arith::sites`] rather than the offset
/// itself, so that a tree printed and parsed again equals the first: the
/// offsets change with the spacing, the order of the sites does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site(pub u32);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArithExpr {
    /// No tokens at all.
    Empty,
    Number(i64),
    Var(Var),
    /// Parentheses as written. The tree keeps them, so that printing needs
    /// no precedence rules and gives back the tokens that were parsed.
    Group(Box<ArithExpr>),
    Prefix(PrefixOp, Box<ArithExpr>),
    IncDec(IncDec, Var),
    Binary(Box<Binary>),
    Power(Box<Power>),
    Conditional(Box<Conditional>),
    Assign(Box<Assign>),
    /// `a, b, c`: each in turn, the value of the last.
    Comma(Vec<ArithExpr>),
}

/// A variable: a name, or an array element `name[index]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub name: Box<str>,
    pub index: Option<Box<ArrayIndex>>,
    /// The name's token, which a runaway recursion through its value names.
    pub site: Site,
}

/// The text between `[` and `]`, kept raw and parsed.
///
/// Raw, because an associative array's key is the text itself; parsed,
/// because an indexed array's subscript is arithmetic, and it is parsed now
/// so that a loop does not parse it again on every turn. A subscript that
/// does not parse is an error only when it is evaluated, as in bash
/// (`0 && a[1+]` is 0), so the error waits here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrayIndex {
    pub text: Box<[u8]>,
    pub parsed: Result<Arith, ArithError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixOp {
    Negate,
    Plus,
    Not,
    BitNot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncDec {
    PreIncrement,
    PreDecrement,
    PostIncrement,
    PostDecrement,
}

/// Operands joined by operators of one precedence level, applied left to
/// right: `first op₁ operand₁ op₂ operand₂ …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    pub first: ArithExpr,
    pub rest: Vec<Operation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub op: BinaryOp,
    pub operand: ArithExpr,
    /// Where `division by 0` points: at the divisor, to the end.
    pub site: Site,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Multiply,
    Divide,
    Remainder,
    Add,
    Subtract,
    ShiftLeft,
    ShiftRight,
    LessEqual,
    GreaterEqual,
    Less,
    Greater,
    Equal,
    NotEqual,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
}

/// `a ** b ** c`, which is `a ** (b ** c)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Power {
    /// At least two.
    pub operands: Vec<ArithExpr>,
    /// Where `exponent less than 0` points: at the token after the chain.
    pub site: Site,
}

/// `test ? then : otherwise`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conditional {
    pub test: ArithExpr,
    pub then: ArithExpr,
    pub otherwise: ArithExpr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assign {
    pub target: Var,
    pub op: AssignOp,
    pub value: ArithExpr,
    /// Where `/=` and `%=` by zero point: at the token after the value.
    pub site: Site,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Multiply,
    Divide,
    Remainder,
    Add,
    Subtract,
    ShiftLeft,
    ShiftRight,
    BitAnd,
    BitXor,
    BitOr,
}

impl PrefixOp {
    pub fn text(self) -> &'static str {
        match self {
            Self::Negate => "-",
            Self::Plus => "+",
            Self::Not => "!",
            Self::BitNot => "~",
        }
    }
}

impl BinaryOp {
    pub fn text(self) -> &'static str {
        match self {
            Self::Multiply => "*",
            Self::Divide => "/",
            Self::Remainder => "%",
            Self::Add => "+",
            Self::Subtract => "-",
            Self::ShiftLeft => "<<",
            Self::ShiftRight => ">>",
            Self::LessEqual => "<=",
            Self::GreaterEqual => ">=",
            Self::Less => "<",
            Self::Greater => ">",
            Self::Equal => "==",
            Self::NotEqual => "!=",
            Self::BitAnd => "&",
            Self::BitXor => "^",
            Self::BitOr => "|",
            Self::And => "&&",
            Self::Or => "||",
        }
    }
}

impl AssignOp {
    /// The operator that `op=` applies, `None` for plain `=`.
    pub fn binary(self) -> Option<BinaryOp> {
        Some(match self {
            Self::Set => return None,
            Self::Multiply => BinaryOp::Multiply,
            Self::Divide => BinaryOp::Divide,
            Self::Remainder => BinaryOp::Remainder,
            Self::Add => BinaryOp::Add,
            Self::Subtract => BinaryOp::Subtract,
            Self::ShiftLeft => BinaryOp::ShiftLeft,
            Self::ShiftRight => BinaryOp::ShiftRight,
            Self::BitAnd => BinaryOp::BitAnd,
            Self::BitXor => BinaryOp::BitXor,
            Self::BitOr => BinaryOp::BitOr,
        })
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::Set => "=",
            Self::Multiply => "*=",
            Self::Divide => "/=",
            Self::Remainder => "%=",
            Self::Add => "+=",
            Self::Subtract => "-=",
            Self::ShiftLeft => "<<=",
            Self::ShiftRight => ">>=",
            Self::BitAnd => "&=",
            Self::BitXor => "^=",
            Self::BitOr => "|=",
        }
    }
}

impl Display for Arith {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)
    }
}

/// Prints the tokens of the tree with blanks between operators, and
/// parentheses only where a [`ArithExpr::Group`] stands: a tree from the
/// parser prints as text that parses back to the same tree.
impl Display for ArithExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => Ok(()),
            // A negative value can only come from a literal that wrapped
            // (`0xffffffffffffffff`); hexadecimal gives it back as one token.
            Self::Number(n) if *n < 0 => write!(f, "0x{:x}", *n as u64),
            Self::Number(n) => write!(f, "{n}"),
            Self::Var(var) => var.fmt(f),
            Self::Group(inner) => write!(f, "({inner})"),
            Self::Prefix(op, operand) => {
                // `- -x`, not `--x`, which would decrement x.
                let gap = if starts_with_sign(operand) { " " } else { "" };
                write!(f, "{}{gap}{operand}", op.text())
            }
            Self::IncDec(IncDec::PreIncrement, var) => write!(f, "++{var}"),
            Self::IncDec(IncDec::PreDecrement, var) => write!(f, "--{var}"),
            Self::IncDec(IncDec::PostIncrement, var) => write!(f, "{var}++"),
            Self::IncDec(IncDec::PostDecrement, var) => write!(f, "{var}--"),
            Self::Binary(binary) => {
                binary.first.fmt(f)?;
                for operation in &binary.rest {
                    write!(f, " {} {}", operation.op.text(), operation.operand)?;
                }
                Ok(())
            }
            Self::Power(power) => {
                for (i, operand) in power.operands.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ** ")?;
                    }
                    operand.fmt(f)?;
                }
                Ok(())
            }
            Self::Conditional(c) => write!(f, "{} ? {} : {}", c.test, c.then, c.otherwise),
            Self::Assign(a) => write!(f, "{} {} {}", a.target, a.op.text(), a.value),
            Self::Comma(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    item.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

/// Whether the printed expression begins with `+` or `-`, which must not
/// touch a `+` or `-` printed before it.
fn starts_with_sign(expr: &ArithExpr) -> bool {
    match expr {
        ArithExpr::Prefix(op, _) => matches!(op, PrefixOp::Negate | PrefixOp::Plus),
        ArithExpr::IncDec(op, _) => matches!(op, IncDec::PreIncrement | IncDec::PreDecrement),
        ArithExpr::Binary(binary) => starts_with_sign(&binary.first),
        ArithExpr::Power(power) => power.operands.first().is_some_and(starts_with_sign),
        ArithExpr::Conditional(c) => starts_with_sign(&c.test),
        ArithExpr::Comma(items) => items.first().is_some_and(starts_with_sign),
        _ => false,
    }
}

impl Display for Var {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(index) = &self.index {
            write!(f, "[{}]", String::from_utf8_lossy(&index.text))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, site: u32) -> Var {
        Var {
            name: name.into(),
            index: None,
            site: Site(site),
        }
    }

    #[test]
    fn prints_operators_with_blanks_and_groups_as_written() {
        let expr = ArithExpr::Binary(Box::new(Binary {
            first: ArithExpr::Group(Box::new(ArithExpr::Binary(Box::new(Binary {
                first: ArithExpr::Number(1),
                rest: vec![Operation {
                    op: BinaryOp::Add,
                    operand: ArithExpr::Var(var("x", 0)),
                    site: Site(1),
                }],
            })))),
            rest: vec![Operation {
                op: BinaryOp::Multiply,
                operand: ArithExpr::Number(3),
                site: Site(2),
            }],
        }));
        assert_eq!(expr.to_string(), "(1 + x) * 3");
    }

    #[test]
    fn signs_in_a_row_keep_apart() {
        let inner = ArithExpr::Prefix(PrefixOp::Negate, Box::new(ArithExpr::Var(var("x", 0))));
        let expr = ArithExpr::Prefix(PrefixOp::Negate, Box::new(inner));
        assert_eq!(expr.to_string(), "- -x");
        let pre = ArithExpr::IncDec(IncDec::PreIncrement, var("x", 0));
        let expr = ArithExpr::Prefix(PrefixOp::Plus, Box::new(pre));
        assert_eq!(expr.to_string(), "+ ++x");
        let expr = ArithExpr::Prefix(PrefixOp::Not, Box::new(ArithExpr::Number(1)));
        assert_eq!(expr.to_string(), "!1");
    }

    #[test]
    fn negative_numbers_print_as_one_hexadecimal_token() {
        assert_eq!(ArithExpr::Number(-1).to_string(), "0xffffffffffffffff");
        assert_eq!(
            ArithExpr::Number(i64::MIN).to_string(),
            "0x8000000000000000"
        );
        assert_eq!(ArithExpr::Number(42).to_string(), "42");
    }

    #[test]
    fn increments_assignments_and_lists() {
        let list = ArithExpr::Comma(vec![
            ArithExpr::IncDec(IncDec::PostDecrement, var("i", 0)),
            ArithExpr::Assign(Box::new(Assign {
                target: var("x", 1),
                op: AssignOp::ShiftLeft,
                value: ArithExpr::Number(2),
                site: Site(2),
            })),
            ArithExpr::Conditional(Box::new(Conditional {
                test: ArithExpr::Var(var("a", 3)),
                then: ArithExpr::Number(1),
                otherwise: ArithExpr::Number(2),
            })),
        ]);
        assert_eq!(list.to_string(), "i--, x <<= 2, a ? 1 : 2");
    }

    #[test]
    fn an_element_prints_its_subscript_raw() {
        let element = Var {
            name: "a".into(),
            index: Some(Box::new(ArrayIndex {
                text: (*b" i + 1 ").into(),
                parsed: Err(ArithError::shell("unused")),
            })),
            site: Site(0),
        };
        assert_eq!(element.to_string(), "a[ i + 1 ]");
    }

    #[test]
    fn compound_assignments_name_their_operator() {
        assert_eq!(AssignOp::Set.binary(), None);
        assert_eq!(AssignOp::Remainder.binary(), Some(BinaryOp::Remainder));
        assert_eq!(AssignOp::BitXor.text(), "^=");
    }

    #[test]
    fn a_site_out_of_the_table_points_at_the_end() {
        let arith = Arith {
            text: (*b"1/0").into(),
            expr: ArithExpr::Empty,
            sites: vec![2].into(),
            depth: 0,
        };
        assert_eq!(arith.offset(Site(0)), 2);
        assert_eq!(arith.offset(Site(7)), 3);
        assert!(arith.is_empty());
    }
}
