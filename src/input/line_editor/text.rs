//! The line as bytes and as text. The shell runs bytes, and a typed byte
//! that is not UTF-8 must reach it unchanged (`echo A\xffB`); the editing,
//! the colours and the completion work on text. Each such byte is held in
//! the text as one character of Unicode's private-use plane 16, picked by
//! the byte's value, and turned back into the byte when the line is
//! handed over. A character typed from that range comes out as the byte
//! too: no keyboard sends one.

/// Where the 256 stand-ins start: U+10FF00 + byte.
const STAND_IN_BASE: u32 = 0x10_ff00;

/// The character standing in for `byte` in the text.
pub fn char_of_byte(byte: u8) -> char {
    char::from_u32(STAND_IN_BASE + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte `c` stands in for, if it is a stand-in.
pub fn byte_of_char(c: char) -> Option<u8> {
    u32::from(c)
        .checked_sub(STAND_IN_BASE)
        .and_then(|b| u8::try_from(b).ok())
}

/// The bytes of a line as typed.
pub fn line_bytes(line: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(line.len());
    for c in line.chars() {
        match byte_of_char(c) {
            Some(byte) => bytes.push(byte),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    bytes
}

/// The text of bytes: the reverse of [`line_bytes`].
pub fn line_text(bytes: &[u8]) -> String {
    bytes
        .utf8_chunks()
        .flat_map(|chunk| {
            let invalid = chunk.invalid().iter().map(|&b| char_of_byte(b));
            chunk.valid().chars().chain(invalid)
        })
        .collect()
}

/// The text of a bracketed paste, to insert as if typed. Its line ends
/// (CR, as a terminal sends Enter, or CR LF) become newlines, so a pasted
/// script is one multi-line command in the buffer, run at Enter. A byte
/// that is not UTF-8 is kept, as [`line_text`] keeps it. Other control
/// characters than newline and tab are left out: drawn, they would act on
/// the terminal (ESC starts a sequence), and typed they are keys, not text.
pub fn pasted_text(bytes: &[u8]) -> String {
    let mut text = line_text(bytes).replace("\r\n", "\n").replace('\r', "\n");
    text.retain(|c| matches!(c, '\n' | '\t') || !c.is_control());
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_keeps_its_lines_and_bytes_and_drops_controls() {
        assert_eq!(pasted_text(b"echo a\recho b"), "echo a\necho b");
        assert_eq!(pasted_text(b"a\r\nb\nc\r"), "a\nb\nc\n");
        assert_eq!(pasted_text(b"x\ty\x1b[31mz\x07\x7f"), "x\ty[31mz");
        let text = pasted_text(b"echo \xff\xc3\xa9");
        assert_eq!(line_bytes(&text), b"echo \xff\xc3\xa9");
    }

    #[test]
    fn bytes_that_are_not_utf8_survive_as_text() {
        let typed = b"echo A\xff\xfeB \xc3\xa9 \xe2\x82";
        let text = line_text(typed);
        assert!(text.contains('é'));
        assert_eq!(
            text.chars().filter(|&c| byte_of_char(c).is_some()).count(),
            4
        );
        assert_eq!(line_bytes(&text), typed);
        assert_eq!(byte_of_char('a'), None);
    }
}
