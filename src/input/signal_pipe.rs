//! A signal turned into a byte on a pipe, so that the line editor's
//! `poll` wakes for it: SIGCHLD (a job ended) and SIGWINCH (the window
//! changed size) while the prompt waits for a key.

use std::os::fd::RawFd;

use nix::fcntl::OFlag;

use super::line_editor::Watch;
use crate::exec::fds::PrivateFd;

/// The handler is signal-hook's, which only writes a byte to the pipe; the
/// shell's own thread sees the pipe readable, empties it, then acts.
pub struct SignalPipe {
    /// The pipe's ends, listed as the shell's private descriptors so that a
    /// forked copy of the shell (a subshell) closes them. The handler owns
    /// the write end and closes it when unregistered: it is only listed.
    read_end: PrivateFd,
    write_end: Option<PrivateFd>,
    handler: signal_hook::SigId,
}

impl SignalPipe {
    /// Sets up the pipe and the handler for `signal`.
    pub fn install(signal: libc::c_int) -> Option<SignalPipe> {
        // Close-on-exec: no command inherits them. Non-blocking: a full
        // pipe drops the byte (one unread byte already says enough), and
        // draining stops when it is empty.
        let flags = OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
        let (read_end, write_end) = nix::unistd::pipe2(flags).ok()?;
        let (read_end, write_end) = (PrivateFd::new(read_end), PrivateFd::new(write_end));
        crate::signals::handlers_changed();
        let handler = signal_hook::low_level::pipe::register_raw(signal, write_end.raw()).ok()?;
        Some(SignalPipe {
            read_end,
            write_end: Some(write_end),
            handler,
        })
    }

    pub fn fd(&self) -> RawFd {
        self.read_end.raw()
    }

    /// Empties the pipe. Done before acting on the signal (the order
    /// signal-hook asks for): a signal arriving meanwhile leaves a new
    /// byte, so none is missed.
    pub fn drain(&self) {
        let mut bytes = [0u8; 64];
        // SAFETY: the read end is owned by `self` and open while it lives;
        // reading into a local buffer. The pipe is non-blocking, so the
        // loop ends when it is empty.
        while unsafe { libc::read(self.fd(), bytes.as_mut_ptr().cast(), bytes.len()) } > 0 {}
    }
}

/// A pipe whose only action is to be emptied: the editor itself acts on
/// what woke it (SIGWINCH: it draws the line at the new width).
impl Watch for SignalPipe {
    fn fd(&self) -> RawFd {
        SignalPipe::fd(self)
    }

    fn on_ready(&mut self) {
        self.drain();
    }
}

impl Drop for SignalPipe {
    fn drop(&mut self) {
        if let Some(write_end) = self.write_end.take() {
            write_end.release();
        }
        // Closes the write end.
        signal_hook::low_level::unregister(self.handler);
    }
}
