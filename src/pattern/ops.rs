//! The parameter operators `${x#p} ${x##p} ${x%p} ${x%%p}` and `${x/p/s} ${x//p/s} ${x/#p/s} ${x/%p/s}`: which parts of the subject bash tries, and in which order.
//!
//! Removal (`#`, `%`) tries every prefix or suffix, shortest or longest
//! first. Substitution is bash's `match_pattern`, with the shortcuts of
//! `shortcuts.rs`: the leftmost match, as long as it can be; at the end of
//! the subject only a pattern starting with `*` may match (the empty
//! string). `//` restarts `match_pattern` on what is left after each match;
//! after an empty one it keeps one character (a valid UTF-8 sequence, else
//! one byte) and goes on after it.
//!
//! bash works bytewise on a subject that is not valid UTF-8, matching each
//! candidate substring on its own: one that happens to be valid UTF-8 is
//! matched in characters (`${x#??}` on `\xffé` removes `\xff` and half of
//! `é`; `${x//?/-}` gives one `-` for `é` once the invalid byte is behind).

use std::ops::Range;

use super::engine::Engine;
use super::parse::Prog;
use super::shortcuts::{Anchor, Subst, Tail};
use super::text::Unit;
use super::{Pattern, can_start, is_boundary, simple};

impl Pattern {
    /// `${x#pat}`: the length of the shortest prefix of `s` the pattern
    /// matches, if any (`Some(0)` when it matches the empty string).
    pub fn shortest_prefix(&self, s: &[u8]) -> Option<usize> {
        self.strip(s, true, false)
    }

    /// `${x##pat}`: the length of the longest prefix of `s` the pattern
    /// matches.
    pub fn longest_prefix(&self, s: &[u8]) -> Option<usize> {
        self.strip(s, true, true)
    }

    /// `${x%pat}`: where the shortest suffix of `s` the pattern matches
    /// starts (`Some(s.len())` when it matches the empty string).
    pub fn shortest_suffix(&self, s: &[u8]) -> Option<usize> {
        self.strip(s, false, false)
    }

    /// `${x%%pat}`: where the longest suffix of `s` the pattern matches
    /// starts.
    pub fn longest_suffix(&self, s: &[u8]) -> Option<usize> {
        self.strip(s, false, true)
    }

    /// `${x/pat/rep}`: the leftmost match, as long as it can be there. An
    /// empty pattern finds nothing; a match may be empty (an insertion
    /// point: `${x/?(y)/-}` puts `-` in front), but not at the end of `s`
    /// unless the pattern starts with `*` (so an empty `x` stays empty).
    pub fn find(&self, s: &[u8]) -> Option<Range<usize>> {
        if self.empty {
            return None;
        }
        Searcher::new(self, s).find(0, Anchor::Anywhere)
    }

    /// `${x//pat/rep}`: the successive matches bash replaces, left to right,
    /// none overlapping; no match at the end of a non-empty `s`
    /// (`${x//*(y)/-}` on `ab` gives `-a-b`).
    pub fn find_all(&self, s: &[u8]) -> Vec<Range<usize>> {
        let mut found = Vec::new();
        if self.empty {
            return found;
        }
        let mut searcher = Searcher::new(self, s);
        if s.is_empty() {
            found.extend(searcher.find(0, Anchor::Anywhere));
            return found;
        }
        let mut pos = 0;
        while pos < s.len() {
            let Some(m) = searcher.find(pos, Anchor::Anywhere) else {
                break;
            };
            pos = if m.is_empty() {
                m.end + self.char_len(s, m.end)
            } else {
                m.end
            };
            found.push(m);
        }
        found
    }

    /// `${x/#pat/rep}`: the length of the longest matching prefix. An empty
    /// pattern matches (the replacement is prepended).
    pub fn find_prefix(&self, s: &[u8]) -> Option<usize> {
        if self.empty {
            return Some(0);
        }
        Searcher::new(self, s).find(0, Anchor::Start).map(|m| m.end)
    }

    /// `${x/%pat/rep}`: where the longest matching suffix starts. An empty
    /// pattern matches at the end (the replacement is appended).
    pub fn find_suffix(&self, s: &[u8]) -> Option<usize> {
        if self.empty {
            return Some(s.len());
        }
        Searcher::new(self, s).find(0, Anchor::End).map(|m| m.start)
    }

