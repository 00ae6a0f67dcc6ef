//! Compiling a pattern (in bash's form: quoted characters backslash-escaped) into nodes, once, for one way of cutting characters.
//!
//! Parsing never fails: anything malformed is literal text, as in bash.
//! Where an extglob group ends is found as bash finds it (`patscan`), and a
//! group that never closes is compared as plain text, from its opener to the
//! end, as bash does (`x@(a*` matches only `x@(a*`), except right after a
//! `*`, where bash's star skips the rest of the pattern altogether. A group
//! is scanned once from its opener; an unclosed one ends the parse, so
//! `@(@(@(…` costs one pass, not one per opener.

use super::bracket::{self, Set};
use super::text::Unit;
use super::{PatternOptions, Src};

/// Groups nested deeper than this are taken as literal text: no real
/// pattern comes close, and it bounds the recursion of parser and matcher.
const MAX_DEPTH: usize = 64;

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// Bytes that must appear exactly (with `nocase`: only bytes no case
    /// change can affect).
    Lit(Vec<u8>),
    /// One character compared after case folding; holds the folded form.
    Fold(u32),
    /// `?`: any one character.
    Any,
    /// `*`: any run of characters.
    Star,
    /// `[…]`: one character of a set.
    Set(Box<Set>),
    /// An extglob group `?(…) *(…) +(…) @(…) !(…)`.
    Group(Box<Group>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) op: GroupOp,
    pub(crate) alts: Vec<Vec<Node>>,
    /// Numbers the groups of one pattern, to memoize `!(…)` per group.
    pub(crate) id: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupOp {
    /// `?(…)`: zero or one.
    Optional,
    /// `*(…)`: zero or more.
    Many,
    /// `+(…)`: one or more.
    AtLeastOne,
    /// `@(…)`: exactly one.
    One,
    /// `!(…)`: anything that none of the alternatives matches.
    Not,
}

/// A pattern compiled for one [`Unit`].
#[derive(Debug, Clone)]
pub(crate) struct Prog {
    pub(crate) nodes: Vec<Node>,
    pub(crate) unit: Unit,
    /// No extglob group: the greedy matcher applies.
    pub(crate) simple: bool,
    /// bash's rule for a name with a leading `.` in pathname expansion: it is
    /// considered only if the pattern starts with a literal `.`, looking into
    /// the alternatives of a leading group, and past it when the group may
    /// match nothing (`?(x).*`, `*(x).*`); `!(…)` first never allows it.
    pub(crate) dot_ok: bool,
    /// Bytes every match must end with (the last node's, if literal): a
    /// cheap test before matching, and for `${x%pat}` before trying every
    /// start.
    pub(crate) tail: Vec<u8>,
    /// The text, when the pattern has no metacharacter at all.
    pub(crate) literal: Option<Vec<u8>>,
}

pub(crate) fn compile(src: &Src, unit: Unit, options: &PatternOptions) -> Prog {
    let mut parser = Parser {
        src,
        unit,
        extglob: options.extglob,
        nocase: options.nocase,
        groups: 0,
        meta: false,
        text: Vec::new(),
    };
    let nodes = parser.seq(0, src.text.len(), 0);
    let simple = !nodes.iter().any(|n| matches!(n, Node::Group(_)));
    let tail = match nodes.last() {
        Some(Node::Lit(b)) => b.clone(),
        _ => Vec::new(),
    };
    Prog {
        dot_ok: dot_ok(&nodes),
        simple,
        tail,
        literal: (!parser.meta).then_some(parser.text),
        nodes,
        unit,
    }
}

