//! How `read` cuts a line into fields with `IFS`, by bash's rules: IFS
//! white space (space, tab, newline when in IFS) around a field is
//! dropped and runs of it count as one separator; any other IFS character
//! separates on its own, so two in a row enclose an empty field; the last
//! name takes the rest of the line, inner separators kept. Characters a
//! backslash escaped never separate.

/// One byte of the line, and whether a backslash escaped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Char {
    pub byte: u8,
    pub escaped: bool,
}

impl Char {
    /// What a backslash at the very end of the input leaves: no byte, but
    /// an escaped nothing that still counts as part of a field, so the
    /// separators and blanks before it stay (`printf 'x,\\' | read a`
    /// with IFS=, gives `x,`), as bash's leftover escape mark does.
    pub const PHANTOM: Char = Char {
        byte: 0,
        escaped: true,
    };

    /// NUL never reaches a line (it is dropped, or it is the delimiter),
    /// so an escaped NUL is the phantom.
    pub fn is_phantom(self) -> bool {
        self == Char::PHANTOM
    }
}

/// The separators of an `IFS` value.
pub struct Ifs<'a> {
    chars: &'a [u8],
}

impl<'a> Ifs<'a> {
    pub fn new(chars: &'a [u8]) -> Ifs<'a> {
        Ifs { chars }
    }

    fn separates(&self, c: Char) -> bool {
        !c.escaped && self.chars.contains(&c.byte)
    }

    fn white(&self, c: Char) -> bool {
        self.separates(c) && matches!(c.byte, b' ' | b'\t' | b'\n')
    }
}

/// The bytes of `chars`, escapes dropped.
pub fn text(chars: &[Char]) -> Vec<u8> {
    chars
        .iter()
        .filter(|c| !c.is_phantom())
        .map(|c| c.byte)
        .collect()
}

/// Skips IFS white space from `i`.
fn skip_white(chars: &[Char], ifs: &Ifs<'_>, mut i: usize) -> usize {
    while i < chars.len() && ifs.white(chars[i]) {
        i += 1;
    }
    i
}

/// The field starting at `i` and where the next one starts: past the
/// white space, at most one other IFS character, and white space again.
fn field<'c>(chars: &'c [Char], ifs: &Ifs<'_>, i: usize) -> (&'c [Char], usize) {
    let end = (i..chars.len())
        .find(|&j| ifs.separates(chars[j]))
        .unwrap_or(chars.len());
    let mut next = skip_white(chars, ifs, end);
    if next < chars.len() && ifs.separates(chars[next]) && !ifs.white(chars[next]) {
        next = skip_white(chars, ifs, next + 1);
    }
    (&chars[i..end], next)
}

/// `chars` without the IFS white space at its end, escaped or not: bash
/// drops an escaped blank there too (`IFS=' ' read a b <<< 'x y\ '`
/// keeps `y `, as the rest is one field, but `x y z\ ` gives `y z`).
fn trim_end<'c>(chars: &'c [Char], ifs: &Ifs<'_>) -> &'c [Char] {
    let white = |c: Char| {
        !c.is_phantom()
            && ifs.white(Char {
                escaped: false,
                ..c
            })
    };
    let end = chars.iter().rposition(|&c| !white(c)).map_or(0, |p| p + 1);
    &chars[..end]
}

/// The values of `names` names (at least one): a field each, the last
/// taking what is left.
pub fn names(chars: &[Char], ifs: &Ifs<'_>, names: usize) -> Vec<Vec<u8>> {
    let mut values = Vec::with_capacity(names);
    let mut i = skip_white(chars, ifs, 0);
    for _ in 1..names {
        let (value, next) = field(chars, ifs, i);
        values.push(text(value));
        i = next;
    }
    let rest = &chars[i.min(chars.len())..];
    // A rest that is one field, with separators after it, is that field
    // (`IFS=: read a b <<< x:y:` gives b=y), as in bash; more than one
    // field keeps the separators but the white space at the end
    // (`x:y:z:` gives b=y:z:).
    let (first, after) = field(rest, ifs, 0);
    let last = if after >= rest.len() {
        first
    } else {
        trim_end(rest, ifs)
    };
    values.push(text(last));
    values
}

