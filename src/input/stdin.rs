//! Commands on a non-terminal standard input: the course mini-shell's
//! contract, with `> ` printed before each line.
//!
//! The shell shares its standard input with the commands it runs, so it
//! must never read past the line it is about to run: in
//! `printf 'head -n1\nhello\n' | minishell`, `hello` belongs to `head`. From
//! a pipe it reads one byte at a time, as bash does, since what a pipe gave
//! cannot be given back. From a regular file it reads in blocks and, before
//! each command, seeks back to just after the line it consumed.

use std::io;
use std::os::fd::BorrowedFd;

use nix::errno::Errno;
use nix::unistd::{Whence, lseek, read, write};

use super::LineSource;

pub struct StdinSource {
    /// Whether standard input can seek (a regular file).
    seekable: bool,
    /// Bytes read and not yet consumed, from `start` on.
    buffer: Vec<u8>,
    start: usize,
    lines: usize,
}

fn fd(n: i32) -> BorrowedFd<'static> {
    // SAFETY: descriptors 0 and 1 stay open for the life of the shell; they
    // are only read, written and seeked here, never closed. A closed one
    // makes the call fail, which is handled.
    unsafe { BorrowedFd::borrow_raw(n) }
}

impl StdinSource {
    pub fn new() -> StdinSource {
        StdinSource {
            seekable: lseek(fd(0), 0, Whence::SeekCur).is_ok(),
            buffer: Vec::new(),
            start: 0,
            lines: 0,
        }
    }

    /// Reads more input onto the end of the buffer: a block from a file,
    /// one byte from anything else. Returns how many bytes came (0 at the
    /// end of input or on a read error).
    fn fill(&mut self) -> usize {
        let want = if self.seekable { 8192 } else { 1 };
        let old_len = self.buffer.len();
        self.buffer.resize(old_len + want, 0);
        let n = loop {
            match read(fd(0), &mut self.buffer[old_len..]) {
                Err(Errno::EINTR) => continue,
                result => break result.unwrap_or(0),
            }
        };
        self.buffer.truncate(old_len + n);
        n
    }
}

impl LineSource for StdinSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool> {
        if !prompt.is_empty() {
            // Written straight to descriptor 1, so it appears at once and in
            // order with what the commands themselves write there.
            let _ = write(fd(1), prompt.as_bytes());
        }
        self.buffer.drain(..self.start);
        self.start = 0;
        let mut scanned = 0;
        let end = loop {
            if let Some(p) = crate::bytes::find(b'\n', &self.buffer[scanned..]) {
                break scanned + p + 1;
            }
            scanned = self.buffer.len();
            if self.fill() == 0 {
                // End of input: a last line without a newline still runs.
                if self.buffer.is_empty() {
                    return Ok(false);
                }
                break self.buffer.len();
            }
        };
        buf.extend_from_slice(&self.buffer[..end]);
        self.start = end;
        self.lines += 1;
        Ok(true)
    }

    fn before_run(&mut self) {
        let unread = self.buffer.len() - self.start;
        if self.seekable && unread > 0 {
            let _ = lseek(fd(0), -(unread as i64), Whence::SeekCur);
        }
        self.buffer.clear();
        self.start = 0;
    }
}
