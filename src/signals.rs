//! The shell's own signal handling. Handlers only set flags (signal-hook's
//! for SIGCHLD and SIGHUP, no thread: a fork copies only the calling
//! thread); the main loop clears a flag first, then acts, so no signal is
//! lost between the two.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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
        handlers_changed();
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
        set_disposition(signal, libc::SIG_DFL);
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
        set_disposition(signal, libc::SIG_IGN);
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
            handlers_changed();
            libc::sigaction(libc::SIGINT, &action, &mut previous);
            InterruptibleWait { previous }
        }
    }
}

impl Drop for InterruptibleWait {
    fn drop(&mut self) {
        // SAFETY: puts back the disposition saved in `begin`.
        unsafe { libc::sigaction(libc::SIGINT, &self.previous, std::ptr::null_mut()) };
        handlers_changed();
        INTERRUPTED.store(false, Ordering::Release);
    }
}

/// The signals a child must find ignored: those `trap '' SIG` ignores,
/// and SIGINT and SIGQUIT when the shell started with them ignored. One
/// bit per signal number; read by a child between `fork` and `execve`,
/// where an atomic load is all it may do.
static KEEP_IGNORED: AtomicU64 = AtomicU64::new(0);

/// Notes that children must keep `signal` ignored (or no longer must).
pub fn keep_ignored(signal: libc::c_int, ignored: bool) {
    if !(0..64).contains(&signal) {
        return;
    }
    let bit = 1u64 << signal;
    if ignored {
        KEEP_IGNORED.fetch_or(bit, Ordering::AcqRel);
    } else {
        KEEP_IGNORED.fetch_and(!bit, Ordering::AcqRel);
    }
}

/// Whether children must keep `signal` ignored. Async-signal-safe.
pub fn kept_ignored(signal: libc::c_int) -> bool {
    (0..64).contains(&signal) && KEEP_IGNORED.load(Ordering::Acquire) & (1u64 << signal) != 0
}

/// Whether a shell without a terminal (a script, `-c`, commands on
/// standard input) has its SIGINT handler: installed once, at start.
static SCRIPT_HANDLER: AtomicBool = AtomicBool::new(false);
/// Set while such a shell waits for a foreground job.
static WAITING: AtomicBool = AtomicBool::new(false);
/// Set when SIGINT came during that wait.
static INTERRUPTED_WAIT: AtomicBool = AtomicBool::new(false);

extern "C" fn on_script_interrupt(_signal: libc::c_int) {
    if WAITING.load(Ordering::Acquire) {
        INTERRUPTED_WAIT.store(true, Ordering::Release);
    } else {
        // SAFETY: signal and raise are async-signal-safe. SIGINT is
        // blocked while this handler runs, so it is delivered, with its
        // default action now, as the handler returns.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::raise(libc::SIGINT);
        }
    }
}

/// A shell without a terminal treats the keyboard's signals as bash does:
/// SIGQUIT is ignored, always; SIGINT ends the shell at once, except while
/// it waits for a foreground command. The Ctrl-C was meant for that
/// command too (the whole process group gets it): the shell waits for it,
/// and ends only if the command died of it ([`ForegroundWait::end`]). A
/// command that catches SIGINT (an editor, a `trap` in a script) keeps
/// its shell running. A SIGINT ignored on entry stays ignored (POSIX: a
/// non-interactive shell cannot take it back).
pub fn handle_script_interrupts() {
    // SAFETY: both sigaction structures live on this frame; the handler
    // only touches atomics and calls async-signal-safe functions.
    unsafe {
        handlers_changed();
        if libc::signal(libc::SIGQUIT, libc::SIG_IGN) == libc::SIG_IGN {
            keep_ignored(libc::SIGQUIT, true);
        }
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current);
        if current.sa_sigaction == libc::SIG_IGN {
            keep_ignored(libc::SIGINT, true);
            return;
        }
        SCRIPT_HANDLER.store(true, Ordering::Release);
        restore_script_interrupt();
    }
}

/// Puts the handler of [`handle_script_interrupts`] back (after a `trap`
/// on SIGINT is removed); whether there was one to put back.
pub fn restore_script_interrupt() -> bool {
    if !SCRIPT_HANDLER.load(Ordering::Acquire) {
        return false;
    }
    // SAFETY: the sigaction structure lives on this frame; SA_RESTART
    // makes waitpid go on waiting after the handler ran.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_script_interrupt as *const () as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        handlers_changed();
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
    true
}

