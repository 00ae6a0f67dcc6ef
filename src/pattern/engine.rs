//! The general matcher: a pattern maps a set of start positions to the set of positions where a match can end; extglob groups included.
//!
//! Each node turns the set of positions it may start at into the set where
//! it may end (a literal shifts them, `*` fills everything after the first,
//! `@(a|b)` unites what its alternatives give, `*(…)` repeats until no new
//! position appears). Sets are bitsets over the subject's positions, so a
//! whole pattern runs in time polynomial in the subject, whatever the
//! nesting: there is no backtracking to blow up. `!(…)` is the one operator
//! that needs each start alone (its ends are everything *not* reached from
//! that start); its results are memoized per (group, start), since
//! `${x%%pat}` and friends run the pattern from many starts of one subject.
//!
//! Recursion follows the nesting of groups only, which the parser bounds.

use std::ops::{Deref, DerefMut};

use rustc_hash::FxHashMap;

use super::parse::{Group, GroupOp, Node};
use super::text::Unit;

/// Memoized `!(…)` results stop growing past this many words (8 MiB).
const MEMO_WORDS: usize = 1 << 20;

/// A set of positions `0..=len` of the subject. Only words in `lo..hi` may
/// be non-zero, so that sets of a few positions in a long subject stay cheap.
#[derive(Debug)]
pub(crate) struct Bits {
    words: Store,
    lo: usize,
    hi: usize,
}

/// The words of a set: inline up to four (255 positions, any file name),
/// so that matching a name with an extglob pattern does not allocate one
/// vector per set.
#[derive(Debug)]
enum Store {
    Inline([u64; 4], usize),
    Heap(Vec<u64>),
}

impl Deref for Store {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        match self {
            Store::Inline(words, n) => &words[..*n],
            Store::Heap(words) => words,
        }
    }
}

impl DerefMut for Store {
    fn deref_mut(&mut self) -> &mut [u64] {
        match self {
            Store::Inline(words, n) => &mut words[..*n],
            Store::Heap(words) => words,
        }
    }
}

impl Bits {
    fn new(nwords: usize) -> Bits {
        let words = if nwords <= 4 {
            Store::Inline([0; 4], nwords)
        } else {
            Store::Heap(vec![0; nwords])
        };
        Bits {
            words,
            lo: 0,
            hi: 0,
        }
    }

    fn widen(&mut self, lo: usize, hi: usize) {
        if self.lo == self.hi {
            (self.lo, self.hi) = (lo, hi);
        } else {
            self.lo = self.lo.min(lo);
            self.hi = self.hi.max(hi);
        }
    }

    pub(crate) fn insert(&mut self, p: usize) {
        let k = p / 64;
        if let Some(w) = self.words.get_mut(k) {
            *w |= 1 << (p % 64);
            self.widen(k, k + 1);
        }
    }

    pub(crate) fn contains(&self, p: usize) -> bool {
        self.words
            .get(p / 64)
            .is_some_and(|w| w >> (p % 64) & 1 == 1)
    }

    fn active(&self) -> &[u64] {
        &self.words[self.lo..self.hi]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.active().iter().all(|&w| w == 0)
    }

    pub(crate) fn first(&self) -> Option<usize> {
        let (k, w) = (self.lo..self.hi)
            .map(|k| (k, self.words[k]))
            .find(|&(_, w)| w != 0)?;
        Some(k * 64 + w.trailing_zeros() as usize)
    }

    pub(crate) fn last(&self) -> Option<usize> {
        let (k, w) = (self.lo..self.hi)
            .rev()
            .map(|k| (k, self.words[k]))
            .find(|&(_, w)| w != 0)?;
        Some(k * 64 + 63 - w.leading_zeros() as usize)
    }

