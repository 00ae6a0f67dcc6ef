//! What a demo gets from the lab binary: its arguments and its two output
//! streams, and nothing of the shell. Output is written as it happens,
//! a line at a time.

use std::ffi::OsString;
use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::{Arc, Mutex, PoisonError};

pub use minishell_builtins::Status;

/// A demo's whole interface to the world.
pub struct Io {
    /// The command line, `args[0]` being the demo's name as typed.
    pub args: Vec<OsString>,
    pub out: Stream,
    pub err: Stream,
}

impl Io {
    /// The process's own standard output and error, as the lab binary
    /// gives them to the demo it runs.
    pub fn process(args: Vec<OsString>) -> Io {
        Io {
            args,
            out: Stream::fd(1),
            err: Stream::fd(2),
        }
    }

    /// Streams that keep what is written, for unit tests.
    pub fn memory(args: &[&str]) -> Io {
        Io {
            args: args.iter().map(OsString::from).collect(),
            out: Stream::memory(),
            err: Stream::memory(),
        }
    }

    /// The demo's name, for messages.
    pub fn name(&self) -> String {
        self.args
            .first()
            .map_or_else(|| "lab".to_owned(), |a| a.to_string_lossy().into_owned())
    }

    pub fn stdout(&mut self) -> &mut Stream {
        &mut self.out
    }

    pub fn stderr(&mut self) -> &mut Stream {
        &mut self.err
    }

    /// Prints `minishell: NAME: message` on standard error and returns
    /// `status`, so error paths read `return io.fail(e, 1)`.
    pub fn fail(&mut self, message: impl Display, status: Status) -> Status {
        let line = format!("minishell: {}: {message}\n", self.name());
        self.err.text(&line);
        status
    }
}

/// An output stream without a buffer: each `text` is one `write(2)` (or as
/// few as the kernel needs), made at once. So a line shows when its event
/// happens, lines written by threads never interleave within a line, and
/// no unwritten output sits in memory for `fork` to copy into a child,
/// which would then print it a second time.
#[derive(Clone)]
pub struct Stream {
    target: Target,
}

#[derive(Clone)]
enum Target {
    Fd(RawFd),
    Memory(Arc<Mutex<Vec<u8>>>),
}

impl Stream {
    fn fd(fd: RawFd) -> Stream {
        Stream {
            target: Target::Fd(fd),
        }
    }

    fn memory() -> Stream {
        Stream {
            target: Target::Memory(Arc::default()),
        }
    }

    /// Writes `text` now; errors (a closed pipe) are dropped, as a demo
    /// has nowhere else to report them.
    pub fn text(&self, text: &str) {
        let _ = self.put(text.as_bytes());
    }

    /// Writes `line` and a newline, in one write.
    pub fn line(&self, line: impl Display) {
        self.text(&format!("{line}\n"));
    }

    /// Whether this stream is a terminal (progress lines and `--pause`
    /// only make sense on one).
    pub fn is_terminal(&self) -> bool {
        match self.target {
            // SAFETY: fd 1 and 2 stay open for the life of the process.
            Target::Fd(fd) => unsafe { BorrowedFd::borrow_raw(fd) }.is_terminal(),
            Target::Memory(_) => false,
        }
    }

    /// What was written, for a memory stream (empty for a descriptor).
    pub fn written(&self) -> String {
        match &self.target {
            Target::Fd(_) => String::new(),
            Target::Memory(bytes) => {
                String::from_utf8_lossy(&bytes.lock().unwrap_or_else(PoisonError::into_inner))
                    .into_owned()
            }
        }
    }

    fn put(&self, mut bytes: &[u8]) -> io::Result<()> {
        match &self.target {
            Target::Fd(fd) => {
                // SAFETY: as above, the descriptor outlives the call.
                let fd = unsafe { BorrowedFd::borrow_raw(*fd) };
                while !bytes.is_empty() {
                    match nix::unistd::write(fd, bytes) {
                        Ok(n) => bytes = &bytes[n..],
                        Err(nix::errno::Errno::EINTR) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(())
            }
            Target::Memory(kept) => {
                kept.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(bytes);
                Ok(())
            }
        }
    }
}

impl Write for Stream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.put(bytes).map(|()| bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