/// Whether SIGINT has the handler of [`handle_script_interrupts`] now.
pub fn script_interrupt_installed() -> bool {
    // SAFETY: the sigaction structure lives on this frame; it is only read.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current);
        current.sa_sigaction == on_script_interrupt as *const () as usize
    }
}

/// A wait for a foreground job during which SIGINT is noted, not obeyed.
pub struct ForegroundWait(());

impl ForegroundWait {
    pub fn begin() -> ForegroundWait {
        INTERRUPTED_WAIT.store(false, Ordering::Release);
        WAITING.store(true, Ordering::Release);
        ForegroundWait(())
    }

    /// Ends the wait: whether SIGINT came during it.
    pub fn end(self) -> bool {
        WAITING.store(false, Ordering::Release);
        INTERRUPTED_WAIT.swap(false, Ordering::AcqRel)
    }
}

impl Drop for ForegroundWait {
    fn drop(&mut self) {
        WAITING.store(false, Ordering::Release);
    }
}

/// Ends the process by `signal`, as its default action would, so the
/// shell's parent sees it killed by it (WIFSIGNALED), as bash's does.
pub fn die_of(signal: libc::c_int) -> ! {
    // SAFETY: restoring the default action, unblocking and raising the
    // signal have no preconditions; _exit is the fallback if it is caught
    // nonetheless.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
        libc::_exit(128 + signal)
    }
}

/// Counts the shell's changes of its signal dispositions, so that
/// [`dispositions`] knows when its last answer went stale. Every change
/// goes through [`set_disposition`], or calls [`handlers_changed`] first
/// (a signal-hook registration, a `sigaction` with a handler).
static HANDLERS_CHANGED: AtomicU64 = AtomicU64::new(1);
/// The value of [`HANDLERS_CHANGED`] that the two sets below were read at.
static READ_AT: AtomicU64 = AtomicU64::new(0);
/// Bit `n - 1` set: signal `n` runs a handler of the shell's.
static CAUGHT: AtomicU64 = AtomicU64::new(0);
/// Bit `n - 1` set: signal `n` is ignored.
static IGNORED: AtomicU64 = AtomicU64::new(0);

/// Says that a disposition is about to change.
pub fn handlers_changed() {
    HANDLERS_CHANGED.fetch_add(1, Ordering::AcqRel);
}

/// Sets `signal` to its default action or to ignored, as `signal(2)` does
/// (returning the disposition it had), and marks [`dispositions`] stale.
pub fn set_disposition(signal: libc::c_int, disposition: libc::sighandler_t) -> libc::sighandler_t {
    handlers_changed();
    // SAFETY: a default or ignored disposition has no preconditions.
    unsafe { libc::signal(signal, disposition) }
}

/// The shell's signal dispositions, one bit per signal (bit `n - 1` for
/// signal `n`): those that run a handler of the shell's and those ignored.
#[derive(Debug, Clone, Copy)]
pub struct Dispositions {
    pub caught: u64,
    pub ignored: u64,
}

impl Dispositions {
    /// Nothing known: a child then resets every signal a shell may change.
    pub const UNKNOWN: Dispositions = Dispositions {
        caught: 0,
        ignored: !0,
    };
}

/// The dispositions now. A child that shares the shell's memory puts the
/// caught ones back to default before it unblocks signals, and a child
/// resets only the ignored ones it must. Asking the kernel about all 64
/// signals in each such child was a sigaction call per signal per
/// command (69 of the child's 102 system calls for `/bin/true`); the
/// answer only changes when the shell changes a disposition, so it is
/// asked again only then.
pub fn dispositions() -> Dispositions {
    let now = HANDLERS_CHANGED.load(Ordering::Acquire);
    if READ_AT.load(Ordering::Acquire) == now {
        return Dispositions {
            caught: CAUGHT.load(Ordering::Acquire),
            ignored: IGNORED.load(Ordering::Acquire),
        };
    }
    let mut found = Dispositions {
        caught: 0,
        ignored: 0,
    };
    for signal in 1..=libc::SIGRTMAX().min(64) {
        // SAFETY: the structure lives on this frame; it is only read.
        let handler = unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            match libc::sigaction(signal, std::ptr::null(), &mut current) {
                0 => current.sa_sigaction,
                _ => libc::SIG_DFL,
            }
        };
        let bit = 1u64 << (signal - 1);
        match handler {
            libc::SIG_DFL => {}
            libc::SIG_IGN => found.ignored |= bit,
            _ => found.caught |= bit,
        }
    }
    CAUGHT.store(found.caught, Ordering::Release);
    IGNORED.store(found.ignored, Ordering::Release);
    READ_AT.store(now, Ordering::Release);
    found
}
