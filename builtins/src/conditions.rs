//! The tests `test`, `[` and `[[ ]]` share: file tests (`-f`, `-d`, `-nt`…),
//! string tests (`-z`, `-n`, `<`) and integer comparisons (`-eq`…). Each is
//! a plain function of its operands, so both the builtin and the shell's
//! `[[ ]]` evaluator call the same code.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

/// A unary test on a file or string. `None` for a letter that is not one
/// of these (the caller handles `-v` and `-o`, which need the shell).
pub fn unary(letter: u8, operand: &[u8]) -> Option<bool> {
    let path = OsStr::from_bytes(operand);
    let meta = || std::fs::metadata(path).ok();
    Some(match letter {
        b'z' => operand.is_empty(),
        b'n' => !operand.is_empty(),
        b'e' | b'a' => meta().is_some(),
        b'f' => meta().is_some_and(|m| m.is_file()),
        b'd' => meta().is_some_and(|m| m.is_dir()),
        b'b' => meta().is_some_and(|m| m.file_type().is_block_device()),
        b'c' => meta().is_some_and(|m| m.file_type().is_char_device()),
        b'p' => meta().is_some_and(|m| m.file_type().is_fifo()),
        b'S' => meta().is_some_and(|m| m.file_type().is_socket()),
        b'h' | b'L' => std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()),
        b's' => meta().is_some_and(|m| m.len() > 0),
        b'g' => meta().is_some_and(|m| m.permissions().mode() & 0o2000 != 0),
        b'u' => meta().is_some_and(|m| m.permissions().mode() & 0o4000 != 0),
        b'k' => meta().is_some_and(|m| m.permissions().mode() & 0o1000 != 0),
        b'r' => access(operand, libc::R_OK),
        b'w' => access(operand, libc::W_OK),
        b'x' => access(operand, libc::X_OK),
        b'O' => meta().is_some_and(|m| m.uid() == nix::unistd::geteuid().as_raw()),
        b'G' => meta().is_some_and(|m| m.gid() == nix::unistd::getegid().as_raw()),
        b'N' => meta().is_some_and(|m| {
            m.mtime() > m.atime() || (m.mtime() == m.atime() && m.mtime_nsec() >= m.atime_nsec())
        }),
        b't' => match parse_integer(operand) {
            Some(fd) if (0..=i64::from(i32::MAX)).contains(&fd) => {
                // SAFETY: isatty only queries the descriptor number.
                unsafe { libc::isatty(fd as i32) == 1 }
            }
            _ => false,
        },
        _ => return None,
    })
}

/// Whether the calling process may access the file as `mode` says
/// (`access(2)` with the effective IDs, as bash's `-r/-w/-x`).
fn access(path: &[u8], mode: libc::c_int) -> bool {
    let Ok(path) = std::ffi::CString::new(path) else {
        return false;
    };
    // SAFETY: the path is a valid C string for the call's duration.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), mode, libc::AT_EACCESS) == 0 }
}

/// `-nt`, `-ot`, `-ef` on two files.
pub fn files(op: &str, left: &[u8], right: &[u8]) -> bool {
    let a = std::fs::metadata(OsStr::from_bytes(left)).ok();
    let b = std::fs::metadata(OsStr::from_bytes(right)).ok();
    let mtime = |m: &std::fs::Metadata| (m.mtime(), m.mtime_nsec());
    match op {
        "-nt" => match (a, b) {
            (Some(a), Some(b)) => mtime(&a) > mtime(&b),
            (Some(_), None) => true,
            _ => false,
        },
        "-ot" => match (a, b) {
            (Some(a), Some(b)) => mtime(&a) < mtime(&b),
            (None, Some(_)) => true,
            _ => false,
        },
        _ => match (a, b) {
            (Some(a), Some(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        },
    }
}

/// An integer as `test` reads it: optional blanks, a sign, decimal digits.
pub fn parse_integer(text: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(text)
        .ok()?
        .trim_matches([' ', '\t', '\n']);
    text.parse().ok()
}

/// An integer as bash's `test` builtin reads one (its `legal_number`):
/// C's blanks before it (space, tab, newline, vertical tab, form feed,
/// carriage return), a sign, decimal digits, then only spaces or tabs. A
/// value beyond 64 bits is not an integer.
pub fn parse_test_integer(text: &[u8]) -> Option<i64> {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let end = text
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |p| p + 1);
    let number = text.get(start..end)?;
    let digits = match number.first() {
        Some(b'+' | b'-') => &number[1..],
        _ => number,
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// `-eq`, `-ne`, `-lt`, `-le`, `-gt`, `-ge` on two numbers.
pub fn integers(op: &str, a: i64, b: i64) -> bool {
    match op {
        "-eq" => a == b,
        "-ne" => a != b,
        "-lt" => a < b,
        "-le" => a <= b,
        "-gt" => a > b,
        _ => a >= b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_files_and_numbers() {
        assert_eq!(unary(b'z', b""), Some(true));
        assert_eq!(unary(b'n', b""), Some(false));
        assert_eq!(unary(b'd', b"/"), Some(true));
        assert_eq!(unary(b'f', b"/"), Some(false));
        assert_eq!(unary(b'e', b"/no/such/file"), Some(false));
        assert_eq!(unary(b'q', b"x"), None);
        assert!(files("-ef", b"/", b"/"));
        assert_eq!(parse_integer(b" 42 "), Some(42));
        assert_eq!(parse_integer(b"4x"), None);
        assert!(integers("-le", 3, 3));
    }

    #[test]
    fn test_integers_as_bash_reads_them() {
        assert_eq!(parse_test_integer(b"\n\x0b 5\t "), Some(5));
        assert_eq!(parse_test_integer(b"5\n"), None);
        assert_eq!(parse_test_integer(b"+5"), Some(5));
        assert_eq!(parse_test_integer(b"-"), None);
        assert_eq!(parse_test_integer(b" "), None);
        assert_eq!(parse_test_integer(b"0x1"), None);
        assert_eq!(parse_test_integer(b"010"), Some(10));
        assert_eq!(parse_test_integer(b"9223372036854775808"), None);
        assert_eq!(parse_test_integer(b"-9223372036854775808"), Some(i64::MIN));
    }
}
