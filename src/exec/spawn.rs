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

use minishell_builtins::narrate::{self, ChildLines, LineId, RESULT};
use minishell_builtins::syscall_text;

/// The child's messages, composed on its stack.
type StackText = minishell_builtins::stack_text::StackText<512>;
use nix::unistd::{ForkResult, Pid};

use super::binary::file_looks_binary;
use crate::status::{NOT_EXECUTABLE, NOT_FOUND, Status};
use crate::sys;
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

impl Program {
    /// The argument vector's bytes, for explain mode.
    fn argv_bytes(&self) -> Vec<&[u8]> {
        self._argv.iter().map(|a| a.as_bytes()).collect()
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

/// How a child is made. Both end in the same child code; they differ in
/// what the kernel copies and in who runs while the child gets ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `fork()`: the child gets a copy of the shell's memory (copy on
    /// write) and both run at once. Needed when the child runs shell code.
    Fork,
    /// `clone(CLONE_VM|CLONE_VFORK)`: the child borrows the shell's memory
    /// and the shell sleeps until the child has called `execve` (or
    /// `_exit`). Nothing is copied, so it costs the same whatever the
    /// shell's size; what `posix_spawn` does inside glibc. Only for a child
    /// that only moves descriptors and execs.
    CloneVfork,
}

impl Strategy {
    /// The cheapest way to start `work`: a child that only execs (or only
    /// reports a missing command) can borrow the shell's memory; one that
    /// runs shell code needs its own copy. `MINISHELL_SPAWN=fork` in the
    /// shell's environment forces fork, to compare the two.
    fn for_work(work: &Work<'_>) -> Strategy {
        static FORCED_FORK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let forced = *FORCED_FORK
            .get_or_init(|| std::env::var_os("MINISHELL_SPAWN").is_some_and(|v| v == "fork"));
        match work {
            Work::Exec(_) | Work::Fail { .. } if !forced => Strategy::CloneVfork,
            _ => Strategy::Fork,
        }
    }
}

/// Starts a child that joins `group`, applies `actions`, then does `work`:
/// by `clone(CLONE_VM|CLONE_VFORK)` when the work allows it, else by
/// `fork`. Returns the child's PID in the parent.
pub fn spawn(
    work: Work<'_>,
    actions: &[FdAction],
    signals: Signals,
    group: Group,
) -> nix::Result<Pid> {
    let strategy = Strategy::for_work(&work);
    spawn_by(strategy, work, actions, signals, group)
}

/// [`spawn`] for a pipeline stage with more stages still to start: always
/// by `fork`. A child that borrows the shell's memory holds the shell
/// until its `execve` has loaded the program, so the stages would start
/// one after another; a forked one loads its program on the other core
/// while the shell starts the next stage. Measured on 2 cores: 100 stages
/// of `cat` 68 ms borrowed, 54 ms forked (dash 60); a lone command is the
/// other way round (2,000 `/bin/true` 0.99 s borrowed, 1.18 s forked).
pub fn spawn_ahead(
    work: Work<'_>,
    actions: &[FdAction],
    signals: Signals,
    group: Group,
) -> nix::Result<Pid> {
    spawn_by(Strategy::Fork, work, actions, signals, group)
}

fn spawn_by(
    strategy: Strategy,
    work: Work<'_>,
    actions: &[FdAction],
    signals: Signals,
    group: Group,
) -> nix::Result<Pid> {
    let told = narrate::on().then(|| Told::prepare(&work, actions, signals, group));
    let why = match &work {
        Work::Shell(_) => "a copy of the shell",
        _ => "",
    };
    let mut job = ChildJob {
        work: Some(work),
        actions,
        signals,
        group,
        told: told.as_ref(),
        shared_memory: false,
        dispositions: crate::signals::Dispositions::UNKNOWN,
    };
    if strategy == Strategy::CloneVfork {
        return clone_vfork(&mut job);
    }
    // SAFETY: after fork the child calls only async-signal-safe functions
    // (see `child`) on data prepared before the fork, except for
    // `Work::Shell`, which is sound because minishell is single-threaded.
    match unsafe { sys::fork(why) }? {
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
                let _ = sys::setpgid(child, pgid);
            }
            Ok(child)
        }
        ForkResult::Child => child(&mut job),
    }
}

