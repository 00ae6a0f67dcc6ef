//! Text as the shell reads it back when it holds characters that cannot
//! be shown as themselves: bash's `$'…'` form, shared by `printf %q`,
//! `declare -p`, `${x@Q}` and `set -x`.

/// One character of the text: a byte, or a whole UTF-8 sequence in a
/// UTF-8 locale.
pub struct Char<'a> {
    pub bytes: &'a [u8],
    pub printable: bool,
}

/// Splits `text` into characters and says which can be shown as they are:
/// in the C locale only printable ASCII; in UTF-8 also every valid
/// multibyte character but the C1 controls.
pub fn split(text: &[u8], utf8: bool) -> Vec<Char<'_>> {
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

/// `text` as `$'…'`, with C's escapes for the controls that have one and
/// octal for the rest; `None` when every character can be shown as it is
/// (the caller quotes it its own way then).
pub fn ansi_c(text: &[u8], utf8: bool) -> Option<Vec<u8>> {
    let chars = split(text, utf8);
    if chars.iter().all(|c| c.printable) {
        return None;
    }
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
    Some(out)
}
