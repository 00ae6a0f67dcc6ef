//! What a character is while matching: one UTF-8 character or one byte, its case fold, and the POSIX classes.
//!
//! bash matches in wide characters when the locale is UTF-8 and both the
//! pattern and the subject decode; if either holds a byte that is not valid
//! UTF-8, it matches the whole thing byte by byte instead (`xstrmatch` falls
//! back to the single-byte matcher). A byte then behaves as under `LC_ALL=C`:
//! it is a character by itself, folds only in ASCII, and belongs to a class
//! only if it is ASCII. [`Unit`] names which of the two is in force.

/// How the subject is cut into characters for one match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Every byte is a character (`LC_ALL=C`, or a pattern or subject that is
    /// not valid UTF-8).
    Byte,
    /// Characters are UTF-8 sequences; the text is known to be valid UTF-8.
    Utf8,
}

impl Unit {
    /// The character starting at `i` and its length in bytes.
    ///
    /// In `Utf8` the text was validated before, so the lead byte gives the
    /// length; a truncated sequence (impossible after validation) still comes
    /// back as one byte rather than a panic.
    #[inline]
    pub(crate) fn decode(self, s: &[u8], i: usize) -> Option<(u32, usize)> {
        let b0 = *s.get(i)?;
        if b0 < 0x80 || self == Unit::Byte {
            return Some((u32::from(b0), 1));
        }
        let len = match b0 {
            0xF0.. => 4,
            0xE0.. => 3,
            _ => 2,
        };
        let Some(tail) = s.get(i + 1..i + len) else {
            return Some((u32::from(b0), 1));
        };
        let lead = u32::from(b0) & (0x7F >> len);
        let code = tail
            .iter()
            .fold(lead, |acc, &b| (acc << 6) | (u32::from(b) & 0x3F));
        Some((code, len))
    }

    /// The length of the character starting at `i` (1 past the end).
    #[inline]
    pub(crate) fn len_at(self, s: &[u8], i: usize) -> usize {
        match s.get(i) {
            Some(&b) if self == Unit::Utf8 && b >= 0x80 => match b {
                0xF0.. => 4,
                0xE0.. => 3,
                _ => 2,
            },
            _ => 1,
        }
    }

    /// Case folding as bash's `FOLD()`: `towlower` on a character, `tolower`
    /// on a byte (ASCII only, as a byte above 0x7F is no character by itself
    /// in a UTF-8 locale).
    ///
    /// Where Unicode lowercases to several characters (only `İ`), glibc's
    /// `towlower` gives the first one, and so do we.
    #[inline]
    pub(crate) fn fold(self, c: u32) -> u32 {
        if c < 0x80 {
            return u32::from((c as u8).to_ascii_lowercase());
        }
        if self == Unit::Byte {
            return c;
        }
        char::from_u32(c)
            .and_then(|ch| ch.to_lowercase().next())
            .map_or(c, u32::from)
    }
}

/// The character classes of `[[:name:]]`, bash's `word` included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Alpha,
    Digit,
    Alnum,
    Upper,
    Lower,
    Space,
    Blank,
    Punct,
    Print,
    Graph,
    Cntrl,
    Xdigit,
    Word,
}

impl Class {
    /// The class a `[:name:]` names; `None` for a name bash does not know,
    /// which then contributes nothing to its bracket.
    pub(crate) fn from_name(name: &[u8]) -> Option<Class> {
        Some(match name {
            b"alpha" => Class::Alpha,
            b"digit" => Class::Digit,
            b"alnum" => Class::Alnum,
            b"upper" => Class::Upper,
            b"lower" => Class::Lower,
            b"space" => Class::Space,
            b"blank" => Class::Blank,
            b"punct" => Class::Punct,
            b"print" => Class::Print,
            b"graph" => Class::Graph,
            b"cntrl" => Class::Cntrl,
            b"xdigit" => Class::Xdigit,
            b"word" => Class::Word,
            _ => return None,
        })
    }

    /// Whether `c` (not folded: bash tests classes on the character as it
    /// is, so `[[:upper:]]` never matches `a`, even under `nocasematch`)
    /// belongs to the class.
    pub(crate) fn contains(self, c: u32, unit: Unit) -> bool {
        if c < 0x80 {
            return self.contains_ascii(c as u8);
        }
        match (unit, char::from_u32(c)) {
            (Unit::Utf8, Some(ch)) => self.contains_char(ch),
            _ => false,
        }
    }

    fn contains_ascii(self, b: u8) -> bool {
        match self {
            Class::Alpha => b.is_ascii_alphabetic(),
            Class::Digit => b.is_ascii_digit(),
            Class::Alnum => b.is_ascii_alphanumeric(),
            Class::Upper => b.is_ascii_uppercase(),
            Class::Lower => b.is_ascii_lowercase(),
            Class::Space => matches!(b, b' ' | b'\t'..=b'\r'),
            Class::Blank => matches!(b, b' ' | b'\t'),
            Class::Punct => b.is_ascii_punctuation(),
            Class::Print => matches!(b, 0x20..=0x7E),
            Class::Graph => b.is_ascii_graphic(),
            Class::Cntrl => b.is_ascii_control(),
            Class::Xdigit => b.is_ascii_hexdigit(),
            Class::Word => b.is_ascii_alphanumeric() || b == b'_',
        }
    }

