//! Key decoding: the bytes a terminal sends, turned into the keys a person
//! pressed. Pure (no reading), so each byte sequence can be tested.
//!
//! A terminal sends a key as one byte (`a`, Ctrl-A as 0x01), as the bytes
//! of one UTF-8 character, or as an escape sequence (`ESC [ A` for Up).
//! The bytes of one key can arrive in two reads, so a decoder that sees an
//! unfinished key says so and waits for more; only when nothing more comes
//! in time does it decide with what it has. Nothing is ever dropped: what
//! is not part of the key decoded stays for the next one.

/// A key, as the editor acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character.
    Text(char),
    /// A byte that is not part of any UTF-8 character: kept as typed.
    Byte(u8),
    /// Ctrl with a letter (`Control('a')` is 0x01); also Ctrl-\ and the
    /// like, by the character the byte is the control of.
    Control(char),
    /// Alt (Meta) with a character: ESC then the character.
    Alt(char),
    AltBackspace,
    Enter,
    Tab,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    /// Ctrl-Left and Ctrl-Right: a word back or forward.
    WordLeft,
    WordRight,
    /// ESC alone.
    Escape,
    /// The start of a bracketed paste (`ESC [ 200 ~`): what follows up to
    /// its end marker was pasted, and is text however it looks.
    PasteStart,
    /// No key: the window changed size (SIGWINCH) while one was awaited.
    Resize,
    /// A whole escape sequence the editor has no use for (F1, Insert…),
    /// consumed so that none of its bytes is taken for text.
    Unknown,
}

/// What the bytes waiting so far make.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A key, and how many of the bytes it took.
    Key(Key, usize),
    /// The bytes start a key that is not finished: wait for more.
    Unfinished,
}

const ESC: u8 = 0x1b;

/// The longest escape sequence read as one: a longer one is cut there (no
/// terminal sends such a key; garbage must not grow without end).
const LONGEST_SEQUENCE: usize = 32;

/// Decodes the key at the start of `bytes` (not empty). `final_try`: no
/// more bytes are coming soon, so an unfinished key is decided with what
/// there is (a lone ESC is Escape, a cut UTF-8 character its bytes).
pub fn decode(bytes: &[u8], final_try: bool) -> Decoded {
    let Some(&first) = bytes.first() else {
        return Decoded::Unfinished;
    };
    match first {
        ESC => escape(bytes, final_try),
        b'\r' | b'\n' => Decoded::Key(Key::Enter, 1),
        b'\t' => Decoded::Key(Key::Tab, 1),
        0x7f | 0x08 => Decoded::Key(Key::Backspace, 1),
        // Ctrl-A to Ctrl-Z by their letters; Ctrl-@, Ctrl-\, Ctrl-], Ctrl-^
        // and Ctrl-_ by their characters.
        0x01..=0x1a => Decoded::Key(Key::Control(char::from(first + 0x60)), 1),
        0x00..=0x1f => Decoded::Key(Key::Control(char::from(first + 0x40)), 1),
        0x20..=0x7e => Decoded::Key(Key::Text(char::from(first)), 1),
        _ => utf8(bytes, final_try),
    }
}

