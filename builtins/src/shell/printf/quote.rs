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
    if let Some(quoted) = crate::quoting::ansi_c(text, utf8) {
        return quoted;
    }
    let chars = crate::quoting::split(text, utf8);
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
