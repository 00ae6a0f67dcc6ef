//! Reading keys from the terminal while also watching one more descriptor
//! (the shell's SIGCHLD pipe), so that a job ending at an idle prompt is
//! collected at once and no key is lost to it.
//!
//! One `poll` waits on both. When the other descriptor is readable its
//! action runs and the wait goes on; when the terminal is readable one
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
    /// Nothing within the time allowed.
    Late,
    /// The terminal is gone (hung up, or end of file).
    Closed,
}

#[derive(Default)]
pub struct KeyReader {
    /// Bytes read and not yet part of a key decoded, oldest first.
    pending: Vec<u8>,
}

fn stdin() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 stays open for the life of the shell; it is only
    // read and polled here, never closed.
    unsafe { BorrowedFd::borrow_raw(0) }
}

impl KeyReader {
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

    /// Waits for one byte of the terminal, at most `wait` (no limit when
    /// `None`), running the wake action whenever its descriptor is
    /// readable.
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
            let mut fds = vec![PollFd::new(stdin(), PollFlags::POLLIN)];
            if let Some(fd) = other {
                fds.push(PollFd::new(fd, PollFlags::POLLIN));
            }
            match poll(&mut fds, timeout) {
                Ok(0) => return Ok(Byte::Late),
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
            let terminal_ready = ready(&fds[0]);
            let other_ready = fds.get(1).is_some_and(ready);
            drop(fds);
            if other_ready {
                if let Some(wake) = wake.as_mut() {
                    wake.on_ready();
                }
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
