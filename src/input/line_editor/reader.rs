//! Reading keys from the terminal while also watching the shell's SIGCHLD
//! pipe, so that a job ending at an idle prompt is collected at once and no
//! key is lost to it, and the SIGWINCH pipe, so that a resized window is
//! drawn to at once, not at the next key.
//!
//! One `poll` waits on them all. When the SIGCHLD pipe is readable its
//! action runs and the wait goes on; when the SIGWINCH pipe is, the reader
//! empties it and hands the editor [`Key::Resize`]; when the terminal is
//! readable one
//! byte is read and added to the bytes waiting to be decoded. A signal
//! interrupting `poll` or `read` (EINTR) is no error and no end: the call
//! is made again. Bytes are read one at a time, so input typed ahead of
//! the Enter that ends a line stays in the terminal for whatever reads
//! next (the command the line runs), and bytes read ahead while a key is
//! decoded wait in [`KeyReader::pending`] for the next key, never dropped.

use std::io;
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::keys::{Decoded, Key, decode};

/// How long the rest of a key may take to come after its first byte (an
/// escape sequence over a slow link): past that, ESC alone was pressed.
const REST_OF_KEY: Duration = Duration::from_millis(100);

/// Another descriptor to watch while waiting for a key, and what to do
/// when it is readable. What it does must leave the terminal alone.
pub trait Watch {
    fn fd(&self) -> RawFd;
    /// Called when the descriptor is readable; must empty it.
    fn on_ready(&mut self);
}

/// What waiting for a byte gave.
enum Byte {
    Read(u8),
    /// The window changed size.
    Resized,
    /// Nothing within the time allowed.
    Late,
    /// The terminal is gone (hung up, or end of file).
    Closed,
}

/// The end of a bracketed paste (`ESC [ 201 ~`); its start is a key.
const PASTE_END: &[u8] = b"\x1b[201~";

/// How long a paste may pause before its end marker: past that, the end
/// is taken as lost and the paste as what came, so that a terminal that
/// never sends the marker cannot hold the prompt (where Ctrl-C would be
/// pasted text).
const PASTE_PAUSE: Duration = Duration::from_secs(2);

#[derive(Default)]
pub struct KeyReader {
    /// Bytes read and not yet part of a key decoded, oldest first.
    pending: Vec<u8>,
    /// Readable once the window changed size (the SIGWINCH pipe); its
    /// `on_ready` empties it.
    resize: Option<Box<dyn Watch>>,
    /// The window changed size while a paste was read: told as the next
    /// key.
    resized: bool,
}

fn stdin() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 stays open for the life of the shell; it is only
    // read and polled here, never closed.
    unsafe { BorrowedFd::borrow_raw(0) }
}

impl KeyReader {
    /// Watches `resize` from now on: readable, it gives [`Key::Resize`].
    pub fn watch_resize(&mut self, resize: Box<dyn Watch>) {
        self.resize = Some(resize);
    }

    /// Whether a key can be had without waiting: bytes are pending, or
    /// the terminal has some. The editor draws only when none is, so a
    /// paste is drawn once, not once per key.
    pub fn key_ready(&self) -> bool {
        if !self.pending.is_empty() {
            return true;
        }
        let mut fds = [PollFd::new(stdin(), PollFlags::POLLIN)];
        matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
    }

    /// The next key; `None` once the terminal is closed.
    pub fn next_key(&mut self, wake: &mut Option<&mut dyn Watch>) -> io::Result<Option<Key>> {
        if std::mem::take(&mut self.resized) {
            return Ok(Some(Key::Resize));
        }
        loop {
            if !self.pending.is_empty() {
                if let Decoded::Key(key, used) = decode(&self.pending, false) {
                    self.pending.drain(..used);
                    return Ok(Some(key));
                }
            }
            let wait = match self.pending.is_empty() {
                true => None,
                false => Some(REST_OF_KEY),
            };
            match self.next_byte(wait, wake)? {
                Byte::Read(byte) => self.pending.push(byte),
                // What is pending stays for the key after it.
                Byte::Resized => return Ok(Some(Key::Resize)),
                Byte::Closed if self.pending.is_empty() => return Ok(None),
                // The rest of the key is not coming: decide with what is
                // here (a cut sequence is consumed, a cut character kept
                // as its bytes).
                Byte::Late | Byte::Closed => {
                    if let Decoded::Key(key, used) = decode(&self.pending, true) {
                        self.pending.drain(..used);
                        return Ok(Some(key));
                    }
                }
            }
        }
    }