/// What the child needs, in one place its entry point can be handed.
struct ChildJob<'a, 'w> {
    work: Option<Work<'w>>,
    actions: &'a [FdAction],
    signals: Signals,
    group: Group,
    told: Option<&'a Told>,
    /// Started by `clone(CLONE_VM)`: the shell's memory is this child's.
    shared_memory: bool,
    /// The shell's signal dispositions, read before the clone (see
    /// [`crate::signals::dispositions`]); unknown for a forked child.
    dispositions: crate::signals::Dispositions,
}

/// Bytes of stack for a `clone`d child: its frames and a narration line.
const CLONE_STACK: usize = 64 * 1024;

/// Starts the child with `clone(CLONE_VM|CLONE_VFORK)`. Every signal is
/// blocked around the call, so no handler of the shell's runs in the child
/// on the shell's memory; the child puts back each handled signal to its
/// default before unblocking (see `reset_signals`), as glibc's posix_spawn
/// does. No `setpgid` from the parent: when it runs again the child has
/// already joined its group and exec'd.
fn clone_vfork(job: &mut ChildJob<'_, '_>) -> nix::Result<Pid> {
    extern "C" fn entry(arg: *mut libc::c_void) -> libc::c_int {
        // SAFETY: `arg` is the `ChildJob` the parent passed, alive until
        // the parent wakes, which is after this child execs or exits.
        let job = unsafe { &mut *arg.cast::<ChildJob<'_, '_>>() };
        child(job)
    }
    // Uninitialised: the child writes its frames before it reads them.
    let mut stack: Vec<std::mem::MaybeUninit<u8>> = Vec::with_capacity(CLONE_STACK);
    // The stack grows down from its end, which must be 16-byte aligned.
    let top = (stack.as_mut_ptr() as usize + CLONE_STACK) & !15;
    let mut blocked: libc::sigset_t;
    let mut all: libc::sigset_t;
    // SAFETY: the sets live on this frame; sigfillset and sigprocmask only
    // write them.
    unsafe {
        all = std::mem::zeroed();
        blocked = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut blocked);
    }
    job.shared_memory = true;
    job.dispositions = crate::signals::dispositions();
    // SAFETY: the child runs `child`, which only calls async-signal-safe
    // functions and never returns; it reads `job` and writes only its own
    // stack, and the parent sleeps until it is gone; signals are blocked.
    let result = unsafe {
        sys::clone_vfork(
            entry,
            top as *mut libc::c_void,
            std::ptr::from_mut(job).cast(),
        )
    };
    // SAFETY: puts back the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &blocked, std::ptr::null_mut()) };
    drop(stack);
    result
}

/// The child's side of [`spawn`]. Never returns.
fn child(job: &mut ChildJob<'_, '_>) -> ! {
    let told = job.told;
    if let Group::Job { leader, foreground } = job.group {
        // The terminal is taken while SIGTTOU is still ignored (inherited
        // from the shell); reset_signals restores it just after.
        sys::child::setpgid(leader, told.map(|t| (&t.lines, t.setpgid)));
        if foreground {
            sys::child::take_terminal(crate::terminal::TTY, told.map(|t| (&t.lines, t.tcsetpgrp)));
        }
    }
    reset_signals(job.signals, job.dispositions);
    if let Some(t) = told {
        t.lines.say(t.signals, 0, b"");
    }
    if let Err(fd) = apply(job.actions, told) {
        let mut text = StackText::new(0);
        text.push(b"minishell: ");
        text.push_number(i64::from(fd));
        text.push(b": Bad file descriptor\n");
        text.write_to(2);
        exit_now(1);
    }
    match job.work.take() {
        Some(Work::Exec(program)) => exec(program, told),
        Some(Work::Fail { message, status }) => {
            write_all(2, message);
            if let Some(t) = told {
                t.lines.say(t.exit, status as isize, b"");
            }
            exit_now(status)
        }
        Some(Work::Shell(run)) => {
            // A copy of the shell must never return into its parent's code:
            // whatever happens in it (a panic included) ends this process.
            let status = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
            exit_now(status.unwrap_or(NOT_FOUND - 3))
        }
        None => exit_now(NOT_FOUND - 3),
    }
}

