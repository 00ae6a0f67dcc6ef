//! Where `read` gets its bytes. The shell shares its standard input with
//! the commands it runs, so `read` must not take a byte past the end of
//! its line: from a pipe or a terminal it reads one byte per call, and
//! from a regular file it reads a block and then seeks back to just after
//! what it used, so `while read l; do cat; done < file` lets `cat` start
//! right after the line. Timeouts, the terminal's modes for `-s` and `-n`,
//! and Ctrl-C at a prompt are handled here too.

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::termios::{self, LocalFlags, SetArg, SpecialCharacterIndices, Termios};

/// How much is read at once from a regular file: a first small block (a
/// line is short, and the buffer is zeroed and the rest given back at each
/// `read`), doubled at each refill up to the largest.
const FIRST_BLOCK: usize = 256;
const BLOCK: usize = 4096;

/// Why no byte came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The timeout passed.
    Timeout,
    /// Ctrl-C at a prompt.
    Interrupted,
    /// `read(2)` failed.
    System(Errno),
}

/// A descriptor number as nix's calls take it.
pub fn borrow(fd: i32) -> BorrowedFd<'static> {
    // SAFETY: the descriptor is the builtin's input, open while it runs;
    // if it is not, the calls on it fail with EBADF, which is reported.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// The bytes of one descriptor, read without going past what is used.
pub struct Input {
    fd: i32,
    /// A regular file: read in blocks, seek back at the end.
    seekable: bool,
    buffer: Vec<u8>,
    used: usize,
    deadline: Option<Instant>,
}

impl Input {
    pub fn new(fd: i32, timeout: Option<Duration>) -> Input {
        let regular = nix::sys::stat::fstat(borrow(fd))
            .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG);
        let seekable =
            regular && nix::unistd::lseek(borrow(fd), 0, nix::unistd::Whence::SeekCur).is_ok();
        Input {
            fd,
            seekable,
            buffer: Vec::new(),
            used: 0,
            // A deadline past what the clock can hold is no deadline.
            deadline: timeout.and_then(|t| Instant::now().checked_add(t)),
        }
    }

    /// The next byte; `None` at end of input.
    pub fn next(&mut self) -> Result<Option<u8>, Failure> {
        if self.used < self.buffer.len() {
            self.used += 1;
            return Ok(Some(self.buffer[self.used - 1]));
        }
        self.wait()?;
        let size = match self.seekable {
            true => (self.buffer.len() * 2).clamp(FIRST_BLOCK, BLOCK),
            false => 1,
        };
        self.buffer.resize(size, 0);
        self.used = 0;
        loop {
            match nix::unistd::read(borrow(self.fd), &mut self.buffer) {
                Ok(0) => {
                    self.buffer.clear();
                    return Ok(None);
                }
                Ok(n) => {
                    self.buffer.truncate(n);
                    self.used = 1;
                    return Ok(Some(self.buffer[0]));
                }
                Err(Errno::EINTR) if INTERRUPTED.load(Ordering::Acquire) => {
                    self.buffer.clear();
                    return Err(Failure::Interrupted);
                }
                Err(Errno::EINTR) => continue,
                Err(e) => {
                    self.buffer.clear();
                    return Err(Failure::System(e));
                }
            }
        }
    }

    /// Waits for input until the deadline, if there is one.
    fn wait(&self) -> Result<(), Failure> {
        let Some(deadline) = self.deadline else {
            return Ok(());
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let millis = left.as_millis().min(i32::MAX as u128) as i32;
            // Round up, so a wait never ends a hair before the deadline.
            let millis = if left.as_nanos() > 0 && millis == 0 {
                1
            } else {
                millis
            };
            match ready(self.fd, millis) {
                Ok(true) => return Ok(()),
                Ok(false) if Instant::now() >= deadline => return Err(Failure::Timeout),
                Ok(false) => continue,
                Err(Errno::EINTR) if INTERRUPTED.load(Ordering::Acquire) => {
                    return Err(Failure::Interrupted);
                }
                Err(Errno::EINTR) => continue,
                // Let read(2) report what is wrong with the descriptor.
                Err(_) => return Ok(()),
            }
        }
    }
}