    /// The text of a bracketed paste, read after its start key up to its
    /// end marker (left out), as raw bytes: what is in a paste is text,
    /// never a key.
    pub fn pasted(&mut self, wake: &mut Option<&mut dyn Watch>) -> io::Result<Vec<u8>> {
        let mut bytes = std::mem::take(&mut self.pending);
        if let Some(at) = find(&bytes, PASTE_END) {
            self.pending = bytes.split_off(at + PASTE_END.len());
            bytes.truncate(at);
            return Ok(bytes);
        }
        loop {
            match self.next_byte(Some(PASTE_PAUSE), wake)? {
                Byte::Read(byte) => bytes.push(byte),
                Byte::Resized => self.resized = true,
                Byte::Late | Byte::Closed => return Ok(bytes),
            }
            if bytes.ends_with(PASTE_END) {
                bytes.truncate(bytes.len() - PASTE_END.len());
                return Ok(bytes);
            }
        }
    }

    /// Waits for one byte of the terminal, at most `wait` (no limit when
    /// `None`), running the wake action whenever its descriptor is
    /// readable, and telling when the window changed size.
    fn next_byte(
        &mut self,
        wait: Option<Duration>,
        wake: &mut Option<&mut dyn Watch>,
    ) -> io::Result<Byte> {
        let timeout = match wait {
            Some(wait) => PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        loop {
            // SAFETY: the wake descriptor is owned by the caller (the
            // shell's child watch) and open for as long as `wake` lives.
            let other = wake
                .as_ref()
                .map(|w| unsafe { BorrowedFd::borrow_raw(w.fd()) });
            // SAFETY: the resize descriptor is owned by `self.resize`, open
            // while it lives.
            let resize = self
                .resize
                .as_ref()
                .map(|w| unsafe { BorrowedFd::borrow_raw(w.fd()) });
            let mut fds = vec![PollFd::new(stdin(), PollFlags::POLLIN)];
            let mut watch = |fd: Option<BorrowedFd<'static>>| {
                fd.map(|fd| {
                    fds.push(PollFd::new(fd, PollFlags::POLLIN));
                    fds.len() - 1
                })
            };
            let (other_at, resize_at) = (watch(other), watch(resize));
            match poll(&mut fds, timeout) {
                Ok(0) => return Ok(Byte::Late),
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
            let terminal_ready = ready(&fds[0]);
            let ready_at = |at: Option<usize>| at.is_some_and(|at| ready(&fds[at]));
            let (other_ready, resize_ready) = (ready_at(other_at), ready_at(resize_at));
            drop(fds);
            if other_ready {
                if let Some(wake) = wake.as_mut() {
                    wake.on_ready();
                }
            }
            if resize_ready {
                if let Some(resize) = self.resize.as_mut() {
                    resize.on_ready();
                }
                return Ok(Byte::Resized);
            }
            if !terminal_ready {
                continue;
            }
            let mut byte = [0u8; 1];
            match nix::unistd::read(stdin(), &mut byte) {
                Ok(0) => return Ok(Byte::Closed),
                Ok(_) => return Ok(Byte::Read(byte[0])),
                Err(Errno::EINTR | Errno::EAGAIN) => continue,
                // EIO: the terminal hung up under us.
                Err(Errno::EIO) => return Ok(Byte::Closed),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// Where `needle` first starts in `bytes`.
fn find(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_read_ahead_ends_at_its_marker() {
        let mut reader = KeyReader {
            pending: b"echo a\recho b\x1b[201~ls".to_vec(),
            ..KeyReader::default()
        };
        assert_eq!(reader.pasted(&mut None).unwrap(), b"echo a\recho b");
        // What came after the paste is keys again.
        assert_eq!(reader.pending, b"ls");
        assert_eq!(find(b"abc", b"x"), None);
    }
}
