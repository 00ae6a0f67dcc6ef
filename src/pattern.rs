//! Shell patterns (`*.rs`, `[!a-z]?`, `@(x|y)*`), compiled once and matched the way bash 5.2 matches them, for globbing, `case`, `[[ == ]]` and `${x#p}`-style operators.
//!
//! The shell hands over a pattern as bytes plus, for each byte, whether it
//! was quoted. Like bash, we turn that into bash's own form first: a
//! backslash before every quoted character. So a quoted character is
//! literal, and an unquoted backslash (one that came out of a variable:
//! `p='\*'; case $x in $p)`) escapes the next character, as in bash, with
//! bash's odd consequence that an unquoted backslash before a quoted
//! character escapes the backslash bash put there (`p='\'; [[ $x ==
//! $p"*" ]]` matches a backslash and then anything). A backslash at the
//! very end stands for itself. Nothing is ever an error: what is malformed
//! is literal text (see `parse` and `bracket` for bash's exact rules).
//!
//! Characters follow the locale the shell runs in. Under a UTF-8 locale
//! ([`Chars::Utf8`], the default) `?` and `[…]` match one UTF-8 character,
//! unless the pattern or the subject holds a byte that is not valid UTF-8:
//! then, like bash, the whole match is done byte by byte (so `??` does not
//! match `é\xff`, three bytes, but `???` does). [`Chars::Bytes`] is
//! `LC_ALL=C`: every byte is a character, and only ASCII letters fold and
//! belong to classes. The parameter operators follow bash's own, different
//! rules for such subjects (see `ops`).
//!
//! Matching a pattern without extglob groups takes no allocation and at
//! most O(pattern × subject) steps (`simple`); the other operations, and
//! everything with groups, go through a matcher working on sets of
//! positions (`engine`), polynomial whatever the nesting.
//!
//! Known differences from bash, all in bash's matcher flaws: a `*` followed
//! by `@(…)`, `+(…)` or `!(…)` (possibly after `?`, `?(…)`, `*(…)`) matches
//! here wherever it should, while bash never lets the group match the empty
//! rest (`[[ abc == *@(|x) ]]` is false in bash; the flaw is reproduced in
//! the pre-checks of `${x/…}` only, where it is cheap to pin down). After a
//! `*` and a `?(…)`, a final unquoted backslash is one more such corner.

mod bracket;
mod engine;
mod ops;
mod parse;
mod shortcuts;
mod simple;
mod text;

#[cfg(test)]
mod tests;

use std::cell::OnceCell;

use engine::Engine;
use parse::{Node, Prog};
use text::Unit;

/// How the subject is cut into characters: the shell's locale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Chars {
    /// A UTF-8 locale (`C.UTF-8`, `en_US.UTF-8`).
    #[default]
    Utf8,
    /// `LC_ALL=C` or `POSIX`: every byte is one character.
    Bytes,
}

/// The shell options and context a pattern depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PatternOptions {
    /// bash's `extglob`: `?(…) *(…) +(…) @(…) !(…)`. `[[ == ]]` always has
    /// it (bash matches there "as if extglob were enabled"); `case`, globbing
    /// and `${x#p}` follow the option.
    pub extglob: bool,
    /// Case-insensitive matching: `nocaseglob` for globbing, `nocasematch`
    /// for `case`, `[[ ]]` and `${x/p/s}` (bash 5.2 ignores it for `#` and
    /// `%`). Characters are folded to lower case (`[A-Z]` is `[a-z]`);
    /// classes are tested on the character as it is.
    pub nocase: bool,
    /// Pathname expansion without `dotglob`: a name starting with `.` is
    /// matched only if the pattern starts with a literal `.` (or a group
    /// offering one), and no `*`, `?`, bracket or `!(…)` may match that
    /// first `.`.
    pub explicit_dot: bool,
    /// The locale's characters.
    pub chars: Chars,
}

