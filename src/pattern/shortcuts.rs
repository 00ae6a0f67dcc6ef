//! bash's shortcuts in `${x/p/s}` that change its answers, and the flaws of its matcher they expose: the glued `*pat*` pre-check, the fixed match length, the first-character test.
//!
//! bash's `match_pattern` first matches `*pat*` (bytewise: `pat*` for `/#`,
//! `*pat` for `/%`) against what is left of the subject, and gives up if
//! that fails. Gluing a star on can change an odd pattern's meaning: `(…`
//! becomes the opener `*(…`, a final `\` escapes the added star, a
//! pattern already starting and ending with `*` gets no star at all. And a
//! glued star in front of `@(…)`, `+(…)` or `!(…)` meets a flaw of bash's
//! matcher ([`StarGroup`]). Then a pattern whose matches all have one length
//! is tried at that length only, computed by bash's rough rules
//! (`MATCHLEN`), so `[!]a]` counts three characters and `${x/[!]a]/-}`
//! never replaces anything.
//!
//! Where a pre-check means exactly "a match exists" (the usual case) it is
//! not run: the search finds that out anyway.

use super::Pattern;
use super::engine::Engine;
use super::parse::{GroupOp, Node};
use super::text::Unit;

/// What `${x/…}` needs beyond the compiled pattern, built on first use.
#[derive(Debug, Clone)]
pub(crate) struct Subst {
    /// bash's `MATCHLEN`, counted in characters and in bytes: `None` when
    /// matches can have different lengths.
    pub(crate) chars: Option<usize>,
    pub(crate) bytes: Option<usize>,
    /// The glued pre-check patterns, and whether each may say something
    /// the search in characters would not (the bytewise path always asks:
    /// there the pre-check runs bytewise on the whole text while the
    /// candidates are matched each in its own mode).
    anywhere: (Box<Pattern>, bool),
    start: (Box<Pattern>, bool),
    end: (Box<Pattern>, bool),
    /// Where bash glues a `*` in front of the pattern for its pre-check,
    /// the pattern's own shape can trip a flaw of bash's matcher; see
    /// [`StarGroup`].
    pub(crate) star_group: Option<StarGroup>,
}

/// A pattern made of `?`s, `?(…)` and `*(…)` groups, then `@(`, `+(` or
/// `!(` (or a final unquoted backslash). bash's `*` steps over the first
/// ones (trying each `?(…)` and `*(…)` group where it stands), then tries
/// the rest only at positions before the end of the text: a `@(…)` there
/// may never match the empty rest, a final backslash never matches at all,
/// and the pre-check fails where a correct matcher would succeed. At the
/// very end bash special-cases `!(…)` (and lets it through).
#[derive(Debug, Clone)]
pub(crate) struct StarGroup {
    /// How many nodes are stepped over.
    pub(crate) skip: usize,
    /// Whether all of them are `?`s (the common case, checked cheaply).
    pub(crate) only_any: bool,
    /// What follows: `!(…)`, or a final backslash.
    pub(crate) tail: Tail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tail {
    Group,
    Not,
    Backslash,
}

/// Where `${x/…}` looks for its match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// `${x/p/s}`, `${x//p/s}`
    Anywhere,
    /// `${x/#p/s}`
    Start,
    /// `${x/%p/s}`
    End,
}

impl Subst {
    pub(crate) fn new(p: &Pattern) -> Subst {
        let chars = match_len(&raw_units(p, Unit::Utf8));
        let bytes = match_len(&raw_units(p, Unit::Byte));
        Subst {
            chars: if p.prog.unit == Unit::Byte {
                bytes
            } else {
                chars
            },
            bytes,
            anywhere: precheck(p, Anchor::Anywhere),
            start: precheck(p, Anchor::Start),
            end: precheck(p, Anchor::End),
            star_group: star_group(p),
        }
    }

    /// The pre-check for `anchor`, if it must be run: the wide-character
    /// path always glues `*pat*`, the bytewise one only where the anchor
    /// leaves room.
    pub(crate) fn check(&self, anchor: Anchor, wide: bool, bytewise: bool) -> Option<&Pattern> {
        let (check, quirky) = match if wide { Anchor::Anywhere } else { anchor } {
            Anchor::Anywhere => &self.anywhere,
            Anchor::Start => &self.start,
            Anchor::End => &self.end,
        };
        (*quirky || bytewise).then_some(&**check)
    }
}

