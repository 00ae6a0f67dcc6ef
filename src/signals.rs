//! The shell's own signal handling. The SIGCHLD handler only sets a flag
//! (signal-hook, no thread: a fork copies only the calling thread); the
//! main loop clears the flag first, then reaps every child that changed,
//! so no SIGCHLD is lost between the two.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by SIGCHLD: some child ended, stopped or continued.
pub struct ChildSignal(Arc<AtomicBool>);

impl ChildSignal {
    /// Installs the handler. Done on the first background job: until then
    /// every child is waited for as it runs, and a `-c true` pays nothing.
    pub fn install() -> Option<ChildSignal> {
        let flag = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(libc::SIGCHLD, Arc::clone(&flag)).ok()?;
        Some(ChildSignal(flag))
    }

    /// Whether SIGCHLD arrived since the last call; clears the flag before
    /// the caller reaps, so a signal that arrives during reaping is seen
    /// next time.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }
}

/// An interactive shell must survive the keys meant for its jobs: Ctrl-C
/// (SIGINT), Ctrl-\ (SIGQUIT), Ctrl-Z (SIGTSTP), and the signals a
/// background process group gets for touching the terminal (SIGTTIN,
/// SIGTTOU), which the shell does when it takes the terminal back.
/// Children put every one back to default before `execve`.
pub fn ignore_job_control_signals() {
    for signal in [
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
    ] {
        // SAFETY: setting a disposition to SIG_IGN has no preconditions.
        unsafe { libc::signal(signal, libc::SIG_IGN) };
    }
}