    /// The positions in increasing order.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (self.lo..self.hi).flat_map(move |k| {
            let mut w = self.words[k];
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros() as usize;
                    w &= w - 1;
                    k * 64 + bit
                })
            })
        })
    }

    fn clear(&mut self) {
        let (lo, hi) = (self.lo, self.hi);
        self.words[lo..hi].fill(0);
        (self.lo, self.hi) = (0, 0);
    }

    /// Adds every position from `p` to `npos - 1`.
    fn fill_from(&mut self, p: usize, npos: usize) {
        if p >= npos {
            return;
        }
        let (first, last) = (p / 64, (npos - 1) / 64);
        for k in first..=last {
            let mut w = u64::MAX;
            if k == first {
                w &= u64::MAX << (p % 64);
            }
            if k == last && npos % 64 != 0 {
                w &= u64::MAX >> (64 - npos % 64);
            }
            self.words[k] |= w;
        }
        self.widen(first, last + 1);
    }

    fn union(&mut self, other: &Bits) {
        if other.lo == other.hi {
            return;
        }
        for k in other.lo..other.hi {
            self.words[k] |= other.words[k];
        }
        self.widen(other.lo, other.hi);
    }

    fn intersect(&mut self, other: &Bits) {
        for k in self.lo..self.hi {
            self.words[k] &= other.words.get(k).copied().unwrap_or(0);
        }
    }

    fn subtract(&mut self, other: &Bits) {
        let lo = self.lo.max(other.lo);
        let hi = self.hi.min(other.hi);
        for k in lo..hi {
            self.words[k] &= !other.words[k];
        }
    }
}

/// Matching state for one subject: reusable across starts, so that the
/// `!(…)` memo and the recycled bitsets serve every start of an operation.
pub(crate) struct Engine<'s> {
    s: &'s [u8],
    unit: Unit,
    explicit_dot: bool,
    npos: usize,
    nwords: usize,
    /// The character boundaries, when some character is longer than a byte:
    /// `*` and `!(…)` may only end on them.
    bounds: Option<Bits>,
    pool: Vec<Bits>,
    memo: FxHashMap<(u32, usize), Bits>,
    memo_words: usize,
    /// Positions visited and words filled: lets a caller notice that failing
    /// starts have cost a lot and check whether any match remains at all.
    pub(crate) work: usize,
}

impl<'s> Engine<'s> {
    pub(crate) fn new(s: &'s [u8], unit: Unit, explicit_dot: bool) -> Engine<'s> {
        let npos = s.len() + 1;
        let nwords = npos.div_ceil(64);
        let bounds = (unit == Unit::Utf8 && !s.is_ascii()).then(|| {
            let mut b = Bits::new(nwords);
            for (i, &byte) in s.iter().enumerate() {
                if byte & 0xC0 != 0x80 {
                    b.insert(i);
                }
            }
            b.insert(s.len());
            b
        });
        Engine {
            s,
            unit,
            explicit_dot,
            npos,
            nwords,
            bounds,
            pool: Vec::new(),
            memo: FxHashMap::default(),
            memo_words: 0,
            work: 0,
        }
    }

    /// The subject's length.
    pub(crate) fn len(&self) -> usize {
        self.s.len()
    }

    pub(crate) fn subject(&self) -> &'s [u8] {
        self.s
    }

    /// Where a match of `nodes` starting at `start` can end.
    pub(crate) fn ends(&mut self, nodes: &[Node], start: usize) -> Bits {
        let mut from = self.take();
        from.insert(start);
        self.run(nodes, from)
    }

    /// Where a match of `nodes` starting anywhere in `from..=to` (on a
    /// character boundary) can end: empty means no match remains.
    pub(crate) fn ends_any(&mut self, nodes: &[Node], from: usize, to: usize) -> Bits {
        let mut starts = self.take();
        starts.fill_from(from, to.min(self.npos - 1) + 1);
        if let Some(b) = &self.bounds {
            starts.intersect(b);
        }
        self.run(nodes, starts)
    }

    /// Hands a set back for reuse.
    pub(crate) fn recycle(&mut self, mut b: Bits) {
        b.clear();
        self.pool.push(b);
    }

    fn take(&mut self) -> Bits {
        self.pool.pop().unwrap_or_else(|| Bits::new(self.nwords))
    }

    fn copy(&mut self, b: &Bits) -> Bits {
        let mut c = self.take();
        c.union(b);
        c
    }

    /// `.` first in the subject, under pathname expansion's rule: no
    /// wildcard may start there.
    fn blocked(&self, p: usize) -> bool {
        self.explicit_dot && p == 0 && self.s.first() == Some(&b'.')
    }

    fn run(&mut self, nodes: &[Node], mut cur: Bits) -> Bits {
        for node in nodes {
            if cur.is_empty() {
                break;
            }
            let next = self.step(node, &cur);
            self.recycle(cur);
            cur = next;
        }
        cur
    }