    fn subst(&self) -> &Subst {
        self.subst.get_or_init(|| Subst::new(self))
    }

    /// bash matches bytewise, candidate by candidate: the pattern is in
    /// characters but `s` is not valid UTF-8.
    fn bytewise(&self, s: &[u8]) -> bool {
        self.prog.unit == Unit::Utf8 && !s.is_ascii() && std::str::from_utf8(s).is_err()
    }

    /// The character `//` keeps after an empty match at `i`.
    fn char_len(&self, s: &[u8], i: usize) -> usize {
        if self.prog.unit == Unit::Byte {
            return 1;
        }
        let len = Unit::Utf8.len_at(s, i);
        match s.get(i..i + len) {
            Some(c) if std::str::from_utf8(c).is_ok() => len,
            _ => 1,
        }
    }

    fn strip(&self, s: &[u8], prefix: bool, longest: bool) -> Option<usize> {
        if let Some(exact) = &self.exact {
            return if prefix {
                s.starts_with(exact).then_some(exact.len())
            } else {
                s.ends_with(exact).then(|| s.len() - exact.len())
            };
        }
        let n = s.len();
        if self.bytewise(s) {
            let hit = |k: usize| {
                if prefix {
                    self.matches(&s[..k])
                } else {
                    self.matches(&s[k..])
                }
            };
            // Prefixes grow with k, suffixes shrink.
            return if prefix != longest {
                (0..=n).find(|&k| hit(k))
            } else {
                (0..=n).rev().find(|&k| hit(k))
            };
        }
        let (prog, unit) = self.mode(s);
        if prefix {
            let mut engine = Engine::new(s, unit, self.options.explicit_dot);
            let ends = engine.ends(&prog.nodes, 0);
            return if longest { ends.last() } else { ends.first() };
        }
        if !s.ends_with(&prog.tail) {
            return None;
        }
        let mut engine = None;
        let mut try_start = |i: usize| {
            if !can_start(prog, s, i, unit) {
                return false;
            }
            if prog.simple {
                return simple::matches(&prog.nodes, s, i, unit, self.options.explicit_dot);
            }
            let engine =
                engine.get_or_insert_with(|| Engine::new(s, unit, self.options.explicit_dot));
            let ends = engine.ends(&prog.nodes, i);
            let hit = ends.contains(n);
            engine.recycle(ends);
            hit
        };
        let mut starts = (0..=n).filter(|&i| is_boundary(s, i, unit));
        if longest {
            starts.find(|&i| try_start(i))
        } else {
            starts.rev().find(|&i| try_start(i))
        }
    }
}

/// bash's `match_pattern`, run on what is left of one subject, as many
/// times as `//` needs: the engine and its memo serve every call.
struct Searcher<'p, 's> {
    pattern: &'p Pattern,
    s: &'s [u8],
    /// Where the valid UTF-8 tail of `s` starts: what is left from there on
    /// is matched in characters, what is left before it bytewise.
    valid_from: usize,
    /// Where the ASCII tail of `s` starts.
    ascii_from: usize,
    /// Built on first need, for one unit (a subject's bytewise part comes
    /// before its character part, so the unit changes at most once).
    engine: Option<(Unit, Engine<'s>)>,
    /// Engine work at the last check that a match remains; see `longest`.
    checked_at: usize,
}

impl<'p, 's> Searcher<'p, 's> {
    fn new(pattern: &'p Pattern, s: &'s [u8]) -> Searcher<'p, 's> {
        let mut valid_from = 0;
        let mut at = 0;
        for chunk in s.utf8_chunks() {
            at += chunk.valid().len() + chunk.invalid().len();
            if !chunk.invalid().is_empty() {
                valid_from = at;
            }
        }
        let ascii_from = s.iter().rposition(|b| !b.is_ascii()).map_or(0, |i| i + 1);
        Searcher {
            pattern,
            s,
            valid_from,
            ascii_from,
            engine: None,
            checked_at: 0,
        }
    }

