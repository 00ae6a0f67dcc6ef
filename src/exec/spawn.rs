//! The one place minishell forks. Code after `fork()` runs in the child and,
//! on the way to `execve`, must be async-signal-safe: no allocation, no
//! locks, no `println!`, no `unwrap`. Argv, envp, paths and error text are
//! built before forking; the child only replays descriptor moves, resets
//! signals, calls `execve`, and on failure writes a message from a stack
//! buffer and `_exit`s.
//!
//! Why so strict? `fork` copies only the calling thread. A lock (the
//! allocator's, stdout's) held by another thread at that moment stays
//! locked forever in the child. minishell is single-threaded, but the rule
//! costs nothing to keep, and it is the rule every program that forks must
//! know. The one exception is [`Work::Shell`]: a builtin in a pipeline or a
//! background list runs the shell's own code in the child, as every shell
//! does; that is sound only because the shell has no other thread.

use std::ffi::{CStr, CString};
use std::os::fd::RawFd;
use std::os::raw::c_char;
use std::rc::Rc;

use nix::errno::Errno;
use nix::unistd::{ForkResult, Pid, fork};

use super::binary::file_looks_binary;
use crate::status::{NOT_EXECUTABLE, NOT_FOUND, Status};
use crate::vars::{Environment, null_terminated};

/// A descriptor move the child makes before running: what redirections and
/// pipes become once resolved in the parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdAction {
    /// `dup2(from, to)`; when `from == to`, clear close-on-exec instead,
    /// since `dup2` of a descriptor onto itself does nothing.
    Dup {
        from: RawFd,
        to: RawFd,
    },
    Close(RawFd),
}

/// Everything `execve` needs, ready before `fork`.
pub struct Program {
    /// The command name as typed, for error messages.
    name: Vec<u8>,
    /// What starts an error message (`minishell: `, `x.sh: line 3: `).
    prefix: Vec<u8>,
    /// What to say when the file does not exist (ENOENT).
    missing: Vec<u8>,
    path: CString,
    _argv: Vec<CString>,
    argv_pointers: Vec<*const c_char>,
    /// `minishell PATH ARGS…`: how a file without `#!` is run when `execve`
    /// refuses it (ENOEXEC), as a shell script, the way every shell does,
    /// unless its first line says it is a binary ([`file_looks_binary`]).
    script_pointers: Vec<*const c_char>,
    environment: Rc<Environment>,
}

/// The interpreter for files without `#!`: this very binary.
const SELF_EXE: &CStr = c"/proc/self/exe";

impl Program {
    /// `path` is the file to run; `argv[0]` is the name as typed.
    pub fn new(
        path: Vec<u8>,
        argv: Vec<Vec<u8>>,
        environment: Rc<Environment>,
        prefix: Vec<u8>,
        missing: Vec<u8>,
    ) -> Option<Program> {
        let name = argv.first()?.clone();
        let path = CString::new(path).ok()?;
        let argv: Vec<CString> = argv
            .into_iter()
            .map(CString::new)
            .collect::<Result<_, _>>()
            .ok()?;
        let argv_pointers = null_terminated(&argv);
        let mut script_pointers = vec![c"minishell".as_ptr(), path.as_ptr()];
        script_pointers.extend_from_slice(&argv_pointers[1..]);
        Some(Program {
            name,
            prefix,
            missing,
            path,
            _argv: argv,
            argv_pointers,
            script_pointers,
            environment,
        })
    }
}

/// What the child does once its descriptors are in place.
pub enum Work<'a> {
    /// Run a program with `execve`.
    Exec(&'a Program),
    /// Print a message prepared before `fork` and exit, as a command that
    /// cannot be found does (127).
    Fail { message: &'a [u8], status: Status },
    /// Run shell code and exit with its status: a builtin in a pipeline,
    /// or a background `a && b &`.
    Shell(&'a mut dyn FnMut() -> Status),
}

/// How the child's signals start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signals {
    /// Every signal at its default action, as a program expects.
    Default,
    /// SIGINT and SIGQUIT ignored: a background command of a shell without
    /// job control must not die of the Ctrl-C meant for the foreground.
    IgnoreInterrupts,
}

/// Which process group the child joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The shell's own: no job control (scripts, stdin mode).
    Shell,
    /// A job's group under job control: `leader` is the group's first
    /// process (0: this child leads a new group); a `foreground` job also
    /// gets the terminal.
    Job { leader: i32, foreground: bool },
}

