//! Whether a file is a program rather than a script: the test bash makes
//! on a file's first bytes before running it as shell code, both when
//! `execve` refuses it (ENOEXEC) and when `minishell FILE` opens it.

use std::ffi::CStr;

/// How many leading bytes are looked at: a short prefix, so a script with
/// a NUL far down (a here-document of binary data) still runs.
pub const SAMPLE: usize = 80;

/// True when `sample`, a file's first bytes, looks like a binary: an ELF
/// header, or a NUL byte before the end of the first line (of the first
/// two lines after a `#!` line, which may name an interpreter that is
/// missing). A text file never has a NUL there; a program almost always
/// does, and running one as shell code would run its strings as commands.
pub fn looks_binary(sample: &[u8]) -> bool {
    let sample = &sample[..sample.len().min(SAMPLE)];
    if sample.starts_with(b"\x7fELF") {
        return true;
    }
    let mut lines = if sample.starts_with(b"#!") { 2 } else { 1 };
    for &byte in sample {
        match byte {
            0 => return true,
            b'\n' => {
                lines -= 1;
                if lines == 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    false
}

/// [`looks_binary`] on the file at `path`, read with nothing but `open`,
/// `read` and `close` into a stack buffer, so a child between `fork` and
/// `execve` may call it. A file that cannot be read is not called binary.
pub fn file_looks_binary(path: &CStr) -> bool {
    let mut sample = [0u8; SAMPLE];
    // SAFETY: open, read and close are async-signal-safe; the path is a
    // valid C string and the buffer lives on this frame for the read.
    let len = unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return false;
        }
        let len = libc::read(fd, sample.as_mut_ptr().cast(), sample.len());
        libc::close(fd);
        len
    };
    len > 0 && looks_binary(&sample[..len as usize])
}

#[cfg(test)]
mod tests {
    use super::looks_binary;

    #[test]
    fn nul_in_the_first_line_only() {
        assert!(looks_binary(b"\0\0\0\0\necho hi\n"));
        assert!(looks_binary(b"\x7fELF\x02\x01"));
        assert!(looks_binary(b"#!/no/such\n\0"));
        assert!(!looks_binary(b"echo hi\n\0"));
        assert!(!looks_binary(b""));
        let mut long = vec![b'a'; 100];
        long.push(0);
        assert!(!looks_binary(&long), "past the sample");
    }
}