/// The pattern (in bash's form) one element per character, or per byte.
fn raw_units(p: &Pattern, unit: Unit) -> Vec<u32> {
    let mut raw = Vec::with_capacity(p.text.len());
    let mut i = 0;
    while let Some((c, len)) = unit.decode(&p.text, i) {
        raw.push(c);
        i += len;
    }
    raw
}

/// bash's `MATCHLEN`: the length every match must have, or `None`. Its
/// rules, not ours, decide (an unclosed bracket counts its characters, and
/// `[!]` ends a bracket), because bash then only tries that length.
fn match_len(raw: &[u32]) -> Option<usize> {
    let at = |k: usize| raw.get(k).copied().unwrap_or(0);
    let is = |k: usize, b: u8| at(k) == u32::from(b);
    let mut len = 0;
    let mut k = 0;
    while k < raw.len() {
        let c = raw[k];
        k += 1;
        match u8::try_from(c).unwrap_or(0x80) {
            b'\\' => {
                if at(k) == 0 {
                    return Some(len + 1);
                }
                len += 1;
                k += 1;
            }
            b'*' => return None,
            b'?' | b'+' | b'!' | b'@' if is(k, b'(') => return None,
            b'[' => {
                let mut width = 1;
                let (mut class, mut symbol, mut equiv) = (false, false, false);
                let mut c = at(k);
                k += 1;
                loop {
                    if c == 0 {
                        return Some(len + width);
                    }
                    width += 1;
                    if c == u32::from(b'\\') {
                        if at(k) == 0 || at(k + 1) == 0 {
                            return Some(len + width);
                        }
                        k += 1;
                    } else if c == u32::from(b'[') && is(k, b':') {
                        k += 1;
                        class = true;
                    } else if class && c == u32::from(b':') && is(k, b']') {
                        k += 1;
                        class = false;
                    } else if c == u32::from(b'[') && (is(k, b'.') || is(k, b'=')) {
                        let dot = is(k, b'.');
                        k += 1;
                        if is(k, b']') {
                            k += 1;
                            width += 1;
                        }
                        if dot {
                            symbol = true;
                        } else {
                            equiv = true;
                        }
                    } else if symbol && c == u32::from(b'.') && is(k, b']') {
                        k += 1;
                        symbol = false;
                    } else if equiv && c == u32::from(b'=') && is(k, b']') {
                        k += 1;
                        equiv = false;
                    }
                    c = at(k);
                    k += 1;
                    if c == u32::from(b']') {
                        break;
                    }
                }
                len += 1;
            }
            _ => len += 1,
        }
    }
    Some(len)
}

fn star_group(p: &Pattern) -> Option<StarGroup> {
    let nodes = &p.prog.nodes;
    let stepped = |n: &&Node| match n {
        Node::Any => true,
        Node::Group(g) => matches!(g.op, GroupOp::Optional | GroupOp::Many),
        _ => false,
    };
    let skip = nodes.iter().take_while(stepped).count();
    let only_any = nodes[..skip].iter().all(|n| matches!(n, Node::Any));
    let escapes = p.text.iter().rev().take_while(|&&b| b == b'\\').count();
    let tail = match nodes.get(skip) {
        Some(Node::Group(g)) if g.op == GroupOp::Not => Tail::Not,
        Some(Node::Group(g)) if !matches!(g.op, GroupOp::Optional | GroupOp::Many) => Tail::Group,
        // With only `?`s before it, the parser already makes `*?\` match
        // nothing.
        Some(Node::Lit(b))
            if b == b"\\" && skip + 1 == nodes.len() && escapes % 2 == 1 && !only_any =>
        {
            Tail::Backslash
        }
        _ => return None,
    };
    Some(StarGroup {
        skip,
        only_any,
        tail,
    })
}