/// Forks a child that joins `group`, applies `actions`, then does `work`.
/// Returns the child's PID in the parent.
pub fn spawn(
    work: Work<'_>,
    actions: &[FdAction],
    signals: Signals,
    group: Group,
) -> nix::Result<Pid> {
    // SAFETY: after fork the child calls only async-signal-safe functions
    // (see `child`) on data prepared before the fork, except for
    // `Work::Shell`, which is sound because minishell is single-threaded.
    match unsafe { fork() }? {
        ForkResult::Parent { child } => {
            // The parent sets the group too: whichever of the two runs
            // first, the group exists before the shell signals it or hands
            // it the terminal. (The child's own call may then fail; fine.)
            if let Group::Job { leader, .. } = group {
                let pgid = if leader == 0 {
                    child
                } else {
                    Pid::from_raw(leader)
                };
                let _ = nix::unistd::setpgid(child, pgid);
            }
            Ok(child)
        }
        ForkResult::Child => child(work, actions, signals, group),
    }
}

/// The child's side of [`spawn`]. Never returns.
fn child(work: Work<'_>, actions: &[FdAction], signals: Signals, group: Group) -> ! {
    if let Group::Job { leader, foreground } = group {
        // SAFETY: setpgid, getpgrp and tcsetpgrp are async-signal-safe. The
        // terminal is taken while SIGTTOU is still ignored (inherited from
        // the shell); reset_signals restores it just after.
        unsafe {
            libc::setpgid(0, leader);
            if foreground {
                libc::tcsetpgrp(crate::terminal::TTY, libc::getpgrp());
            }
        }
    }
    reset_signals(signals);
    if let Err(fd) = apply(actions) {
        let mut text = StackText::new();
        text.push(b"minishell: ");
        text.push_number(fd);
        text.push(b": Bad file descriptor\n");
        text.write_to(2);
        exit_now(1);
    }
    match work {
        Work::Exec(program) => exec(program),
        Work::Fail { message, status } => {
            write_all(2, message);
            exit_now(status)
        }
        Work::Shell(run) => {
            // A copy of the shell must never return into its parent's code:
            // whatever happens in it (a panic included) ends this process.
            let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
            exit_now(status.unwrap_or(NOT_FOUND - 3))
        }
    }
}

/// `exec cmd`: becomes the program in this very process, no fork. The
/// descriptor moves are made for real first, the signals reset, then
/// `execve`. Returns only if `execve` failed, with its errno.
pub fn exec_in_place(program: &Program, actions: &[FdAction]) -> i32 {
    if let Err(fd) = apply(actions) {
        let mut text = StackText::new();
        text.push(&program.prefix);
        text.push_number(fd);
        text.push(b": Bad file descriptor\n");
        text.write_to(2);
        return libc::EBADF;
    }
    reset_signals(Signals::Default);
    // SAFETY: every pointer was built before and points into `program`,
    // which outlives the call.
    unsafe {
        libc::execve(
            program.path.as_ptr(),
            program.argv_pointers.as_ptr(),
            program.environment.as_ptr(),
        );
        let errno = Errno::last_raw();
        if errno == libc::ENOEXEC && !file_looks_binary(&program.path) {
            libc::execve(
                SELF_EXE.as_ptr(),
                program.script_pointers.as_ptr(),
                program.environment.as_ptr(),
            );
        }
        errno
    }
}

/// Replays the descriptor moves in order; on failure, the descriptor that
/// could not be used.
fn apply(actions: &[FdAction]) -> Result<(), RawFd> {
    for action in actions {
        // SAFETY: dup2, fcntl and close are async-signal-safe and take only
        // integers.
        let failed = unsafe {
            match *action {
                FdAction::Dup { from, to } if from == to => libc::fcntl(from, libc::F_SETFD, 0) < 0,
                FdAction::Dup { from, to } => libc::dup2(from, to) < 0,
                FdAction::Close(fd) => {
                    libc::close(fd);
                    false
                }
            }
        };
        if failed {
            if let FdAction::Dup { from, .. } = action {
                return Err(*from);
            }
        }
    }
    Ok(())
}

