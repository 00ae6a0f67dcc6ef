//! Children collected while the prompt waits for a key, so that a
//! background job that ends at an idle prompt is no zombie until Enter.

use minishell_builtins::wait_status::WaitBits;

use super::line_editor::Watch;
use super::signal_pipe::SignalPipe;

/// While the prompt waits for a key, a child that ends or stops is
/// collected at once, as bash does, not left a zombie until Enter: SIGCHLD
/// writes a byte to a pipe ([`SignalPipe`]), the line editor watches the
/// pipe beside the terminal and, when it is readable, runs [`collect`] on
/// the shell's own thread. The statuses wait here for the job table
/// ([`super::LineSource::collected`]), which files them before the next
/// command runs or prompt shows.
pub struct ChildWatch {
    pipe: SignalPipe,
    statuses: Vec<(i32, WaitBits)>,
}

impl ChildWatch {
    /// Sets up the pipe and the handler.
    pub fn install() -> Option<ChildWatch> {
        Some(ChildWatch {
            pipe: SignalPipe::install(libc::SIGCHLD)?,
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
        self.pipe.fd()
    }

    fn on_ready(&mut self) {
        collect(&self.pipe, &mut self.statuses);
    }
}

/// Empties the SIGCHLD pipe first, then collects every child that changed
/// (a signal arriving meanwhile leaves a new byte, so none is missed). At
/// the prompt no command is running, so every child is a job's, and
/// `waitpid(-1)` is what the shell's own reap before the prompt does.
fn collect(pipe: &SignalPipe, statuses: &mut Vec<(i32, WaitBits)>) {
    pipe.drain();
    let flags = libc::WNOHANG | libc::WUNTRACED | libc::WCONTINUED;
    loop {
        match crate::sys::waitpid(-1, flags) {
            Ok(Some(status)) => statuses.push(status),
            Ok(None) | Err(_) => return,
        }
    }
}
