//! The shell's process-control calls, in one place: fork and clone, execve,
//! pipe2, dup2, close, waitpid, setpgid, tcsetpgrp, kill and chdir. Each is
//! a thin wrapper that makes the call and, in explain mode, says what it
//! just did with its real arguments and result. The narration is never
//! reconstructed afterwards: what it says is what was called.
//!
//! Two halves. The parent's wrappers (the top of this file) may allocate to
//! format their line. The child's (in [`child`]) run between `fork` and
//! `execve`, where nothing may allocate: they take a line formatted before
//! the fork and only copy it out with one `write(2)`.

use std::os::fd::{OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use minishell_builtins::narrate::{self, say};
use minishell_builtins::syscall_text::{self as text, failure};
use minishell_builtins::wait_status::{WaitBits, signal_name};
use nix::errno::Errno;
use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid};

/// A note after a narrated call, saying why the shell made it; empty for
/// none.
fn with_why(call: String, why: &str) -> String {
    if why.is_empty() {
        call
    } else {
        format!("{call}    # {why}")
    }
}

/// `pipe2(O_CLOEXEC)`: a pipe whose two ends no program inherits unless a
/// child moves one onto 0 or 1.
pub fn pipe2(why: &str) -> nix::Result<(OwnedFd, OwnedFd)> {
    let result = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC);
    if narrate::on() {
        use std::os::fd::AsRawFd;
        let call = match &result {
            Ok((r, w)) => format!(
                "pipe2([{}, {}], O_CLOEXEC) = 0",
                r.as_raw_fd(),
                w.as_raw_fd()
            ),
            Err(e) => format!("pipe2(O_CLOEXEC) = {}", failure(*e)),
        };
        say(&with_why(call, why));
    }
    result
}

/// `fork()`: a copy of the shell. Returns in both processes.
///
/// # Safety
/// As `nix::unistd::fork`: the child may only call async-signal-safe
/// functions until it execs, unless the process has a single thread (the
/// shell's case, which lets a copy of the shell run shell code).
pub unsafe fn fork(why: &str) -> nix::Result<ForkResult> {
    // SAFETY: the caller keeps fork's contract.
    let result = unsafe { nix::unistd::fork() };
    match result {
        Ok(ForkResult::Parent { child }) => {
            if narrate::on() {
                say(&with_why(format!("fork() = {child}"), why));
            }
        }
        Ok(ForkResult::Child) => {}
        Err(e) => {
            if narrate::on() {
                say(&format!("fork() = {}", failure(e)));
            }
        }
    }
    result
}

/// `clone(CLONE_VM|CLONE_VFORK|SIGCHLD)`: a child that shares the shell's
/// memory and runs `entry(arg)` on `stack`, while the shell sleeps until
/// the child calls `execve` or `_exit`. No page table is copied, which is
/// why it costs a fraction of `fork` for a large shell.
///
/// # Safety
/// `entry` must never return into the shell's code and may only call
/// async-signal-safe functions, touching only memory the shell does not
/// use until the child is gone; `stack` must be valid and its end 16-byte
/// aligned; every signal must be blocked (a handler run in the child would
/// write the shell's memory).
pub unsafe fn clone_vfork(
    entry: extern "C" fn(*mut libc::c_void) -> libc::c_int,
    stack_top: *mut libc::c_void,
    arg: *mut libc::c_void,
) -> nix::Result<Pid> {
    let flags = libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD;
    // SAFETY: the caller keeps the contract above.
    let pid = unsafe { libc::clone(entry, stack_top, flags, arg) };
    let result = Errno::result(pid).map(Pid::from_raw);
    if narrate::on() {
        let shown = match result {
            Ok(pid) => pid.to_string(),
            Err(e) => failure(e),
        };
        say(&format!(
            "clone({}) = {shown}    # the shell slept until the child called execve",
            text::clone_flags(flags as u64)
        ));
    }
    result
}

/// `setpgid(pid, pgid)`, from the parent's side.
pub fn setpgid(pid: Pid, pgid: Pid) -> nix::Result<()> {
    let result = nix::unistd::setpgid(pid, pgid);
    if narrate::on() {
        say(&format!("setpgid({pid}, {pgid}) = {}", shown(result)));
    }
    result
}

/// `tcsetpgrp(fd, pgid)`: the terminal's keys (Ctrl-C, Ctrl-Z) now signal
/// group `pgid`.
pub fn tcsetpgrp(fd: std::os::fd::BorrowedFd<'_>, pgid: Pid) -> nix::Result<()> {
    use std::os::fd::AsRawFd;
    let raw = fd.as_raw_fd();
    let result = nix::unistd::tcsetpgrp(fd, pgid);
    if narrate::on() {
        say(&format!(
            "tcsetpgrp({raw}, {pgid}) = {}    # the terminal's keys now signal group {pgid}",
            shown(result)
        ));
    }
    result
}

