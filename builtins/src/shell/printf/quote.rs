//! `%q`: an argument quoted so the shell reads it back as the same word,
//! in bash's two styles: backslashes before the characters the shell
//! treats specially (`a\ b`), or `$'…'` when the text holds a character
//! that cannot be shown as itself (`$'a\nb'`).

/// Characters a backslash must protect anywhere in a word.
const SPECIAL: &[u8] = b" !\"$&'()*,;<>?[\\]^`{|}";

/// The quoted form of `text`.
pub fn quote(text: &[u8], utf8: bool) -> Vec<u8> {
    if text.is_empty() {
        return b"''".to_vec();
    }
    let chars = split(text, utf8);
    if chars.iter().any(|c| !c.printable) {
        return ansi_c(&chars);
    }
    let mut out = Vec::with_capacity(text.len() * 2);
    let mut previous: Option<u8> = None;
    for c in &chars {
        if let [b] = c.bytes {
            let b = *b;
            let at_word_start = previous.is_none();
            let tilde_place = at_word_start || matches!(previous, Some(b'=' | b':'));
            if SPECIAL.contains(&b) || (b == b'#' && at_word_start) || (b == b'~' && tilde_place) {
                out.push(b'\\');
            }
            previous = Some(b);
        } else {
            previous = Some(0x80);
        }
        out.extend_from_slice(c.bytes);
    }
    out
}

/// One character of the text: a byte, or a whole UTF-8 sequence in a
/// UTF-8 locale.
struct Char<'a> {
    bytes: &'a [u8],
    printable: bool,
}

/// Splits `text` into characters and says which can be shown as they are:
/// in the C locale only printable ASCII; in UTF-8 also every valid
/// multibyte character but the C1 controls.
fn split(text: &[u8], utf8: bool) -> Vec<Char<'_>> {
    let mut chars = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let length = match b {
            0xc2..=0xdf if utf8 => 2,
            0xe0..=0xef if utf8 => 3,
            0xf0..=0xf4 if utf8 => 4,
            _ => 1,
        };
        let decoded = text
            .get(i..i + length)
            .filter(|_| length > 1)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|s| s.chars().next());
        match decoded {
            Some(c) => {
                chars.push(Char {
                    bytes: &text[i..i + length],
                    printable: !c.is_control(),
                });
                i += length;
            }
            None => {
                chars.push(Char {
                    bytes: &text[i..i + 1],
                    printable: (0x20..0x7f).contains(&b),
                });
                i += 1;
            }
        }
    }
    chars
}

/// `$'…'`, with C's escapes for the controls that have one and octal for
/// the rest.
fn ansi_c(chars: &[Char<'_>]) -> Vec<u8> {
    let mut out = b"$'".to_vec();
    for c in chars {
        if c.printable {
            if matches!(c.bytes, [b'\\' | b'\'']) {
                out.push(b'\\');
            }
            out.extend_from_slice(c.bytes);
            continue;
        }
        for &b in c.bytes {
            match b {
                0x07 => out.extend_from_slice(b"\\a"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x1b => out.extend_from_slice(b"\\E"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x0b => out.extend_from_slice(b"\\v"),
                _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            }
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &[u8]) -> String {
        String::from_utf8(quote(text, false)).unwrap()
    }

    #[test]
    fn backslashes_for_shell_specials() {
        assert_eq!(q(b""), "''");
        assert_eq!(q(b"a b"), r"a\ b");
        assert_eq!(q(b"~x"), r"\~x");
        assert_eq!(q(b"x~"), "x~");
        assert_eq!(q(b"a=~"), r"a=\~");
        assert_eq!(q(b"#a"), r"\#a");
        assert_eq!(q(b"a#"), "a#");
        assert_eq!(q(b"a,b"), r"a\,b");
        assert_eq!(q(b"'"), r"\'");
        assert_eq!(q(b"=a%+-./:@_"), "=a%+-./:@_");
    }

    #[test]
    fn ansi_c_for_unprintable_text() {
        assert_eq!(q(b"a\nb"), r"$'a\nb'");
        assert_eq!(q(b"\x01"), r"$'\001'");
        assert_eq!(q(b"\x1b"), r"$'\E'");
        assert_eq!(q(b"\xe9"), r"$'\351'");
        assert_eq!(q(b"a\\b\n"), r"$'a\\b\n'");
        assert_eq!(q(b"it's\t"), r"$'it\'s\t'");
    }

    #[test]
    fn utf8_characters_stay_in_a_utf8_locale() {
        assert_eq!(quote("é b".as_bytes(), true), "é\\ b".as_bytes());
        assert_eq!(quote(b"\xe9", true), br"$'\351'");
        assert_eq!(quote("\u{85}".as_bytes(), true), br"$'\302\205'");
    }
}