impl Drop for Input {
    /// Gives back what was read ahead of the line.
    fn drop(&mut self) {
        let unused = self.buffer.len() - self.used;
        if self.seekable && unused > 0 {
            let back = -(unused as libc::off_t);
            let _ = nix::unistd::lseek(borrow(self.fd), back, nix::unistd::Whence::SeekCur);
        }
    }
}

/// Whether input is waiting on `fd` within `millis` (0: now, for
/// `read -t 0`).
pub fn ready(fd: i32, millis: i32) -> Result<bool, Errno> {
    let mut fds = [libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }];
    // SAFETY: one valid pollfd, for the duration of the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, millis) };
    if n < 0 {
        return Err(Errno::last());
    }
    Ok(n > 0)
}

/// The terminal's modes while `read` runs: echo off for `-s`, and
/// character at a time (not line at a time) for `-n`/`-N`. Restored when
/// dropped, however `read` ends.
pub struct TerminalModes {
    fd: i32,
    saved: Termios,
}

impl TerminalModes {
    /// Changes the terminal on `fd`; `None` when nothing needs changing or
    /// `fd` is not a terminal.
    pub fn set(fd: i32, silent: bool, by_character: bool) -> Option<TerminalModes> {
        if !silent && !by_character {
            return None;
        }
        let saved = termios::tcgetattr(borrow(fd)).ok()?;
        let mut changed = saved.clone();
        if silent {
            changed
                .local_flags
                .remove(LocalFlags::ECHO | LocalFlags::ECHOK | LocalFlags::ECHONL);
        }
        if by_character {
            changed.local_flags.remove(LocalFlags::ICANON);
            changed.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
            changed.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        }
        termios::tcsetattr(borrow(fd), SetArg::TCSADRAIN, &changed).ok()?;
        Some(TerminalModes { fd, saved })
    }
}

impl Drop for TerminalModes {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(borrow(self.fd), SetArg::TCSADRAIN, &self.saved);
    }
}

/// Set by the SIGINT handler while `read` waits at a prompt.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Release);
}

/// At a prompt the shell ignores Ctrl-C, so a `read` would never end on
/// one; bash's does (status 130). While this lives, SIGINT runs a handler
/// that only sets a flag, installed without `SA_RESTART` so the waiting
/// `read(2)` or `poll(2)` returns `EINTR`.
pub struct CtrlC {
    previous: libc::sigaction,
}

impl CtrlC {
    pub fn catch() -> CtrlC {
        INTERRUPTED.store(false, Ordering::Release);
        // SAFETY: both sigaction structures live on this stack frame; the
        // handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &action, &mut previous);
            CtrlC { previous }
        }
    }
}

impl Drop for CtrlC {
    fn drop(&mut self) {
        // SAFETY: puts back the disposition saved in `catch`.
        unsafe { libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut()) };
        INTERRUPTED.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_is_left_just_after_what_was_used() {
        let mut file = tempfile_in_tmp();
        file.0.write_all(b"line one\nline two\n").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&file.0);
        nix::unistd::lseek(borrow(fd), 0, nix::unistd::Whence::SeekSet).unwrap();
        {
            let mut input = Input::new(fd, None);
            let mut line = Vec::new();
            while let Ok(Some(b)) = input.next() {
                if b == b'\n' {
                    break;
                }
                line.push(b);
            }
            assert_eq!(line, b"line one");
        }
        let offset = nix::unistd::lseek(borrow(fd), 0, nix::unistd::Whence::SeekCur).unwrap();
        assert_eq!(offset, 9);
        let _ = std::fs::remove_file(&file.1);
    }

    #[test]
    fn a_pipe_is_read_a_byte_at_a_time() {
        let (reader, writer) = nix::unistd::pipe().unwrap();
        nix::unistd::write(&writer, b"ab\ncd").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&reader);
        let mut input = Input::new(fd, Some(Duration::from_millis(50)));
        assert_eq!(input.next(), Ok(Some(b'a')));
        assert_eq!(input.next(), Ok(Some(b'b')));
        assert_eq!(input.next(), Ok(Some(b'\n')));
        drop(input);
        let mut rest = [0u8; 8];
        assert_eq!(nix::unistd::read(&reader, &mut rest), Ok(2));
        let mut input = Input::new(fd, Some(Duration::from_millis(20)));
        assert_eq!(input.next(), Err(Failure::Timeout));
    }

    fn tempfile_in_tmp() -> (std::fs::File, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("read-input-{}", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        (file, path)
    }
}