    /// Classes beyond ASCII, as close to glibc's `C.UTF-8` as std's Unicode
    /// properties allow. Measured against glibc 2.36 over every code point:
    /// `digit`, `xdigit`, `space`, `blank` and `cntrl` agree everywhere;
    /// `alpha` differs on 688 assigned characters (combining marks that
    /// Unicode calls Alphabetic), `upper`/`lower` on titlecase letters, and
    /// `print`/`graph`/`punct` also hold for unassigned code points, which
    /// glibc puts in no class (std cannot tell assigned from unassigned).
    fn contains_char(self, ch: char) -> bool {
        let alpha = || ch.is_alphabetic();
        let space =
            || ch.is_whitespace() && !matches!(ch, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}');
        let cntrl = || ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}');
        match self {
            Class::Alpha | Class::Alnum | Class::Word => alpha(),
            Class::Digit | Class::Xdigit => false,
            Class::Upper => ch.is_uppercase(),
            Class::Lower => ch.is_lowercase(),
            Class::Space => space(),
            Class::Blank => space() && !matches!(ch, '\u{2028}' | '\u{2029}'),
            Class::Print => !cntrl(),
            Class::Graph => !cntrl() && !space(),
            Class::Punct => !cntrl() && !space() && !alpha(),
            Class::Cntrl => cntrl(),
        }
    }
}

/// The characters `[.name.]` may name besides a single character: the POSIX
/// portable character set names that bash 5.2 accepts (checked one by one
/// against bash; it knows `underscore` but not `low-line`).
pub(crate) fn collating_symbol(name: &[u8]) -> Option<u8> {
    const NAMES: &[(&str, u8)] = &[
        ("NUL", 0x00),
        ("SOH", 0x01),
        ("STX", 0x02),
        ("ETX", 0x03),
        ("EOT", 0x04),
        ("ENQ", 0x05),
        ("ACK", 0x06),
        ("alert", 0x07),
        ("backspace", 0x08),
        ("tab", b'\t'),
        ("newline", b'\n'),
        ("vertical-tab", 0x0B),
        ("form-feed", 0x0C),
        ("carriage-return", b'\r'),
        ("SO", 0x0E),
        ("SI", 0x0F),
        ("DLE", 0x10),
        ("DC1", 0x11),
        ("DC2", 0x12),
        ("DC3", 0x13),
        ("DC4", 0x14),
        ("NAK", 0x15),
        ("SYN", 0x16),
        ("ETB", 0x17),
        ("CAN", 0x18),
        ("EM", 0x19),
        ("SUB", 0x1A),
        ("ESC", 0x1B),
        ("IS4", 0x1C),
        ("IS3", 0x1D),
        ("IS2", 0x1E),
        ("IS1", 0x1F),
        ("space", b' '),
        ("exclamation-mark", b'!'),
        ("quotation-mark", b'"'),
        ("number-sign", b'#'),
        ("dollar-sign", b'$'),
        ("percent-sign", b'%'),
        ("ampersand", b'&'),
        ("apostrophe", b'\''),
        ("left-parenthesis", b'('),
        ("right-parenthesis", b')'),
        ("asterisk", b'*'),
        ("plus-sign", b'+'),
        ("comma", b','),
        ("hyphen", b'-'),
        ("hyphen-minus", b'-'),
        ("period", b'.'),
        ("full-stop", b'.'),
        ("slash", b'/'),
        ("solidus", b'/'),
        ("zero", b'0'),
        ("one", b'1'),
        ("two", b'2'),
        ("three", b'3'),
        ("four", b'4'),
        ("five", b'5'),
        ("six", b'6'),
        ("seven", b'7'),
        ("eight", b'8'),
        ("nine", b'9'),
        ("colon", b':'),
        ("semicolon", b';'),
        ("less-than-sign", b'<'),
        ("equals-sign", b'='),
        ("greater-than-sign", b'>'),
        ("question-mark", b'?'),
        ("commercial-at", b'@'),
        ("left-square-bracket", b'['),
        ("backslash", b'\\'),
        ("reverse-solidus", b'\\'),
        ("right-square-bracket", b']'),
        ("circumflex", b'^'),
        ("circumflex-accent", b'^'),
        ("underscore", b'_'),
        ("grave-accent", b'`'),
        ("left-brace", b'{'),
        ("left-curly-bracket", b'{'),
        ("vertical-line", b'|'),
        ("right-brace", b'}'),
        ("right-curly-bracket", b'}'),
        ("tilde", b'~'),
        ("DEL", 0x7F),
    ];
    NAMES
        .iter()
        .find(|(n, _)| n.as_bytes() == name)
        .map(|&(_, b)| b)
}