/// The pattern in bash's own form, as the parser reads it: every quoted
/// character preceded by a backslash (what bash's `quote_string_for_globbing`
/// makes of a word), so that a backslash escapes the next character and
/// nothing else needs a flag.
pub(crate) struct Src<'a> {
    pub(crate) text: &'a [u8],
    /// For `:`, `=` and `.`: where the next `X]` starts from each index,
    /// built on first use. Bracket parsing looks these up instead of
    /// scanning, which would be quadratic on `[[.[[.[[.…`.
    closers: [OnceCell<Vec<u32>>; 3],
    /// The last `]`: no bracket can close after it.
    last_close: Option<usize>,
}

impl<'a> Src<'a> {
    fn new(text: &'a [u8]) -> Src<'a> {
        Src {
            text,
            closers: Default::default(),
            last_close: text.iter().rposition(|&b| b == b']'),
        }
    }

    /// Where the first `x]` at or after `from` starts.
    pub(crate) fn find_close(&self, from: usize, x: u8) -> Option<usize> {
        let slot = match x {
            b':' => 0,
            b'=' => 1,
            _ => 2,
        };
        let next = self.closers[slot].get_or_init(|| {
            let mut next = vec![u32::MAX; self.text.len() + 1];
            for j in (0..self.text.len()).rev() {
                let here = self.text[j] == x && self.text.get(j + 1) == Some(&b']');
                next[j] = if here { j as u32 } else { next[j + 1] };
            }
            next
        });
        match next.get(from) {
            Some(&j) if j != u32::MAX => Some(j as usize),
            _ => None,
        }
    }

    /// Whether a `]` follows `i`.
    pub(crate) fn closes_after(&self, i: usize) -> bool {
        self.last_close.is_some_and(|c| c > i)
    }

    /// Whether `text[i]` is `b`.
    pub(crate) fn is_op(&self, i: usize, b: u8) -> bool {
        self.text.get(i) == Some(&b)
    }
}

/// bash's form of a pattern: a backslash before each quoted character.
fn bash_form(text: &[u8], quoted: impl Fn(usize) -> bool, chars: Chars) -> Vec<u8> {
    let unit = if chars == Chars::Bytes || std::str::from_utf8(text).is_err() {
        Unit::Byte
    } else {
        Unit::Utf8
    };
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < text.len() {
        let len = unit.len_at(text, i).min(text.len() - i);
        if quoted(i) {
            out.push(b'\\');
        }
        out.extend_from_slice(&text[i..i + len]);
        i += len;
    }
    out
}

/// A compiled shell pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Compiled for the locale's characters (bytes if the pattern itself is
    /// not valid UTF-8).
    prog: Prog,
    /// The same pattern cut into bytes, for subjects that are not valid
    /// UTF-8; `None` when it would be identical (an ASCII pattern).
    byte_prog: Option<Prog>,
    options: PatternOptions,
    /// The text to compare with directly: no metacharacter, no case folding.
    exact: Option<Vec<u8>>,
    /// The pattern starts with an unquoted `*`: bash lets only such a
    /// pattern match the empty string at the end of the subject in
    /// `${x/p/s}` (its `match_pattern_char`).
    leading_star: bool,
    /// The pattern is the empty string: `${x/p/s}` then replaces nothing.
    empty: bool,
    /// The pattern in bash's form, for what `${x/p/s}` derives from it
    /// (see `ops`).
    text: Vec<u8>,
    subst: OnceCell<shortcuts::Subst>,
}

impl Pattern {
    /// Compiles `text`, where `quoted(i)` tells whether byte `i` was quoted.
    ///
    /// A closure rather than a slice of flags lets the caller answer from
    /// whatever it keeps (segments of a field, one flag for all), without
    /// building a vector for the common all-unquoted case.
    pub fn new(text: &[u8], quoted: impl Fn(usize) -> bool, options: PatternOptions) -> Pattern {
        Pattern::from_bash_form(bash_form(text, quoted, options.chars), options)
    }

    /// Compiles a pattern already in bash's form (quoted characters escaped
    /// by a backslash).
    pub(crate) fn from_bash_form(text: Vec<u8>, options: PatternOptions) -> Pattern {
        let src = Src::new(&text);
        let unit = if options.chars == Chars::Bytes || std::str::from_utf8(&text).is_err() {
            Unit::Byte
        } else {
            Unit::Utf8
        };
        let prog = parse::compile(&src, unit, &options);
        let byte_prog = (unit == Unit::Utf8 && !text.is_ascii())
            .then(|| parse::compile(&src, Unit::Byte, &options));
        let exact = prog.literal.clone().filter(|_| !options.nocase);
        Pattern {
            exact,
            leading_star: src.is_op(0, b'*'),
            empty: text.is_empty(),
            prog,
            byte_prog,
            options,
            subst: OnceCell::new(),
            text,
        }
    }