/// `kill(pid, signal)`: a negative `pid` names a process group; no
/// signal only checks that one could be sent.
pub fn kill(pid: i32, signal: Option<Signal>) -> nix::Result<()> {
    let result = nix::sys::signal::kill(Pid::from_raw(pid), signal);
    if narrate::on() {
        let name = signal.map_or_else(|| "0".to_owned(), |s| signal_name(s as i32));
        say(&format!("kill({pid}, {name}) = {}", shown(result)));
    }
    result
}

/// `waitpid(pid, flags)` with the status bits decoded: what the kernel
/// said, then the course mini-shell's own line for a child that exited.
/// `None` when `WNOHANG` found nothing to report.
pub fn waitpid(pid: i32, flags: i32) -> nix::Result<Option<(i32, WaitBits)>> {
    let mut raw = 0;
    // SAFETY: `raw` outlives the call.
    let got = unsafe { libc::waitpid(pid, &mut raw, flags) };
    let result = Errno::result(got);
    if narrate::on() {
        let call = format!("waitpid({pid}, {})", text::wait_flags(flags));
        match result {
            Ok(0) => say(&format!("{call} = 0    # no child has changed state")),
            Ok(child) => {
                say(&format!("{call} = {child}, {}", WaitBits::explain(raw)));
                if let Some(line) = WaitBits::decode(raw).arena_line(child) {
                    say(&line);
                }
            }
            Err(e) => say(&format!("{call} = {}", failure(e))),
        }
    }
    match result? {
        0 => Ok(None),
        child => Ok(Some((child, WaitBits::decode(raw)))),
    }
}

/// `dup2(from, to)` in the shell itself (`exec 3>file` makes it for good).
pub fn dup2(from: RawFd, to: RawFd) -> nix::Result<()> {
    // SAFETY: dup2 on descriptor numbers.
    let result = Errno::result(unsafe { libc::dup2(from, to) });
    if narrate::on() {
        let shown = match result {
            Ok(fd) => fd.to_string(),
            Err(e) => failure(e),
        };
        say(&format!("dup2({from}, {to}) = {shown}"));
    }
    result.map(drop)
}

/// `close(fd)` in the shell itself.
pub fn close(fd: RawFd) {
    // SAFETY: close on a descriptor number the caller gives up.
    let result = Errno::result(unsafe { libc::close(fd) });
    if narrate::on() {
        say(&format!("close({fd}) = {}", shown(result.map(drop))));
    }
}

/// `open(path, flags, mode)`: a redirection's file, opened by the shell
/// before the fork (so an error is the shell's, and costs no process).
pub fn open(
    path: &std::ffi::OsStr,
    flags: nix::fcntl::OFlag,
    mode: nix::sys::stat::Mode,
) -> nix::Result<OwnedFd> {
    let result = nix::fcntl::open(path, flags, mode);
    if narrate::on() {
        use std::os::fd::AsRawFd;
        let shown = match &result {
            Ok(fd) => fd.as_raw_fd().to_string(),
            Err(e) => failure(*e),
        };
        say(&format!(
            "open({}, {}, 0{:o}) = {shown}",
            text::quoted(path.as_bytes()),
            text::open_flags(flags.bits()),
            mode.bits()
        ));
    }
    result
}

/// `fcntl(fd, F_DUPFD_CLOEXEC, lowest)`: a close-on-exec copy of `fd`,
/// numbered `lowest` or above.
pub fn dup_above(fd: RawFd, lowest: RawFd, why: &str) -> nix::Result<RawFd> {
    // SAFETY: fcntl on descriptor numbers; the caller owns the copy.
    let result = Errno::result(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, lowest) });
    if narrate::on() {
        let shown = match result {
            Ok(copy) => copy.to_string(),
            Err(e) => failure(e),
        };
        say(&with_why(
            format!("fcntl({fd}, F_DUPFD_CLOEXEC, {lowest}) = {shown}"),
            why,
        ));
    }
    result
}

/// Closes a descriptor the shell owns.
pub fn close_owned(fd: OwnedFd) {
    use std::os::fd::IntoRawFd;
    close(fd.into_raw_fd());
}