/// The child's narration, formatted before the fork: one line per call
/// the child makes, which it only copies out (see `narrate::ChildLines`).
struct Told {
    lines: ChildLines,
    setpgid: LineId,
    tcsetpgrp: LineId,
    signals: LineId,
    actions: Vec<LineId>,
    exec: LineId,
    exec_failed: LineId,
    script: LineId,
    script_failed: LineId,
    exit: LineId,
    exit_failed: LineId,
}

impl Told {
    fn prepare(work: &Work<'_>, actions: &[FdAction], signals: Signals, group: Group) -> Told {
        let mut lines = ChildLines::default();
        let leader = match group {
            Group::Job { leader, .. } => leader,
            Group::Shell => 0,
        };
        let setpgid = lines.add(&format!(
            "setpgid(0, {leader}) = {RESULT}    # {}",
            if leader == 0 {
                "a new process group, for a new job"
            } else {
                "join the job's process group"
            }
        ));
        let tcsetpgrp = lines.add(&format!(
            "tcsetpgrp({}, getpgrp()) = {RESULT}    # the job takes the terminal",
            crate::terminal::TTY
        ));
        let ignored = match signals {
            Signals::Default => "",
            Signals::IgnoreInterrupts => ", then SIGINT and SIGQUIT ignored (a background job)",
        };
        let signals = lines.add(&format!(
            "signals: SIGPIPE SIGINT SIGQUIT SIGTSTP SIGTTIN SIGTTOU back to SIG_DFL{ignored}; mask emptied"
        ));
        let actions = actions
            .iter()
            .map(|action| {
                lines.add(&match *action {
                    FdAction::Dup { from, to } if from == to => format!(
                        "fcntl({from}, F_SETFD, 0) = {RESULT}    # {from} stays open across execve"
                    ),
                    FdAction::Dup { from, to } => format!(
                        "dup2({from}, {to}) = {RESULT}    # {} → {}",
                        fd_name(to),
                        open_file(from)
                    ),
                    FdAction::Close(fd) => format!("close({fd}) = {RESULT}"),
                })
            })
            .collect();
        let (exec, exec_failed, script, script_failed) = match work {
            Work::Exec(program) => {
                let call = format!(
                    "execve({}, {}, <{} environment variables>)",
                    syscall_text::quoted(program.path.as_bytes()),
                    syscall_text::argv(&program.argv_bytes()),
                    program.environment.len()
                );
                let mut script_argv = vec![b"minishell".to_vec(), program.path.as_bytes().to_vec()];
                script_argv.extend(program.argv_bytes().into_iter().skip(1).map(<[u8]>::to_vec));
                let script_call = format!(
                    "execve({}, {}, <{} environment variables>)",
                    syscall_text::quoted(SELF_EXE.to_bytes()),
                    syscall_text::argv(&script_argv),
                    program.environment.len()
                );
                (
                    lines.add(&call),
                    lines.add(&format!("{call} = {RESULT}")),
                    lines.add(&script_call),
                    lines.add(&format!("{script_call} = {RESULT}")),
                )
            }
            _ => {
                let none = lines.add("");
                (none, none, none, none)
            }
        };
        let exit = lines.add(&format!(
            "_exit({RESULT})    # nothing to run: the message was made by the shell before {}",
            "the child started"
        ));
        let exit_failed = lines.add(&format!(
            "_exit({RESULT})    # execve failed: the child ends with the status the shell gives it"
        ));
        Told {
            exit_failed,
            lines,
            setpgid,
            tcsetpgrp,
            signals,
            actions,
            exec,
            exec_failed,
            script,
            script_failed,
            exit,
        }
    }
}

/// `stdin`, `stdout`, `stderr` or `fd N`.
fn fd_name(fd: RawFd) -> String {
    match fd {
        0 => "stdin".to_owned(),
        1 => "stdout".to_owned(),
        2 => "stderr".to_owned(),
        n => format!("fd {n}"),
    }
}

/// What the shell's descriptor `fd` is open on, as the kernel names it
/// (`/tmp/out`, `pipe:[1234]`), read before the fork.
fn open_file(fd: RawFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map_or_else(|_| format!("fd {fd}"), |p| p.to_string_lossy().into_owned())
}

