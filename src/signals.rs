//! The shell's own signal handling. Handlers only set flags (signal-hook's
//! for SIGCHLD and SIGHUP, no thread: a fork copies only the calling
//! thread); the main loop clears a flag first, then acts, so no signal is
//! lost between the two.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag a signal sets.
pub struct SignalFlag {
    flag: Arc<AtomicBool>,
    id: signal_hook::SigId,
    signal: libc::c_int,
}

impl SignalFlag {
    /// Installs a handler for `signal` that only sets the flag.
    pub fn install(signal: libc::c_int) -> Option<SignalFlag> {
        let flag = Arc::new(AtomicBool::new(false));
        let id = signal_hook::flag::register(signal, Arc::clone(&flag)).ok()?;
        Some(SignalFlag { flag, id, signal })
    }

    /// Removes the handler (other handlers of the same signal stay).
    pub fn uninstall(self) {
        signal_hook::low_level::unregister(self.id);
    }

    /// Removes the handler and puts the signal back to its default action:
    /// a forked copy of the shell must not keep its parent's watch.
    pub fn uninstall_to_default(self) {
        let signal = self.signal;
        self.uninstall();
        // SAFETY: restoring a signal's default action has no preconditions.
        unsafe { libc::signal(signal, libc::SIG_DFL) };
    }

    /// Whether the signal arrived since the last call; clears the flag
    /// before the caller acts, so one that arrives meanwhile is seen next
    /// time.
    pub fn take(&self) -> bool {
        self.flag.swap(false, Ordering::AcqRel)
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

/// Set by Ctrl-C while the `wait` builtin blocks.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C interrupted the current blocking wait.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Acquire)
}

extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Release);
}

/// While it lives, Ctrl-C interrupts the `wait` builtin at a prompt (the
/// shell otherwise ignores SIGINT): the handler is installed without
/// SA_RESTART, so `waitpid` returns EINTR and [`interrupted`] says why.
pub struct InterruptibleWait {
    previous: libc::sigaction,
}

impl InterruptibleWait {
    pub fn begin() -> InterruptibleWait {
        INTERRUPTED.store(false, Ordering::Release);
        // SAFETY: both sigaction structures live on this stack frame; the
        // handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &action, &mut previous);
            InterruptibleWait { previous }
        }
    }
}

impl Drop for InterruptibleWait {
    fn drop(&mut self) {
        // SAFETY: puts back the disposition saved in `begin`.
        unsafe { libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut()) };
        INTERRUPTED.store(false, Ordering::Release);
    }
}