/// `chdir(path)`: only the shell's own process can change the shell's
/// directory, which is why `cd` is a builtin.
pub fn chdir(path: &Path) -> std::io::Result<()> {
    let result = std::env::set_current_dir(path);
    if narrate::on() {
        let shown = match &result {
            Ok(()) => "0".to_owned(),
            Err(e) => failure(Errno::from_raw(e.raw_os_error().unwrap_or(0))),
        };
        say(&format!(
            "chdir({}) = {shown}    # in the shell itself: a child's directory would die with it",
            text::quoted(path.as_os_str().as_bytes())
        ));
    }
    result
}

/// `0`, or the error as strace shows it.
fn shown(result: nix::Result<()>) -> String {
    match result {
        Ok(()) => "0".to_owned(),
        Err(e) => failure(e),
    }
}

/// The child's calls between `fork` and `execve`: async-signal-safe, each
/// narrated with a line formatted before the fork.
pub mod child {
    use std::os::fd::RawFd;
    use std::os::raw::c_char;

    use minishell_builtins::narrate::{ChildLines, LineId};

    /// A prepared line for the call, if explaining.
    pub type Line<'a> = Option<(&'a ChildLines, LineId)>;

    fn tell(line: Line<'_>, result: isize, tail: &[u8]) {
        if let Some((lines, id)) = line {
            lines.say(id, result, tail);
        }
    }

    /// `dup2(from, to)`; false if it failed.
    pub fn dup2(from: RawFd, to: RawFd, line: Line<'_>) -> bool {
        // SAFETY: dup2 is async-signal-safe and takes only integers.
        let result = unsafe { libc::dup2(from, to) };
        tell(line, result as isize, b"");
        result >= 0
    }

    /// Clears close-on-exec: `dup2(fd, fd)` would do nothing.
    pub fn keep_open(fd: RawFd, line: Line<'_>) -> bool {
        // SAFETY: fcntl is async-signal-safe and takes only integers.
        let result = unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
        tell(line, result as isize, b"");
        result >= 0
    }

    /// `close(fd)`.
    pub fn close(fd: RawFd, line: Line<'_>) {
        // SAFETY: close is async-signal-safe.
        let result = unsafe { libc::close(fd) };
        tell(line, result as isize, b"");
    }

    /// `setpgid(0, leader)`: into the job's group (0: a new one it leads).
    pub fn setpgid(leader: i32, line: Line<'_>) {
        // SAFETY: setpgid is async-signal-safe.
        let result = unsafe { libc::setpgid(0, leader) };
        tell(line, result as isize, b"");
    }

    /// `tcsetpgrp(fd, getpgrp())`: this child's group takes the terminal.
    pub fn take_terminal(fd: RawFd, line: Line<'_>) {
        // SAFETY: tcsetpgrp and getpgrp are async-signal-safe.
        let result = unsafe { libc::tcsetpgrp(fd, libc::getpgrp()) };
        tell(line, result as isize, b"");
    }

    /// `execve`; returns only on failure, with errno, having said why.
    ///
    /// # Safety
    /// The pointers must be valid C strings and NULL-ended vectors.
    pub unsafe fn execve(
        path: *const c_char,
        argv: *const *const c_char,
        envp: *const *const c_char,
        line: Line<'_>,
        failed: Line<'_>,
    ) -> i32 {
        tell(line, 0, b"");
        // SAFETY: the caller vouches for the pointers.
        unsafe { libc::execve(path, argv, envp) };
        let errno = nix::errno::Errno::last_raw();
        tell(failed, -1, errno_words(errno));
        errno
    }

    /// An errno's name and words, for the line that says `execve` failed,
    /// without `strerror` (it may allocate).
    fn errno_words(errno: i32) -> &'static [u8] {
        match errno {
            libc::ENOENT => b" ENOENT (No such file or directory): exit status 127",
            libc::EACCES => b" EACCES (Permission denied): exit status 126",
            libc::ENOEXEC => b" ENOEXEC (Exec format error): no #! line, run it as a shell script",
            libc::E2BIG => b" E2BIG (Argument list too long): exit status 126",
            libc::ENOMEM => b" ENOMEM (Cannot allocate memory): exit status 126",
            libc::ETXTBSY => b" ETXTBSY (Text file busy): exit status 126",
            libc::ELOOP => b" ELOOP (Too many levels of symbolic links): exit status 126",
            libc::ENAMETOOLONG => b" ENAMETOOLONG (File name too long): exit status 126",
            libc::ENOTDIR => b" ENOTDIR (Not a directory): exit status 126",
            libc::EISDIR => b" EISDIR (Is a directory): exit status 126",
            _ => b" (cannot execute): exit status 126",
        }
    }
}