/// How many bytes the UTF-8 character that `lead` starts has (0: `lead`
/// starts none).
fn utf8_length(lead: u8) -> usize {
    match lead {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

/// A character of several bytes, or the first byte alone when the bytes
/// after it do not continue it.
fn utf8(bytes: &[u8], final_try: bool) -> Decoded {
    let length = utf8_length(bytes[0]);
    if length == 0 {
        return Decoded::Key(Key::Byte(bytes[0]), 1);
    }
    let have = bytes.len().min(length);
    // A prefix that could still become a character: wait for the rest.
    let continues = bytes[1..have].iter().all(|&b| b & 0xc0 == 0x80);
    if have < length && continues && !final_try {
        return Decoded::Unfinished;
    }
    match std::str::from_utf8(&bytes[..have]) {
        Ok(text) if have == length => match text.chars().next() {
            Some(c) => Decoded::Key(Key::Text(c), length),
            None => Decoded::Key(Key::Byte(bytes[0]), 1),
        },
        // Not UTF-8 (a lead byte without its continuation, an overlong
        // form, a surrogate): the lead byte is a key of its own, and the
        // bytes after it are decoded afresh.
        _ => Decoded::Key(Key::Byte(bytes[0]), 1),
    }
}

/// ESC and what follows it: a CSI sequence (`ESC [`), an SS3 one
/// (`ESC O`), Alt with a key, or ESC alone.
fn escape(bytes: &[u8], final_try: bool) -> Decoded {
    let Some(&second) = bytes.get(1) else {
        return match final_try {
            true => Decoded::Key(Key::Escape, 1),
            false => Decoded::Unfinished,
        };
    };
    match second {
        b'[' => csi(bytes, final_try),
        b'O' => match bytes.get(2) {
            Some(&last) => Decoded::Key(ss3_key(last), 3),
            None if final_try => Decoded::Key(Key::Alt('O'), 2),
            None => Decoded::Unfinished,
        },
        0x7f | 0x08 => Decoded::Key(Key::AltBackspace, 2),
        0x20..=0x7e => Decoded::Key(Key::Alt(char::from(second)), 2),
        // ESC then another key (ESC, a control, a byte): ESC alone, and the
        // next key decoded on its own.
        _ => Decoded::Key(Key::Escape, 1),
    }
}

/// `ESC O x`: the keys some terminals send in "application" mode.
fn ss3_key(last: u8) -> Key {
    match last {
        b'A' => Key::Up,
        b'B' => Key::Down,
        b'C' => Key::Right,
        b'D' => Key::Left,
        b'H' => Key::Home,
        b'F' => Key::End,
        _ => Key::Unknown,
    }
}

/// `ESC [`, parameter bytes (`0-9;<=>?`), intermediate bytes (space to
/// `/`), one final byte (`@` to `~`): ECMA-48's shape, so that a sequence
/// the editor does not know is still consumed whole.
fn csi(bytes: &[u8], final_try: bool) -> Decoded {
    let mut end = 2;
    while let Some(&b) = bytes.get(end) {
        match b {
            0x20..=0x3f if end < LONGEST_SEQUENCE => end += 1,
            0x40..=0x7e => return Decoded::Key(csi_key(&bytes[2..end], b), end + 1),
            // Not a sequence after all (or a runaway one): what came so
            // far is dropped as one unknown key, and the byte that broke it
            // is decoded on its own.
            _ => return Decoded::Key(Key::Unknown, end),
        }
    }
    match final_try {
        true => Decoded::Key(Key::Unknown, end),
        false => Decoded::Unfinished,
    }
}

/// The key a complete CSI sequence names: `params` between `ESC [` and the
/// final byte `last`.
fn csi_key(params: &[u8], last: u8) -> Key {
    let text = std::str::from_utf8(params).unwrap_or("");
    let mut numbers = text.split(';').map(|n| n.parse::<u32>().unwrap_or(0));
    let first = numbers.next().unwrap_or(0);
    // xterm's modifier parameter: 1 + (1 Shift, 2 Alt, 4 Ctrl).
    let modifier = numbers.next().unwrap_or(1).saturating_sub(1);
    let ctrl_or_alt = modifier & 0b110 != 0;
    match last {
        b'A' => Key::Up,
        b'B' => Key::Down,
        b'C' if ctrl_or_alt => Key::WordRight,
        b'D' if ctrl_or_alt => Key::WordLeft,
        b'C' => Key::Right,
        b'D' => Key::Left,
        b'H' => Key::Home,
        b'F' => Key::End,
        b'~' => match first {
            1 | 7 => Key::Home,
            4 | 8 => Key::End,
            3 => Key::Delete,
            200 => Key::PasteStart,
            _ => Key::Unknown,
        },
        _ => Key::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of `bytes`, decoding as a reader with all of them at hand
    /// would (the last unfinished key decided as at a timeout).
    fn keys(bytes: &[u8]) -> Vec<Key> {
        let mut found = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let (key, used) = match decode(&bytes[at..], false) {
                Decoded::Key(key, used) => (key, used),
                Decoded::Unfinished => match decode(&bytes[at..], true) {
                    Decoded::Key(key, used) => (key, used),
                    Decoded::Unfinished => unreachable!("a final try decides"),
                },
            };
            found.push(key);
            at += used;
        }
        found
    }

    #[test]
    fn plain_keys_and_controls() {
        use Key::*;
        assert_eq!(
            keys(b"a\x01\x7f\x08\r\t\x03\x1a\x1c\x00"),
            [
                Text('a'),
                Control('a'),
                Backspace,
                Backspace,
                Enter,
                Tab,
                Control('c'),
                Control('z'),
                Control('\\'),
                Control('@'),
            ]
        );
    }

    #[test]
    fn utf8_characters_and_bytes_that_are_not_utf8() {
        use Key::*;
        assert_eq!(keys("é€😀".as_bytes()), [Text('é'), Text('€'), Text('😀')]);
        assert_eq!(
            keys(b"A\xff\xfeB"),
            [Text('A'), Byte(0xff), Byte(0xfe), Text('B')]
        );
        // A lead byte without its continuation, then a whole character.
        assert_eq!(keys(b"\xc3x\xc3\xa9"), [Byte(0xc3), Text('x'), Text('é')]);
        // An overlong form and a surrogate are bytes, each of them.
        assert_eq!(keys(b"\xc0\xaf"), [Byte(0xc0), Byte(0xaf)]);
        assert_eq!(keys(b"\xed\xa0\x80"), [Byte(0xed), Byte(0xa0), Byte(0x80)]);
        // Cut short with nothing more coming: its bytes.
        assert_eq!(keys(b"\xe2\x82"), [Byte(0xe2), Byte(0x82)]);
    }

    #[test]
    fn a_key_split_between_reads_waits_for_its_rest() {
        assert_eq!(decode(b"\xe2\x82", false), Decoded::Unfinished);
        assert_eq!(
            decode(b"\xe2\x82\xac", false),
            Decoded::Key(Key::Text('€'), 3)
        );
        assert_eq!(decode(b"\x1b", false), Decoded::Unfinished);
        assert_eq!(decode(b"\x1b[", false), Decoded::Unfinished);
        assert_eq!(decode(b"\x1b[1;5", false), Decoded::Unfinished);
        assert_eq!(decode(b"\x1b[1;5D", false), Decoded::Key(Key::WordLeft, 6));
        assert_eq!(decode(b"\x1bO", false), Decoded::Unfinished);
        assert_eq!(decode(b"\x1b", true), Decoded::Key(Key::Escape, 1));
        // What follows a key is left for the next one.
        assert_eq!(decode(b"\x1b[Aecho", false), Decoded::Key(Key::Up, 3));
    }

    #[test]
    fn escape_sequences_in_their_variants() {
        use Key::*;
        let cases: [(&[u8], Key); 19] = [
            (b"\x1b[A", Up),
            (b"\x1b[B", Down),
            (b"\x1b[C", Right),
            (b"\x1b[D", Left),
            (b"\x1bOA", Up),
            (b"\x1b[H", Home),
            (b"\x1b[F", End),
            (b"\x1b[1~", Home),
            (b"\x1b[7~", Home),
            (b"\x1b[4~", End),
            (b"\x1b[8~", End),
            (b"\x1bOH", Home),
            (b"\x1bOF", End),
            (b"\x1b[3~", Delete),
            (b"\x1bb", Alt('b')),
            (b"\x1bf", Alt('f')),
            (b"\x1b\x7f", AltBackspace),
            (b"\x1b[1;3C", WordRight),
            (b"\x1b[200~", PasteStart),
        ];
        for (bytes, key) in cases {
            assert_eq!(keys(bytes), [key], "{bytes:?}");
        }
    }

    #[test]
    fn unknown_sequences_are_consumed_whole() {
        use Key::*;
        // F5, Insert, a focus report, a mouse-ish sequence: no text.
        assert_eq!(keys(b"\x1b[15~x"), [Unknown, Text('x')]);
        assert_eq!(keys(b"\x1b[2~"), [Unknown]);
        // A paste's end marker with no start before it.
        assert_eq!(keys(b"\x1b[201~"), [Unknown]);
        assert_eq!(keys(b"\x1b[I"), [Unknown]);
        assert_eq!(keys(b"\x1b[<0;12;5M"), [Unknown]);
        assert_eq!(keys(b"\x1bOP"), [Unknown]);
        // A sequence broken by a control byte: the part before it is one
        // unknown key, the control byte is a key of its own.
        assert_eq!(keys(b"\x1b[1\x03"), [Unknown, Control('c')]);
        // Cut off at a timeout: nothing of it is text.
        assert_eq!(keys(b"\x1b[12"), [Unknown]);
        // ESC ESC: two Escapes, then the key.
        assert_eq!(keys(b"\x1b\x1b[A"), [Escape, Up]);
    }
}