    /// A pattern made of unquoted text: what `case`, `[[ ]]` and the
    /// parameter operators see when the pattern comes from a variable.
    #[cfg(test)]
    pub fn unquoted(text: &[u8], options: PatternOptions) -> Pattern {
        Pattern::from_bash_form(text.to_vec(), options)
    }

    /// The text this pattern stands for, when it has no metacharacter: it
    /// then matches exactly that string (case-insensitively under
    /// `nocase`). Escapes are removed: `\*` gives `*`. Pathname expansion
    /// uses it to check a path instead of reading a directory.
    #[cfg(test)]
    pub fn literal(&self) -> Option<&[u8]> {
        self.prog.literal.as_deref()
    }

    /// Whether the pattern has any metacharacter (`*`, `?`, a bracket
    /// expression, an extglob group), i.e. is more than plain text.
    pub fn has_meta(&self) -> bool {
        self.prog.literal.is_none()
    }

    /// Whether the pattern matches all of `s`.
    pub fn matches(&self, s: &[u8]) -> bool {
        if let Some(exact) = &self.exact {
            return s == exact.as_slice();
        }
        let (prog, unit) = self.mode(s);
        if !self.may_match(prog, s) {
            return false;
        }
        // `*.rs`: the tail test above was the whole match (the tail starts
        // a character, so the star ends on a boundary).
        if let [Node::Star, Node::Lit(_)] = prog.nodes.as_slice()
            && !(self.options.explicit_dot && s.first() == Some(&b'.'))
        {
            return true;
        }
        if prog.simple {
            simple::matches(&prog.nodes, s, 0, unit, self.options.explicit_dot)
        } else {
            let mut engine = Engine::new(s, unit, self.options.explicit_dot);
            engine.ends(&prog.nodes, 0).contains(s.len())
        }
    }

    /// The compiled form and the character unit for subject `s`.
    pub(crate) fn mode(&self, s: &[u8]) -> (&Prog, Unit) {
        if self.prog.unit == Unit::Byte || s.is_ascii() || std::str::from_utf8(s).is_ok() {
            (&self.prog, self.prog.unit)
        } else {
            (self.byte_prog.as_ref().unwrap_or(&self.prog), Unit::Byte)
        }
    }

    /// Cheap necessary conditions for a whole match of `s`.
    fn may_match(&self, prog: &Prog, s: &[u8]) -> bool {
        let dot_ok = !self.options.explicit_dot || s.first() != Some(&b'.') || prog.dot_ok;
        // An empty tail (`*`, `a*`) is not compared at all: `ends_with`
        // of nothing still calls `memcmp` with length 0, whose masked
        // AVX-512 load cost a quarter of 200 globs of /usr/bin/*'s time.
        dot_ok && (prog.tail.is_empty() || s.ends_with(&prog.tail))
    }
}

/// Whether a match could start at `i`, judging by the first node alone: it
/// spares running the whole pattern from most positions.
pub(crate) fn can_start(prog: &Prog, s: &[u8], i: usize, unit: Unit) -> bool {
    let next = || unit.decode(s, i);
    match prog.nodes.first() {
        Some(Node::Lit(bytes)) => s.get(i..).is_some_and(|rest| rest.starts_with(bytes)),
        Some(Node::Fold(c)) => next().is_some_and(|(ch, _)| unit.fold(ch) == *c),
        Some(Node::Any) => i < s.len(),
        Some(Node::Set(set)) => next().is_some_and(|(ch, _)| set.contains(ch, unit)),
        _ => true,
    }
}

/// Whether `i` starts a character (or is the end) of the subject.
pub(crate) fn is_boundary(s: &[u8], i: usize, unit: Unit) -> bool {
    unit == Unit::Byte || s.get(i).is_none_or(|&b| b & 0xC0 != 0x80)
}