    /// One character-consuming node: `test` says whether the character at a
    /// position (not blocked) is accepted.
    fn one_char(&mut self, from: &Bits, wildcard: bool, test: impl Fn(u32) -> bool) -> Bits {
        let mut out = self.take();
        for p in from.iter() {
            self.work += 1;
            if wildcard && self.blocked(p) {
                continue;
            }
            if let Some((c, len)) = self.unit.decode(self.s, p)
                && test(c)
            {
                out.insert(p + len);
            }
        }
        out
    }

    fn step(&mut self, node: &Node, from: &Bits) -> Bits {
        let unit = self.unit;
        match node {
            Node::Lit(bytes) => {
                let mut out = self.take();
                for p in from.iter() {
                    self.work += 1;
                    if self.s.get(p..).is_some_and(|rest| rest.starts_with(bytes)) {
                        out.insert(p + bytes.len());
                    }
                }
                out
            }
            Node::Fold(c) => self.one_char(from, false, |ch| unit.fold(ch) == *c),
            Node::Any => self.one_char(from, true, |_| true),
            Node::Set(set) => self.one_char(from, true, |ch| set.contains(ch, unit)),
            Node::Star => {
                let mut out = self.take();
                if let Some(lo) = from.iter().find(|&p| !self.blocked(p)) {
                    out.fill_from(lo, self.npos);
                    self.work += (self.npos - lo) / 64 + 1;
                    if let Some(b) = &self.bounds {
                        out.intersect(b);
                    }
                }
                out
            }
            Node::Group(group) => self.group(group, from),
        }
    }

    fn group(&mut self, group: &Group, from: &Bits) -> Bits {
        match group.op {
            GroupOp::One => self.alternatives(&group.alts, from),
            GroupOp::Optional => {
                let mut out = self.alternatives(&group.alts, from);
                out.union(from);
                out
            }
            GroupOp::Many => {
                let start = self.copy(from);
                self.repeat(&group.alts, start)
            }
            GroupOp::AtLeastOne => {
                let once = self.alternatives(&group.alts, from);
                self.repeat(&group.alts, once)
            }
            GroupOp::Not => {
                let mut out = self.take();
                for p in from.iter() {
                    if !self.blocked(p) {
                        self.not_from(group, p, &mut out);
                    }
                }
                out
            }
        }
    }

    fn alternatives(&mut self, alts: &[Vec<Node>], from: &Bits) -> Bits {
        let mut out = self.take();
        for alt in alts {
            let start = self.copy(from);
            let ends = self.run(alt, start);
            out.union(&ends);
            self.recycle(ends);
        }
        out
    }

    /// `reach` plus whatever further repetitions of the alternatives reach;
    /// each round starts only from the positions the last round added.
    fn repeat(&mut self, alts: &[Vec<Node>], reach: Bits) -> Bits {
        let mut reach = reach;
        let mut frontier = self.copy(&reach);
        loop {
            let mut next = self.alternatives(alts, &frontier);
            self.recycle(frontier);
            next.subtract(&reach);
            if next.is_empty() {
                self.recycle(next);
                return reach;
            }
            reach.union(&next);
            frontier = next;
        }
    }

    /// Adds to `out` the ends of `!(…)` from `p`: every boundary from `p` on
    /// that no alternative reaches from `p`.
    fn not_from(&mut self, group: &Group, p: usize, out: &mut Bits) {
        let mut ends = self.take();
        ends.fill_from(p, self.npos);
        self.work += (self.npos - p) / 64 + 1;
        if let Some(b) = &self.bounds {
            ends.intersect(b);
        }
        let key = (group.id, p);
        if let Some(reached) = self.memo.get(&key) {
            ends.subtract(reached);
        } else {
            let mut start = self.take();
            start.insert(p);
            let reached = self.alternatives(&group.alts, &start);
            self.recycle(start);
            ends.subtract(&reached);
            if self.memo_words + self.nwords <= MEMO_WORDS {
                self.memo_words += self.nwords;
                self.memo.insert(key, reached);
            } else {
                self.recycle(reached);
            }
        }
        out.union(&ends);
        self.recycle(ends);
    }
}
