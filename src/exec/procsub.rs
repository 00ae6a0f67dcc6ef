//! Process substitution: `<( list )` and `>( list )`. The list runs in a
//! forked copy of the shell beside the command, its standard output (or
//! input) on a pipe; the word becomes `/dev/fd/N`, the name of the shell's
//! end of that pipe, and the command opens it like any file.
//!
//! The shell's end is private and close-on-exec like every descriptor the
//! shell opens, but it must reach the command, so it is *passed*: every
//! child started while it is open gets it under its own number (see
//! `Redirections::pass`), and the command whose words made it (a simple
//! command, or a compound one such as `for f in <(a)`) closes it when it
//! ends. The list's process is not a job:
//! nobody waits for it, SIGCHLD reaps it, and `$!` names it, as in bash.

use std::os::fd::{FromRawFd, OwnedFd};

use super::fds::PrivateFd;
use super::spawn::{Group, Signals, Work, spawn};
use crate::ast::List;
use crate::shell::Shell;

/// Where bash numbers these descriptors from, so that they stay clear of
/// the low numbers scripts use themselves.
const FIRST_FD: i32 = 63;

impl Shell {
    /// Starts `body` joined to a pipe, and gives the path of the shell's end
    /// (`reads`: `<( )`, the command reads what the list writes).
    pub fn process_substitution(&mut self, body: &List, reads: bool) -> Vec<u8> {
        let (read_end, write_end) = match crate::sys::pipe2("for a process substitution") {
            Ok(ends) => ends,
            Err(errno) => {
                self.report_error(&format!("pipe: {}", errno.desc()));
                return Vec::new();
            }
        };
        let (kept, given, child_fd) = match reads {
            true => (read_end, write_end, 1),
            false => (write_end, read_end, 0),
        };
        // Numbered high, as bash numbers them; the pipe's own number will
        // do if that fails.
        let kept = PrivateFd::new(numbered_high(kept));
        self.fds.push();
        self.fds.give(PrivateFd::new(given), child_fd);
        crate::explain::copy("a process substitution: a copy of the shell runs the list on a pipe");
        let plan = self.fds.shell_child_actions();
        let mut run = || self.run_in_child(|shell| shell.run_list(body), true);
        let started = spawn(
            Work::Shell(&mut run),
            &plan.actions,
            Signals::Default,
            Group::Shell,
        );
        drop(plan);
        // The list's end closes here: the list sees the end of its input
        // (or the command the end of its output) when the other side is done.
        self.fds.pop();
        let Some(pid) = self.started(started) else {
            return Vec::new();
        };
        self.last_background = Some(pid.as_raw());
        let path = format!("/dev/fd/{}", kept.raw()).into_bytes();
        self.fds.pass(kept);
        path
    }
}

/// `fd` moved to the lowest free number from [`FIRST_FD`] up, as bash
/// numbers these; the pipe's own number if that fails. The old number is
/// closed before anything forks, or the list's copy would hold the pipe
/// open and its reader never see the end.
fn numbered_high(fd: OwnedFd) -> OwnedFd {
    use std::os::fd::AsRawFd;
    match crate::sys::dup_above(
        fd.as_raw_fd(),
        FIRST_FD,
        "numbered high, as bash numbers them",
    ) {
        Ok(high) => {
            crate::sys::close_owned(fd);
            // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that
            // nothing else owns.
            unsafe { OwnedFd::from_raw_fd(high) }
        }
        Err(_) => fd,
    }
}
