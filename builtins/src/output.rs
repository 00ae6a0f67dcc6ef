//! The one path a builtin's standard output takes. Every builtin writes
//! through [`Context::stdout`], which is an [`Output`]: it keeps the first
//! error a write met, and once the builtin returns, [`crate::Builtin::invoke`]
//! reports it (`type: write error: No space left on device`) and makes
//! the status 1. No builtin reports its own write errors, so each is
//! reported once, in bash's words, whichever builtin wrote.
//!
//! [`Context::stdout`]: crate::Context::stdout

use std::io::{self, Write};

/// A writer that remembers its first error. After one, it writes nothing
/// more (`/dev/full` stays full; a closed pipe stays closed) and answers
/// every later write with an error of the same kind, so a builtin's loop
/// stops at once.
pub struct Output<W> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W) -> Output<W> {
        Output { inner, error: None }
    }

    /// The first error since the last call, if any; the writer starts
    /// afresh.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    fn failed(&self) -> Option<io::Error> {
        self.error
            .as_ref()
            .map(|e| io::Error::new(e.kind(), e.to_string()))
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(error) = self.failed() {
            return Err(error);
        }
        match self.inner.write(buf) {
            Ok(0) if !buf.is_empty() => {
                self.error = Some(io::ErrorKind::WriteZero.into());
                Err(io::ErrorKind::WriteZero.into())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                let again = io::Error::new(e.kind(), e.to_string());
                self.error = Some(e);
                Err(again)
            }
            ok => ok,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(error) = self.failed() {
            return Err(error);
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::Output;

    /// A sink that fails every write, as `/dev/full` does.
    struct Full(usize);

    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.0 += 1;
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn keeps_the_first_error_and_stops_writing() {
        let mut out = Output::new(Full(0));
        assert!(writeln!(out, "one").is_err());
        assert!(writeln!(out, "two").is_err());
        assert_eq!(out.inner.0, 1, "one write reached the sink");
        let error = out.take_error().unwrap();
        assert_eq!(error.raw_os_error(), Some(libc::ENOSPC));
        assert!(out.take_error().is_none());
    }
}
