//! Bracket expressions (`[a-z]`, `[!x]`, `[[:alpha:]]`, `[[=a=]]`, `[[.a.]]`): their parsing, bash's treatment of malformed ones, and the compiled set.
//!
//! What bash 5.2 does with the odd cases, found by trying each one:
//! - `]` right after `[`, `[!` or `[^` is a member; `-` first or last is a
//!   member; a range whose ends are reversed (`[z-a]`) matches nothing.
//! - A bracket that never closes is no bracket: its `[` is a literal and
//!   parsing goes on right after it (`[[:alpha:]` is `[` then `[:alpha:]`).
//! - `[:` with no `:]` after it drops the `[` and goes on at the `:`; an
//!   unknown class name (`[:foo:]`) contributes nothing.
//! - `[=` with no `=]` makes the `[` a member; `[=ab=]` (not one character)
//!   makes the whole bracket match nothing.
//! - `[.` with no `.]` makes the whole bracket invalid (a literal `[`); an
//!   unknown name (`[.foo.]`) contributes nothing; a known one (`[.hyphen.]`)
//!   is that character and may end a range.
//! - A quoted or backslash-escaped character is a plain member: `["-"]`,
//!   `[a\-z]`, `["!"a]`, `["]"]`; it can still be a range end (`["a"-c]`).
//!   A quoted `:` after `[` is no class opener, but the class name itself
//!   may be quoted (`[[:"alpha":]]`: bash drops the backslashes).
//! - At the very end of the pattern, an unclosed bracket whose escape or
//!   range has nothing after it (`[\`, `[a-`) makes the match fail.

use super::Src;
use super::text::{Class, Unit, collating_symbol};

/// A compiled bracket expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Set {
    negated: bool,
    /// An invalid equivalence class poisons the whole bracket (bash).
    never: bool,
    /// Folded when `nocase`: members and range ends are lowercased at compile
    /// time, the subject's character at match time (bash's `FOLD`).
    nocase: bool,
    /// ASCII members and the ASCII part of ranges, as a bitmap.
    ascii: u128,
    /// ASCII characters in one of `classes`: precomputed, classes being
    /// tested on the unfolded character.
    ascii_classes: u128,
    /// Members above ASCII (characters, or bytes in byte mode).
    chars: Vec<u32>,
    /// The part above ASCII of each range.
    ranges: Vec<(u32, u32)>,
    classes: Vec<Class>,
}

impl Set {
    /// A set that matches nothing.
    pub(crate) fn nothing() -> Set {
        Set {
            negated: false,
            never: true,
            nocase: false,
            ascii: 0,
            ascii_classes: 0,
            chars: Vec::new(),
            ranges: Vec::new(),
            classes: Vec::new(),
        }
    }

    /// Whether the character `c` (a code point, or a byte in byte mode) is
    /// matched by the bracket.
    pub(crate) fn contains(&self, c: u32, unit: Unit) -> bool {
        if self.never {
            return false;
        }
        let f = if self.nocase { unit.fold(c) } else { c };
        let hit = if f < 0x80 {
            self.ascii >> f & 1 == 1
        } else {
            self.chars.contains(&f) || self.ranges.iter().any(|&(lo, hi)| lo <= f && f <= hi)
        } || if c < 0x80 {
            self.ascii_classes >> c & 1 == 1
        } else {
            self.classes.iter().any(|k| k.contains(c, unit))
        };
        hit != self.negated
    }

    fn add_char(&mut self, c: u32, unit: Unit) {
        let f = if self.nocase { unit.fold(c) } else { c };
        if f < 0x80 {
            self.ascii |= 1 << f;
        } else {
            self.chars.push(f);
        }
    }

    fn add_range(&mut self, lo: u32, hi: u32, unit: Unit) {
        let (lo, hi) = if self.nocase {
            (unit.fold(lo), unit.fold(hi))
        } else {
            (lo, hi)
        };
        if lo > hi {
            return;
        }
        for c in lo..=hi.min(0x7F) {
            self.ascii |= 1 << c;
        }
        if hi >= 0x80 {
            self.ranges.push((lo.max(0x80), hi));
        }
    }

    fn add_class(&mut self, class: Class) {
        for c in 0..0x80u8 {
            if class.contains(u32::from(c), Unit::Byte) {
                self.ascii_classes |= 1 << c;
            }
        }
        self.classes.push(class);
    }
}

/// One element of a bracket that can be a range end.
enum Item {
    Char(u32),
    /// Something that is no character: a class, an unknown collating symbol.
    Other,
}

/// The pattern text up to the end of the current range, so that a bracket
/// never reaches beyond the extglob alternative it sits in.
struct Bounded<'a, 'b> {
    src: &'a Src<'b>,
    text: &'a [u8],
}

impl Bounded<'_, '_> {
    fn is_op(&self, i: usize, b: u8) -> bool {
        i < self.text.len() && self.src.is_op(i, b)
    }

    /// Where the `X]` closing a `[X…X]` starts, searching from `from`.
    fn find(&self, from: usize, x: u8) -> Option<usize> {
        self.src
            .find_close(from, x)
            .filter(|&j| j + 1 < self.text.len())
    }