/// bash's pre-check for `anchor`, and whether it can disagree with "a match
/// exists".
fn precheck(p: &Pattern, anchor: Anchor) -> (Box<Pattern>, bool) {
    let text = &p.text;
    let op = |i: usize, b: u8| text.get(i) == Some(&b);
    let starts_with_star = op(0, b'*') && !(p.options.extglob && op(1, b'('));
    let ends_with_star = text.last() == Some(&b'*');
    let (prepend, append) = if starts_with_star && ends_with_star {
        (false, false)
    } else {
        // A last `*` counts only after an even number of backslashes.
        let last = text.len().saturating_sub(1);
        let escapes = text[..last]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        let real_star = ends_with_star && escapes % 2 == 0;
        (
            anchor != Anchor::Start && !starts_with_star,
            anchor != Anchor::End && !real_star,
        )
    };
    let mut glued = Vec::with_capacity(text.len() + 2);
    if prepend {
        glued.push(b'*');
    }
    glued.extend_from_slice(text);
    if append {
        glued.push(b'*');
    }
    let check = Pattern::from_bash_form(glued, p.options);
    let ideal = |nodes: &[Node]| {
        let mut want = Vec::with_capacity(nodes.len() + 2);
        if anchor != Anchor::Start {
            want.push(Node::Star);
        }
        for node in nodes {
            if !(matches!(node, Node::Star) && matches!(want.last(), Some(Node::Star))) {
                want.push(node.clone());
            }
        }
        if anchor != Anchor::End && !matches!(want.last(), Some(Node::Star)) {
            want.push(Node::Star);
        }
        want
    };
    let same = check.prog.nodes == ideal(&p.prog.nodes)
        && match (&check.byte_prog, &p.byte_prog) {
            (Some(c), Some(b)) => c.nodes == ideal(&b.nodes),
            (None, None) => true,
            _ => false,
        };
    (Box::new(check), !same)
}

impl StarGroup {
    /// Whether bash's pre-check passes: its `*` (glued in front) run on the
    /// engine's subject from `from`. It steps over the leading `?`s, tries
    /// each `?(…)` group where it stands and each `*(…)` group at every
    /// position before the end, then the rest at positions before the end
    /// only. `appended`: a `*` is glued at the end too.
    pub(crate) fn star_loop(
        &self,
        nodes: &[Node],
        from: usize,
        appended: bool,
        unit: Unit,
        engine: &mut Engine,
    ) -> bool {
        let (s, n) = (engine.subject(), engine.len());
        let mut reaches = |nodes: &[Node], lo: usize, hi: usize| {
            if lo > hi {
                return false;
            }
            let ends = engine.ends_any(nodes, lo, hi);
            let hit = if appended {
                !ends.is_empty()
            } else {
                ends.contains(n)
            };
            engine.recycle(ends);
            hit
        };
        let Some(stepped) = nodes.get(..self.skip) else {
            return true;
        };
        let mut at = from;
        for (j, node) in stepped.iter().enumerate() {
            match node {
                Node::Any => {
                    if at >= n {
                        return false;
                    }
                    at += unit.len_at(s, at);
                }
                Node::Group(g) if g.op == GroupOp::Optional => {
                    if reaches(&nodes[j..], at, at) {
                        return true;
                    }
                }
                _ => {
                    if at < n && reaches(&nodes[j..], at, n - 1) {
                        return true;
                    }
                }
            }
        }
        match self.tail {
            Tail::Backslash => false,
            _ if at >= n => self.tail == Tail::Not,
            _ => reaches(&nodes[self.skip..], at, n - 1),
        }
    }
}

impl Pattern {
    /// bash's `match_pattern_char` on bytes: whether the first character of
    /// the pattern could match `t[i]`; at the end only a leading `*` can.
    pub(crate) fn first_byte_may_match(&self, t: &[u8], i: usize) -> bool {
        let Some(&b) = t.get(i) else {
            return self.leading_star;
        };
        let fold = |c: u8| {
            if self.options.nocase {
                c.to_ascii_lowercase()
            } else {
                c
            }
        };
        let Some(&c) = self.text.first() else {
            return false;
        };
        let paren = self.text.get(1) == Some(&b'(');
        match c {
            b'\\' => self.text.get(1).is_some_and(|&e| fold(e) == fold(b)),
            b'?' | b'*' | b'[' => true,
            b'+' | b'!' | b'@' if paren => true,
            _ => fold(c) == fold(b),
        }
    }
}
