//! Quoting text so the shell reads it back as the same word: what
//! `${x@Q}` shows, and how the shell hands itself array elements.

/// `'text'`, with each `'` written `'\''`; text holding control bytes in
/// `$'…'` form, as bash's `${x@Q}` does.
pub fn quote(text: &[u8]) -> Vec<u8> {
    if let Some(quoted) = minishell_builtins::quoting::ansi_c(text, true) {
        return quoted;
    }
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'\'');
    for &b in text {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// A word as `set -x` shows it: as it is when it needs no quoting, else in
/// single quotes (bash's trace style).
pub fn quote_for_trace(text: &[u8]) -> Vec<u8> {
    let plain = !text.is_empty()
        && text
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"_-./:=@%+,^".contains(&b) || b >= 0x80);
    if plain {
        return text.to_vec();
    }
    quote(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quotes_with_escaped_quotes() {
        assert_eq!(quote(b"a b"), b"'a b'");
        assert_eq!(quote(b"it's"), b"'it'\\''s'");
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"a\nb"), b"$'a\\nb'");
    }
}