    /// The member character at `i`: a backslash (unquoted) makes the next
    /// character a plain member. Returns it and the index after it.
    fn member(&self, i: usize, unit: Unit) -> (u32, usize) {
        let at = if self.is_op(i, b'\\') && i + 1 < self.text.len() {
            i + 1
        } else {
            i
        };
        match unit.decode(self.text, at) {
            Some((c, len)) => (c, at + len),
            None => (u32::from(b'\\'), at + 1),
        }
    }
}

/// Parses the bracket expression opening at `open` (an unquoted `[`),
/// within `..end` (the end of the pattern or of an extglob alternative).
/// Returns the set and the index just past its closing `]`, or `None` when
/// it is no valid bracket and the `[` is a literal.
pub(crate) fn parse(
    src: &Src,
    open: usize,
    end: usize,
    unit: Unit,
    nocase: bool,
) -> Option<(Set, usize)> {
    let view = Bounded {
        src,
        text: src.text.get(..end)?,
    };
    // At the very end of the pattern, bash's bracket matcher gives up on
    // the whole match where an escape or a range has nothing after it
    // (`[\`, `[a-`), instead of taking the `[` literally.
    let at_end = end == src.text.len();
    let dangling = |k: usize| {
        at_end && k + 1 == view.text.len() && (view.is_op(k, b'\\') || view.is_op(k, b'-'))
    };
    if !src.closes_after(open) {
        // No `]` follows: the bracket runs to the end. Whether it gives up
        // there is judged by the last characters alone, sparing a scan per
        // `[` (`[[[[…`): the rare `[.` without `.]` on the way is ignored.
        let last = view.text.len().saturating_sub(1);
        let escapes_before = |end: usize| {
            (open + 1..end)
                .rev()
                .take_while(|&k| view.is_op(k, b'\\'))
                .count()
        };
        let escapes = escapes_before(view.text.len());
        let range = view.is_op(last, b'-')
            && escapes_before(last) % 2 == 0
            && last > open + 1
            && !matches!(view.text[last - 1], b'[' | b'!' | b'^');
        return (at_end && (escapes % 2 == 1 || range)).then(|| (Set::nothing(), view.text.len()));
    }
    let text = view.text;
    let mut set = Set {
        nocase,
        ..Set::nothing()
    };
    set.never = false;
    let mut i = open + 1;
    if view.is_op(i, b'!') || view.is_op(i, b'^') {
        set.negated = true;
        i += 1;
    }
    let first = i;
    loop {
        let &b = text.get(i)?;
        if dangling(i) && !(i == first && view.is_op(i, b'-')) {
            return Some((Set::nothing(), text.len()));
        }
        if view.is_op(i, b']') && i > first {
            return Some((set, i + 1));
        }
        let (item, next) = if view.is_op(i, b'[') && view.is_op(i + 1, b':') {
            match view.find(i + 2, b':') {
                Some(close) => {
                    // bash allows the name to be quoted: it drops the
                    // backslashes before looking it up.
                    let name: Vec<u8> = text[i + 2..close]
                        .iter()
                        .copied()
                        .filter(|&b| b != b'\\')
                        .collect();
                    if let Some(class) = Class::from_name(&name) {
                        set.add_class(class);
                    }
                    (Item::Other, close + 2)
                }
                // bash drops the `[` and reads on from the `:`.
                None => {
                    i += 1;
                    continue;
                }
            }
        } else if view.is_op(i, b'[') && view.is_op(i + 1, b'=') {
            match view.find(i + 2, b'=') {
                Some(close) => {
                    match single_char(&text[i + 2..close], unit) {
                        Some(c) => set.add_char(c, unit),
                        None => set.never = true,
                    }
                    (Item::Other, close + 2)
                }
                None => (Item::Char(u32::from(b)), i + 1),
            }
        } else if view.is_op(i, b'[') && view.is_op(i + 1, b'.') {
            let close = view.find(i + 2, b'.')?;
            (collating(&text[i + 2..close], unit), close + 2)
        } else {
            let (c, next) = view.member(i, unit);
            (Item::Char(c), next)
        };
        i = next;
        let Item::Char(lo) = item else { continue };
        // A range needs a `-` (not escaped) that is not the last member.
        let is_range = view.is_op(i, b'-') && i + 1 < text.len() && !view.is_op(i + 1, b']');
        if !is_range {
            set.add_char(lo, unit);
            continue;
        }
        let at = i + 1;
        if dangling(at) && view.is_op(at, b'\\') {
            return Some((Set::nothing(), text.len()));
        }
        let (hi, next) = if view.is_op(at, b'[') && view.is_op(at + 1, b'.') {
            let close = view.find(at + 2, b'.')?;
            (collating(&text[at + 2..close], unit), close + 2)
        } else {
            let (c, next) = view.member(at, unit);
            (Item::Char(c), next)
        };
        if let Item::Char(hi) = hi {
            set.add_range(lo, hi, unit);
        }
        i = next;
    }
}

fn single_char(name: &[u8], unit: Unit) -> Option<u32> {
    match unit.decode(name, 0) {
        Some((c, len)) if len == name.len() => Some(c),
        _ => None,
    }
}

fn collating(name: &[u8], unit: Unit) -> Item {
    match single_char(name, unit).or_else(|| collating_symbol(name).map(u32::from)) {
        Some(c) => Item::Char(c),
        None => Item::Other,
    }
}
