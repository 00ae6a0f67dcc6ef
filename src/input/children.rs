//! Children collected while the prompt waits for a key, so that a
//! background job that ends at an idle prompt is no zombie until Enter.

use minishell_builtins::wait_status::WaitBits;
use nix::fcntl::OFlag;

use super::line_editor::Watch;
use crate::exec::fds::PrivateFd;

/// While the prompt waits for a key, a child that ends or stops is
/// collected at once, as bash does, not left a zombie until Enter: SIGCHLD
/// writes a byte to a pipe (signal-hook's handler, which does only that),
/// the line editor watches the pipe beside the terminal and, when it is
/// readable, runs [`collect`] on the shell's own thread. The statuses wait
/// here for the job table ([`super::LineSource::collected`]), which files them
/// before the next command runs or prompt shows.
pub struct ChildWatch {
    /// The pipe's ends, listed as the shell's private descriptors so that a
    /// forked copy of the shell (a subshell) closes them. The handler owns
    /// the write end and closes it when unregistered: it is only listed.
    read_end: PrivateFd,
    write_end: Option<PrivateFd>,
    handler: signal_hook::SigId,
    statuses: Vec<(i32, WaitBits)>,
}

impl ChildWatch {
    /// Sets up the pipe and the handler.
    pub fn install() -> Option<ChildWatch> {
        // Close-on-exec: no command inherits them. Non-blocking: a full
        // pipe drops the byte (one unread byte already says enough), and
        // draining stops when it is empty.
        let flags = OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
        let (read_end, write_end) = nix::unistd::pipe2(flags).ok()?;
        let (read_end, write_end) = (PrivateFd::new(read_end), PrivateFd::new(write_end));
        let handler =
            signal_hook::low_level::pipe::register_raw(libc::SIGCHLD, write_end.raw()).ok()?;
        Some(ChildWatch {
            read_end,
            write_end: Some(write_end),
            handler,
            statuses: Vec::new(),
        })
    }

    /// The statuses collected since the last call, oldest first.
    pub fn take(&mut self) -> Vec<(i32, WaitBits)> {
        std::mem::take(&mut self.statuses)
    }
}

/// The line editor watches the pipe while it waits for a key, and
/// collects when it is readable.
impl Watch for ChildWatch {
    fn fd(&self) -> std::os::fd::RawFd {
        self.read_end.raw()
    }

    fn on_ready(&mut self) {
        collect(self.read_end.raw(), &mut self.statuses);
    }
}

impl Drop for ChildWatch {
    fn drop(&mut self) {
        if let Some(write_end) = self.write_end.take() {
            write_end.release();
        }
        // Closes the write end.
        signal_hook::low_level::unregister(self.handler);
    }
}

/// Empties the SIGCHLD pipe first, then collects every child that changed
/// (the order signal-hook asks for: a signal arriving meanwhile leaves a
/// new byte, so none is missed). At the prompt no command is running, so
/// every child is a job's, and `waitpid(-1)` is what the shell's own reap
/// before the prompt does.
fn collect(pipe: std::os::fd::RawFd, statuses: &mut Vec<(i32, WaitBits)>) {
    let mut bytes = [0u8; 64];
    // SAFETY: `pipe` is the read end owned by the `ChildWatch`, which
    // outlives the editor's use of it; reading into a local buffer.
    while unsafe { libc::read(pipe, bytes.as_mut_ptr().cast(), bytes.len()) } > 0 {}
    let flags = libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED;
    loop {
        match crate::sys::waitpid(-1, flags) {
            Ok(Some(status)) => statuses.push(status),
            Ok(None) | Err(_) => return,
        }
    }
}