    /// The match bash's `match_pattern` finds in `s[from..]`, as positions
    /// in `s`.
    fn find(&mut self, from: usize, anchor: Anchor) -> Option<Range<usize>> {
        let p = self.pattern;
        let s = self.s;
        let n = s.len();
        let rest = &s[from..];
        let mid_char = s.get(from).is_some_and(|&b| b & 0xC0 == 0x80);
        let bytewise = p.prog.unit == Unit::Utf8 && (from < self.valid_from || mid_char);
        // bash's wide-character path: both convert and one is not ASCII.
        let wide = p.prog.unit == Unit::Utf8
            && !bytewise
            && !(from >= self.ascii_from && p.text.is_ascii());
        if let Some(check) = p.subst().check(anchor, wide, bytewise)
            && !check.matches(rest)
        {
            return None;
        }
        let unit = if bytewise { Unit::Byte } else { p.prog.unit };
        // `m` characters from `i`, if there are that many.
        let after =
            |i: usize, m: usize| (0..m).try_fold(i, |j, _| (j < n).then(|| j + unit.len_at(s, j)));
        // bash's first-character test compares a pattern that is a lone
        // backslash with the character after it, which does not exist.
        if anchor != Anchor::End && p.text == b"\\" {
            return None;
        }
        if let Some(exact) = &p.exact {
            return match anchor {
                Anchor::Anywhere => {
                    let first = *exact.first()?;
                    (from..n.saturating_sub(exact.len() - 1))
                        .filter(|&i| s[i] == first)
                        .find(|&i| s[i..].starts_with(exact))
                        .map(|i| i..i + exact.len())
                }
                Anchor::Start => rest.starts_with(exact).then(|| from..from + exact.len()),
                Anchor::End => rest.ends_with(exact).then(|| n - exact.len()..n),
            };
        }
        let glued_star = wide || anchor != Anchor::Start;
        let appended = wide || anchor != Anchor::End;
        // A star glued after a final backslash is escaped by it: then the
        // backslash is no longer final.
        let quirk = p
            .subst()
            .star_group
            .as_ref()
            .filter(|q| glued_star && !(appended && q.tail == Tail::Backslash));
        let direct = |q: &&super::shortcuts::StarGroup| bytewise || !q.only_any;
        if let Some(q) = quirk.filter(direct) {
            // Rare, or bytewise (where the pre-check's mode is not the
            // candidates'): emulate bash's star loop outright.
            let nodes = &p.mode(rest).0.nodes;
            if !q.star_loop(nodes, from, appended, unit, self.engine(unit)) {
                return None;
            }
        }
        let quick = quirk.filter(|q| !direct(q));
        if let Some(q) = quick
            && after(from, q.skip).is_none_or(|j| j >= n)
            && q.tail != Tail::Not
        {
            return None;
        }
        let found = if bytewise {
            self.bytewise(rest, anchor)
                .map(|m| m.start + from..m.end + from)
        } else {
            self.search(from, anchor)
        }?;
        if let Some(q) = quick
            && after(from, q.skip).is_some_and(|j| j < n)
        {
            // The pre-check passes if some match has its group part start
            // before the end: with a star glued after the pattern too, any
            // match will do, and the leftmost is the best candidate.
            let first = if anchor == Anchor::End && wide {
                if bytewise {
                    self.bytewise(rest, Anchor::Anywhere)
                        .map(|m| m.start + from)
                } else {
                    self.search(from, Anchor::Anywhere).map(|m| m.start)
                }
            } else {
                Some(found.start)
            };
            if first.is_none_or(|i| after(i, q.skip).is_none_or(|j| j >= n)) {
                return None;
            }
        }
        Some(found)
    }