/// Finds where an extglob group's text ends, as bash's `PATSCAN` does:
/// scanning from `from` (just inside the `(`), it returns the index after
/// the `)` that closes the group, or, with `bar`, after the first `|` that
/// separates alternatives, whichever comes first; `None` if the group never
/// closes. Plain parentheses nest, escaped characters are skipped, and
/// brackets are skipped by bash's own rough rule (from a `[` to the next `]`
/// that is not first, `[:…:]` and the like stepped over), not by the full
/// bracket parser: `@(a|[b)` is therefore unclosed.
fn patscan(src: &Src, from: usize, end: usize, bar: bool) -> Option<usize> {
    let text = src.text;
    let op = |i: usize, b: u8| src.is_op(i, b);
    let mut parens = 0usize;
    let mut bracket_first: Option<usize> = None;
    let mut special = 0u8;
    let mut i = from;
    if from >= end {
        return None;
    }
    while i < end {
        match text[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' => match bracket_first {
                None => {
                    let first = i + 1;
                    let negated = op(first, b'!') || op(first, b'^');
                    bracket_first = Some(first + usize::from(negated));
                }
                Some(_) => {
                    if let Some(&c @ (b':' | b'.' | b'=')) = text.get(i + 1) {
                        special = c;
                    }
                }
            },
            b']' => {
                if let Some(first) = bracket_first {
                    if special != 0 && i > 0 && text[i - 1] == special {
                        special = 0;
                    } else if i != first {
                        bracket_first = None;
                    }
                }
            }
            b'(' if bracket_first.is_none() => parens += 1,
            b')' if bracket_first.is_none() => {
                if parens == 0 {
                    return Some(i + 1);
                }
                parens -= 1;
            }
            b'|' if bracket_first.is_none() && parens == 0 && bar => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

struct Parser<'a> {
    src: &'a Src<'a>,
    unit: Unit,
    extglob: bool,
    nocase: bool,
    groups: u32,
    /// A metacharacter was seen: the pattern is no plain text.
    meta: bool,
    /// The text with escapes removed, for [`Prog::literal`].
    text: Vec<u8>,
}

impl Parser<'_> {
    /// Parses `[i, end)` into a sequence.
    fn seq(&mut self, mut i: usize, end: usize, depth: usize) -> Vec<Node> {
        let src = self.src;
        let mut nodes = Vec::new();
        while i < end {
            match src.text[i] {
                b'\\' if i + 1 < end => i = self.literal(&mut nodes, i + 1),
                b'\\' if end == src.text.len() && after_star(&nodes) => {
                    // bash: `*\` at the very end never matches (its star
                    // looks for the character after the backslash, and
                    // there is none).
                    nodes.push(Node::Set(Box::new(Set::nothing())));
                    self.meta = true;
                    i += 1;
                }
                b @ (b'?' | b'*' | b'+' | b'@' | b'!')
                    if self.extglob && src.is_op(i + 1, b'(') =>
                {
                    let Some(after) = patscan(src, i + 2, end, false) else {
                        // bash compares the rest of an unclosed group's
                        // text literally with the rest of the subject;
                        // but right after a `*`, an unclosed `?(` or `*(`
                        // makes its star skip the rest of the pattern, so
                        // the star matches all that is left.
                        if !(matches!(b, b'?' | b'*') && in_star_loop(&nodes)) {
                            self.push_bytes(&mut nodes, i, end);
                        }
                        return nodes;
                    };
                    if depth >= MAX_DEPTH {
                        self.push_bytes(&mut nodes, i, after);
                    } else {
                        let group = self.group(b, i + 2, after, depth + 1);
                        nodes.push(Node::Group(Box::new(group)));
                        self.meta = true;
                    }
                    i = after;
                }
                b'*' => {
                    if !matches!(nodes.last(), Some(Node::Star)) {
                        nodes.push(Node::Star);
                    }
                    self.meta = true;
                    i += 1;
                }
                b'?' => {
                    nodes.push(Node::Any);
                    self.meta = true;
                    i += 1;
                }
                b'[' => match bracket::parse(src, i, end, self.unit, self.nocase) {
                    Some((set, next)) => {
                        nodes.push(Node::Set(Box::new(set)));
                        self.meta = true;
                        i = next;
                    }
                    None => {
                        self.push_bytes(&mut nodes, i, i + 1);
                        i += 1;
                    }
                },
                _ => i = self.literal(&mut nodes, i),
            }
        }
        nodes
    }

    /// The group whose alternatives start at `start` and whose `)` is just
    /// before `after`; alternatives are cut where bash's scan cuts them.
    fn group(&mut self, opener: u8, start: usize, after: usize, depth: usize) -> Group {
        let op = match opener {
            b'?' => GroupOp::Optional,
            b'*' => GroupOp::Many,
            b'+' => GroupOp::AtLeastOne,
            b'@' => GroupOp::One,
            _ => GroupOp::Not,
        };
        let id = self.groups;
        self.groups += 1;
        let mut alts = Vec::new();
        let mut from = start;
        loop {
            let next = patscan(self.src, from, after, true).unwrap_or(after);
            alts.push(self.seq(from, next - 1, depth));
            if next >= after {
                break;
            }
            from = next;
        }
        Group { op, alts, id }
    }

    /// The character at `i` as literal text; returns the index after it.
    fn literal(&mut self, nodes: &mut Vec<Node>, i: usize) -> usize {
        let Some((c, len)) = self.unit.decode(self.src.text, i) else {
            return i + 1;
        };
        let is_letter = c >= 0x80 || (c as u8).is_ascii_alphabetic();
        if self.nocase && is_letter && (self.unit == Unit::Utf8 || c < 0x80) {
            nodes.push(Node::Fold(self.unit.fold(c)));
            self.text.extend_from_slice(&self.src.text[i..i + len]);
        } else {
            self.push_bytes(nodes, i, i + len);
        }
        i + len
    }

    fn push_bytes(&mut self, nodes: &mut Vec<Node>, from: usize, to: usize) {
        let bytes = &self.src.text[from..to];
        self.text.extend_from_slice(bytes);
        match nodes.last_mut() {
            Some(Node::Lit(run)) => run.extend_from_slice(bytes),
            _ => nodes.push(Node::Lit(bytes.to_vec())),
        }
    }
}

/// Whether the nodes end with a `*` and then only `?`s.
fn after_star(nodes: &[Node]) -> bool {
    matches!(
        nodes.iter().rev().find(|n| !matches!(n, Node::Any)),
        Some(Node::Star)
    )
}

/// Whether the nodes end with a `*` and then only what bash's star steps
/// over itself: `?`, `?(…)` and `*(…)`.
fn in_star_loop(nodes: &[Node]) -> bool {
    let stepped = |n: &&Node| match n {
        Node::Any => true,
        Node::Group(g) => matches!(g.op, GroupOp::Optional | GroupOp::Many),
        _ => false,
    };
    matches!(nodes.iter().rev().find(|n| !stepped(n)), Some(Node::Star))
}

/// See [`Prog::dot_ok`]. A loop over the sequence, not recursion, so that a
/// long row of `?(x)` groups cannot exhaust the stack.
fn dot_ok(seq: &[Node]) -> bool {
    for node in seq {
        match node {
            Node::Lit(bytes) => return bytes.first() == Some(&b'.'),
            Node::Group(g) => {
                if g.op != GroupOp::Not && g.alts.iter().any(|alt| dot_ok(alt)) {
                    return true;
                }
                if !matches!(g.op, GroupOp::Optional | GroupOp::Many) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    false
}