/// `exec cmd`: becomes the program in this very process, no fork. The
/// descriptor moves are made for real first, the signals reset, then
/// `execve`. Returns only if `execve` failed, with its errno.
pub fn exec_in_place(program: &Program, actions: &[FdAction]) -> i32 {
    let told = narrate::on().then(|| {
        Told::prepare(
            &Work::Exec(program),
            actions,
            Signals::Default,
            Group::Shell,
        )
    });
    if let Err(fd) = apply(actions, told.as_ref()) {
        let mut text = StackText::new(0);
        text.push(&program.prefix);
        text.push_number(i64::from(fd));
        text.push(b": Bad file descriptor\n");
        text.write_to(2);
        return libc::EBADF;
    }
    reset_signals(Signals::Default, crate::signals::Dispositions::UNKNOWN);
    try_exec(program, told.as_ref())
}

/// Replays the descriptor moves in order; on failure, the descriptor that
/// could not be used.
fn apply(actions: &[FdAction], told: Option<&Told>) -> Result<(), RawFd> {
    for (i, action) in actions.iter().enumerate() {
        let line = told.map(|t| (&t.lines, t.actions[i]));
        let done = match *action {
            FdAction::Dup { from, to } if from == to => sys::child::keep_open(from, line),
            FdAction::Dup { from, to } => sys::child::dup2(from, to, line),
            FdAction::Close(fd) => {
                sys::child::close(fd, line);
                true
            }
        };
        if !done {
            if let FdAction::Dup { from, .. } = action {
                return Err(*from);
            }
        }
    }
    Ok(())
}

/// Puts back what the shell changed: ignored signals stay ignored across
/// `execve` (Rust ignores SIGPIPE, so without this `yes | head` would
/// never end), and a blocked signal stays blocked. A child sharing the
/// shell's memory also puts every signal the shell handles back to its
/// default before it unblocks them, so that no handler of the shell's runs
/// in it. `known` says which signals are caught and ignored (for a forked
/// child nothing is known, and every signal a shell changes is reset).
fn reset_signals(signals: Signals, known: crate::signals::Dispositions) {
    const CHANGED_BY_SHELLS: [libc::c_int; 6] = [
        libc::SIGPIPE,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
    ];
    // SAFETY: sigaction, signal and sigprocmask are async-signal-safe; the
    // structures live on this stack frame.
    unsafe {
        let mut rest = known.caught;
        while rest != 0 {
            let signal = rest.trailing_zeros() as libc::c_int + 1;
            libc::signal(signal, libc::SIG_DFL);
            rest &= rest - 1;
        }
        for signal in CHANGED_BY_SHELLS {
            // `trap '' SIG` (or a signal ignored when the shell started)
            // stays ignored in children, as POSIX says. One already at
            // its default (a caught one was just put back) is left alone.
            let ignored = known.ignored & (1 << (signal - 1)) != 0;
            if ignored && !crate::signals::kept_ignored(signal) {
                libc::signal(signal, libc::SIG_DFL);
            }
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

/// `execve`, and for a file without `#!` (ENOEXEC) this very binary on
/// it; returns only on failure, with errno.
fn try_exec(program: &Program, told: Option<&Told>) -> i32 {
    let envp = program.environment.as_ptr();
    // SAFETY: every pointer was built before fork and points into `program`,
    // which lives until this process execs or exits.
    unsafe {
        let errno = sys::child::execve(
            program.path.as_ptr(),
            program.argv_pointers.as_ptr(),
            envp,
            told.map(|t| (&t.lines, t.exec)),
            told.map(|t| (&t.lines, t.exec_failed)),
        );
        if errno != libc::ENOEXEC || file_looks_binary(&program.path) {
            return errno;
        }
        sys::child::execve(
            SELF_EXE.as_ptr(),
            program.script_pointers.as_ptr(),
            envp,
            told.map(|t| (&t.lines, t.script)),
            told.map(|t| (&t.lines, t.script_failed)),
        )
    }
}

/// `execve`, and on failure the shell's message and status: 127 with the
/// course's `Execution failed for 'NAME'` when there is no such file, 126
/// when it exists but cannot run.
fn exec(program: &Program, told: Option<&Told>) -> ! {
    let errno = try_exec(program, told);
    let mut text = StackText::new(0);
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
    let status = if errno == libc::ENOENT {
        NOT_FOUND
    } else {
        NOT_EXECUTABLE
    };
    if let Some(t) = told {
        t.lines.say(t.exit_failed, status as isize, b"");
    }
    exit_now(status)
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