/// Every field, for `read -a`.
pub fn fields(chars: &[Char], ifs: &Ifs<'_>) -> Vec<Vec<u8>> {
    let mut values = Vec::new();
    let mut i = skip_white(chars, ifs, 0);
    while i < chars.len() {
        let (value, next) = field(chars, ifs, i);
        values.push(text(value));
        i = next;
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line where `\x` escapes x.
    fn line(text: &str) -> Vec<Char> {
        let mut chars = Vec::new();
        let mut escaped = false;
        for &byte in text.as_bytes() {
            if byte == b'\\' && !escaped {
                escaped = true;
                continue;
            }
            chars.push(Char { byte, escaped });
            escaped = false;
        }
        chars
    }

    fn split(text: &str, ifs: &str, count: usize) -> Vec<String> {
        names(&line(text), &Ifs::new(ifs.as_bytes()), count)
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect()
    }

    fn all(text: &str, ifs: &str) -> Vec<String> {
        fields(&line(text), &Ifs::new(ifs.as_bytes()))
            .into_iter()
            .map(|v| String::from_utf8(v).unwrap())
            .collect()
    }

    const DEFAULT: &str = " \t\n";

    #[test]
    fn white_space_around_fields_goes() {
        assert_eq!(split("  x  y  z  ", DEFAULT, 2), ["x", "y  z"]);
        assert_eq!(split("  x  y  z  ", DEFAULT, 3), ["x", "y", "z"]);
        assert_eq!(split("  x  ", DEFAULT, 3), ["x", "", ""]);
        assert_eq!(split("  ", DEFAULT, 2), ["", ""]);
    }

    #[test]
    fn other_separators_enclose_empty_fields() {
        assert_eq!(split("x::y", ":", 3), ["x", "", "y"]);
        assert_eq!(split(":x", ":", 2), ["", "x"]);
        assert_eq!(split(" :x", ": ", 2), ["", "x"]);
        assert_eq!(split("x : y : z", ": ", 3), ["x", "y", "z"]);
    }

    #[test]
    fn the_last_name_keeps_separators_but_one_trailing() {
        assert_eq!(split("x:y:z", ":", 2), ["x", "y:z"]);
        assert_eq!(split("x:y:", ":", 2), ["x", "y"]);
        assert_eq!(split("x:y::", ":", 2), ["x", "y::"]);
        assert_eq!(split("x:y: ", ": ", 2), ["x", "y"]);
        assert_eq!(split("x y:z:", " :", 2), ["x", "y:z:"]);
        assert_eq!(split("x,y, ,", ", ", 2), ["x", "y, ,"]);
        assert_eq!(split("x:y:z", ":", 1), ["x:y:z"]);
    }

    #[test]
    fn empty_ifs_splits_nothing() {
        assert_eq!(split("  a b  ", "", 1), ["  a b  "]);
        assert_eq!(split("a b", "", 2), ["a b", ""]);
    }

    #[test]
    fn escaped_characters_never_separate() {
        assert_eq!(split("a\\ b c", DEFAULT, 2), ["a b", "c"]);
        assert_eq!(split("x y\\:z", " :", 3), ["x", "y:z", ""]);
        assert_eq!(split("a\\ ", DEFAULT, 1), ["a "]);
        assert_eq!(split(" \\ a \\  ", DEFAULT, 2), [" a", " "]);
        assert_eq!(split(",,\\ ", ", \t", 2), ["", ","]);
        assert_eq!(split("a b,\\ ", ", \t", 2), ["a", "b,"]);
        assert_eq!(split("a:b:c\\ ", ":", 2), ["a", "b:c "]);
        assert_eq!(split("a b c\\ \\ ", " ", 2), ["a", "b c"]);
        assert_eq!(split("a b\\ ", " ", 2), ["a", "b "]);
    }

    #[test]
    fn a_phantom_escape_keeps_what_is_before_it() {
        let mut chars = line("xcd,");
        chars.push(Char::PHANTOM);
        let values = names(&chars, &Ifs::new(b":,"), 1);
        assert_eq!(values, [b"xcd,".to_vec()]);
        let mut chars = line(" cd:  cd\t");
        chars.push(Char::PHANTOM);
        let values = names(&chars, &Ifs::new(DEFAULT.as_bytes()), 1);
        assert_eq!(values, [b"cd:  cd\t".to_vec()]);
    }

    #[test]
    fn arrays_take_every_field() {
        assert_eq!(all("x:y:", ":"), ["x", "y"]);
        assert_eq!(all("x::y", ":"), ["x", "", "y"]);
        assert_eq!(all(":x", ":"), ["", "x"]);
        assert_eq!(all("  a  b  ", DEFAULT), ["a", "b"]);
        assert!(all("   ", DEFAULT).is_empty());
    }
}