/// Puts back what the shell changed: ignored signals stay ignored across
/// `execve` (Rust ignores SIGPIPE, so without this `yes | head` would
/// never end), and a blocked signal stays blocked.
fn reset_signals(signals: Signals) {
    const CHANGED_BY_SHELLS: [libc::c_int; 6] = [
        libc::SIGPIPE,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
    ];
    // SAFETY: signal and sigprocmask are async-signal-safe; the set lives on
    // this stack frame.
    unsafe {
        for signal in CHANGED_BY_SHELLS {
            libc::signal(signal, libc::SIG_DFL);
        }
        if signals == Signals::IgnoreInterrupts {
            libc::signal(libc::SIGINT, libc::SIG_IGN);
            libc::signal(libc::SIGQUIT, libc::SIG_IGN);
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    }
}

/// `execve`, and on failure the shell's message and status: 127 with the
/// course's `Execution failed for 'NAME'` when there is no such file, 126
/// when it exists but cannot run.
fn exec(program: &Program) -> ! {
    let envp = program.environment.as_ptr();
    // SAFETY: every pointer was built before fork and points into `program`,
    // which lives until this process execs or exits.
    let errno = unsafe {
        libc::execve(program.path.as_ptr(), program.argv_pointers.as_ptr(), envp);
        let errno = Errno::last_raw();
        if errno == libc::ENOEXEC && !file_looks_binary(&program.path) {
            libc::execve(SELF_EXE.as_ptr(), program.script_pointers.as_ptr(), envp);
        }
        errno
    };
    let mut text = StackText::new();
    if errno == libc::ENOENT {
        text.push(&program.missing);
    } else if errno == libc::ENOEXEC {
        // A program for another machine, or a file of data: bash's words.
        text.push(&program.prefix);
        text.push(&program.name);
        text.push(b": cannot execute binary file: Exec format error\n");
    } else {
        text.push(&program.prefix);
        text.push(&program.name);
        text.push(b": ");
        text.push(errno_text(errno).as_bytes());
        text.push(b"\n");
    }
    text.write_to(2);
    exit_now(if errno == libc::ENOENT {
        NOT_FOUND
    } else {
        NOT_EXECUTABLE
    })
}

/// `strerror` for the errors `execve` gives, without calling `strerror`
/// (it may allocate for unknown numbers).
fn errno_text(errno: i32) -> &'static str {
    match errno {
        libc::EACCES => "Permission denied",
        libc::E2BIG => "Argument list too long",
        libc::ENOMEM => "Cannot allocate memory",
        libc::ETXTBSY => "Text file busy",
        libc::ELOOP => "Too many levels of symbolic links",
        libc::ENAMETOOLONG => "File name too long",
        libc::ENOTDIR => "Not a directory",
        libc::EISDIR => "Is a directory",
        _ => "cannot execute",
    }
}

/// `_exit`: leave at once, without running destructors or flushing Rust's
/// buffers, which belong to the parent's copy of the program.
fn exit_now(status: Status) -> ! {
    // SAFETY: _exit is async-signal-safe and never returns.
    unsafe { libc::_exit(status) }
}

fn write_all(fd: RawFd, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: write is async-signal-safe; the slice is valid for its length.
        let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// A message composed on the stack, since the child may not allocate.
/// Text beyond its capacity is cut.
struct StackText {
    bytes: [u8; 512],
    len: usize,
}

impl StackText {
    fn new() -> StackText {
        StackText {
            bytes: [0; 512],
            len: 0,
        }
    }

    fn push(&mut self, text: &[u8]) {
        let n = text.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&text[..n]);
        self.len += n;
    }

    fn push_number(&mut self, n: i32) {
        let mut digits = [0u8; 12];
        let mut i = digits.len();
        let negative = n < 0;
        let mut rest = n.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if negative {
            self.push(b"-");
        }
        self.push(&digits[i..]);
    }

    fn write_to(&self, fd: RawFd) {
        write_all(fd, &self.bytes[..self.len]);
    }
}