    /// The search proper, in characters (or bytes, for a byte pattern).
    fn search(&mut self, from: usize, anchor: Anchor) -> Option<Range<usize>> {
        let p = self.pattern;
        let s = self.s;
        let n = s.len();
        let rest = &s[from..];
        let unit = p.prog.unit;
        let prog = &p.prog;
        let fixed = p.subst().chars;
        let after =
            |i: usize, m: usize| (0..m).try_fold(i, |j, _| (j < n).then(|| j + unit.len_at(s, j)));
        if fixed.is_some_and(|m| after(from, m).is_none()) {
            return None;
        }
        match anchor {
            Anchor::Anywhere => {
                let last = if p.leading_star { n } else { n.checked_sub(1)? };
                for i in from..=last {
                    if !is_boundary(s, i, unit) || !can_start(prog, s, i, unit) {
                        continue;
                    }
                    let end = match fixed {
                        Some(m) => {
                            let end = after(i, m)?;
                            p.matches(&s[i..end]).then_some(end)
                        }
                        None => self.longest(i, last, prog, unit)?,
                    };
                    if let Some(end) = end {
                        return Some(i..end);
                    }
                }
                None
            }
            Anchor::Start => {
                if rest.is_empty() && !p.leading_star {
                    return None;
                }
                let end = match fixed {
                    Some(m) => after(from, m).filter(|&end| p.matches(&s[from..end]))?,
                    None => {
                        let engine = self.engine(unit);
                        let ends = engine.ends(&prog.nodes, from);
                        let end = ends.last();
                        engine.recycle(ends);
                        end?
                    }
                };
                Some(from..end)
            }
            Anchor::End => {
                if let Some(m) = fixed {
                    let start = (from..=n)
                        .rev()
                        .filter(|&i| is_boundary(s, i, unit))
                        .nth(m)?;
                    return p.matches(&s[start..]).then_some(start..n);
                }
                let start = (from..=n).filter(|&i| is_boundary(s, i, unit)).find(|&i| {
                    can_start(prog, s, i, unit) && {
                        let engine = self.engine(unit);
                        let ends = engine.ends(&prog.nodes, i);
                        let hit = ends.contains(n);
                        engine.recycle(ends);
                        hit
                    }
                })?;
                Some(start..n)
            }
        }
    }

    fn engine(&mut self, unit: Unit) -> &mut Engine<'s> {
        let (s, dot) = (self.s, self.pattern.options.explicit_dot);
        if self.engine.as_ref().is_some_and(|(u, _)| *u != unit) {
            self.engine = None;
            self.checked_at = 0;
        }
        &mut self
            .engine
            .get_or_insert_with(|| (unit, Engine::new(s, unit, dot)))
            .1
    }

    /// The longest match from `i`: `Some(None)` when there is none from
    /// there, `None` when none is left anywhere from `i` to `last`.
    ///
    /// A start that fails can cost a scan to the end (`a*b` with no `b`),
    /// so once failures have cost about a pass, one pass from all remaining
    /// starts at once checks that a match is left at all: the total stays a
    /// small multiple of the work failed, not quadratic.
    fn longest(&mut self, i: usize, last: usize, prog: &Prog, unit: Unit) -> Option<Option<usize>> {
        let budget = self.s.len() / 8 + 64;
        let checked_at = self.checked_at;
        let engine = self.engine(unit);
        if engine.work > checked_at + budget {
            let any = engine.ends_any(&prog.nodes, i, last);
            let none = any.is_empty();
            engine.recycle(any);
            if none {
                return None;
            }
            let work = engine.work;
            self.checked_at = work;
        }
        let engine = self.engine(unit);
        let ends = engine.ends(&prog.nodes, i);
        let end = ends.last();
        engine.recycle(ends);
        Some(end)
    }

    /// bash's bytewise path (`match_upattern`) on `t`, which is not valid
    /// UTF-8: every byte offset is a candidate, each substring matched on
    /// its own, at the fixed length in bytes if there is one.
    fn bytewise(&self, t: &[u8], anchor: Anchor) -> Option<Range<usize>> {
        let p = self.pattern;
        let fixed = p.subst().bytes;
        let n = t.len();
        if fixed.is_some_and(|m| m > n) {
            return None;
        }
        match anchor {
            Anchor::Anywhere => {
                for i in 0..=n {
                    if !p.first_byte_may_match(t, i) {
                        continue;
                    }
                    if let Some(m) = fixed {
                        if i + m > n {
                            break;
                        }
                        if p.matches(&t[i..i + m]) {
                            return Some(i..i + m);
                        }
                    } else if let Some(end) = (i..=n).rev().find(|&e| p.matches(&t[i..e])) {
                        return Some(i..end);
                    }
                }
                None
            }
            Anchor::Start => {
                if !p.first_byte_may_match(t, 0) {
                    return None;
                }
                let end = match fixed {
                    Some(m) => Some(m).filter(|&m| p.matches(&t[..m])),
                    None => (0..=n).rev().find(|&e| p.matches(&t[..e])),
                }?;
                Some(0..end)
            }
            Anchor::End => {
                let start = match fixed {
                    Some(m) => Some(n - m).filter(|&i| p.matches(&t[i..])),
                    None => (0..=n).find(|&i| p.matches(&t[i..])),
                }?;
                Some(start..n)
            }
        }
    }
}
