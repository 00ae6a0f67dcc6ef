//! Tracing one call with ptrace, as `strace -f` does: which processes it
//! created, which programs they ran, and how each ended.
//!
//! [`trace`] forks a child that asks to be traced (PTRACE_TRACEME), stops,
//! and execs the lab binary with hidden arguments that make the call (a
//! [`Relaunch`]): the work happens after the execve, never between fork
//! and exec. The tracer skips that first execve, then follows
//! every process the call creates (PTRACE_O_TRACEFORK, TRACEVFORK,
//! TRACECLONE) and stops each at the entry and exit of every system call
//! (PTRACE_SYSCALL); it records the calls that create, replace and reap
//! processes (clone, clone3, fork, vfork, execve, execveat, wait4, waitid),
//! reading their arguments with PTRACE_GET_SYSCALL_INFO and from
//! /proc/PID/mem, as strace does. The result is a [`Trace`]: those calls in
//! the order they were entered, with their results, and one [`Process`] for
//! every process created.
//!
//! The trace ends when the call does: once the traced copy has exited (the
//! call reaped its own children before), processes it left running, such
//! as `sleep 60 &` started by a shell, are let go with PTRACE_DETACH and
//! run on untraced, as they would without the trace. Waiting for them could
//! take for ever (a daemon). One that does not stop to be let go within
//! [`LET_GO_DEADLINE`] is killed instead, so the demo always ends.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::ptr;
use std::time::{Duration, Instant};

use libc::c_void;
use nix::errno::Errno;
use nix::sys::signal::{Signal, kill, raise};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid};
use serde::Serialize;

use crate::postfork::Relaunch;
// Clone flags by name, the exit signal last (`CLONE_VM|CLONE_VFORK|SIGCHLD`):
// the shell's explain mode renders its own clone with the same function.
use minishell_builtins::syscall_text::{argv, clone_flags, quoted};

/// What one traced call did, as the tracer saw it.
#[derive(Debug, Serialize)]
pub struct Trace {
    /// The traced process that made the call: the lab binary, re-run.
    pub caller: i32,
    /// The process that traced it.
    pub tracer: i32,
    /// The calls that create, replace and reap processes, in the order
    /// they were entered, and how each created process ended.
    pub events: Vec<Event>,
    /// Every process the call created, directly or not.
    pub processes: Vec<Process>,
    /// Processes still running when the traced copy exited: the tracer
    /// detached from them (and from each of their threads) and they run
    /// on.
    pub left_alone: Vec<i32>,
    /// Those that did not stop to be detached within the deadline, and
    /// were killed with SIGKILL.
    pub killed: Vec<i32>,
}

impl Trace {
    /// The call the traced caller made its child with (a clone, vfork or
    /// fork), as strace would print it: the first that is no execve or
    /// wait.
    pub fn child_creating_call(&self) -> Option<String> {
        self.events
            .iter()
            .find(|e| {
                e.pid == self.caller && !e.call.starts_with("execve") && !e.call.starts_with("wait")
            })
            .map(|e| e.call.clone())
    }
}

/// How long the tracer tries to let go of the processes a call left
/// running before it kills those it could not reach: a stop takes
/// microseconds, unless a process is stuck in the kernel.
pub const LET_GO_DEADLINE: Duration = Duration::from_secs(2);

/// One call seen, or one created process's end.
#[derive(Debug, Serialize)]
pub struct Event {
    pub pid: i32,
    /// `execve("/bin/true", ["/bin/true"])`, or `exited with 0`.
    pub call: String,
    /// What the system call returned: `0`, `4243`, `-1 ENOENT`, or `?`
    /// when its process ended inside it; `None` for an exit.
    pub result: Option<String>,
}

/// A process the traced call created, directly or not.
#[derive(Debug, Serialize)]
pub struct Process {
    pub pid: i32,
    /// The process whose call created it; 0 if that was not seen.
    pub parent: i32,
    /// That call: `clone(CLONE_VM|CLONE_VFORK|SIGCHLD)`.
    pub created_by: String,
    /// Every execve it called, in order, with the error of those that
    /// failed.
    pub execve: Vec<Execve>,
    /// `exited with 0`, `killed by SIGKILL`; `None` if not seen.
    pub ended: Option<String>,
}

/// One execve (or execveat) a process called.
#[derive(Debug, Clone, Serialize)]
pub struct Execve {
    pub path: String,
    pub argv: Vec<String>,
    /// The errno's name when execve failed.
    pub error: Option<String>,
}

/// Runs `program` (the lab binary, re-run to make one call) traced, and
/// records what it and every process it created did. The trace ends when
/// that process exits: processes still running are let go (see the module
/// doc). `Err` says why there is no trace: ptrace refused (say, under
/// strace or a seccomp policy), or the kernel is older than Linux 5.3.
pub fn trace(program: &Relaunch) -> Result<Trace, String> {
    // SAFETY: the child calls only ptrace, raise, execv, write and _exit
    // (all async-signal-safe) on memory built before the fork.
    let caller = match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // SAFETY: PTRACE_TRACEME takes no pointers.
            if let Err(e) =
                unsafe { ptrace(libc::PTRACE_TRACEME, Pid::from_raw(0), 0, ptr::null_mut()) }
            {
                // SAFETY: ends the child; its status tells the errno.
                unsafe { libc::_exit(e as i32) }
            }
            let _ = raise(Signal::SIGSTOP);
            // SAFETY: as above; never returns.
            unsafe { program.exec() }
        }
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(format!("fork: {e:?}")),
    };
    match waitpid(caller, Some(WaitPidFlag::__WALL)) {
        Ok(WaitStatus::Stopped(_, Signal::SIGSTOP)) => {}
        Ok(WaitStatus::Exited(_, code)) => {
            return Err(format!(
                "ptrace(PTRACE_TRACEME): {:?}",
                Errno::from_raw(code)
            ));
        }
        other => return Err(format!("the traced copy did not stop: {other:?}")),
    }
    let follow = libc::PTRACE_O_TRACESYSGOOD
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_TRACECLONE
        | libc::PTRACE_O_TRACEEXEC
        | libc::PTRACE_O_EXITKILL;
    // SAFETY: PTRACE_SETOPTIONS takes the options as its data word.
    if let Err(e) = unsafe {
        ptrace(
            libc::PTRACE_SETOPTIONS,
            caller,
            0,
            follow as usize as *mut c_void,
        )
    } {
        // The copy would stop again at its first call and wait forever.
        let _ = kill(caller, Signal::SIGKILL);
        let _ = waitpid(caller, None);
        return Err(format!("ptrace(PTRACE_SETOPTIONS): {e:?}"));
    }
    let mut tracer = Tracer::new(caller);
    tracer.resume(caller, 0);
    tracer.follow();
    tracer.let_go(Instant::now() + LET_GO_DEADLINE);
    match tracer.broken {
        Some(why) => Err(why),
        None => Ok(Trace {
            caller: caller.as_raw(),
            tracer: getpid().as_raw(),
            events: tracer.events,
            processes: tracer.processes,
            left_alone: tracer.left_alone,
            killed: tracer.killed,
        }),
    }
}

/// One ptrace request; `addr` and `data` are a number or a pointer, as the
/// request reads them.
///
/// # Safety
/// When the request writes through `data`, it points to enough memory.
unsafe fn ptrace(
    request: libc::c_uint,
    pid: Pid,
    addr: usize,
    data: *mut c_void,
) -> nix::Result<libc::c_long> {
    // SAFETY: the caller's promise.
    match unsafe { libc::ptrace(request, pid.as_raw(), addr as *mut c_void, data) } {
        -1 => Err(Errno::last()),
        result => Ok(result),
    }
}

/// The tracer's state while it follows one call.
struct Tracer {
    caller: Pid,
    events: Vec<Event>,
    processes: Vec<Process>,
    /// The recorded call each tracee is inside, between its syscall-entry
    /// and syscall-exit stops, with the execve it asked for.
    inside: HashMap<i32, (usize, Option<Execve>)>,
    /// Tracees whose first stop (the SIGSTOP every new tracee gets) has
    /// been seen and swallowed.
    started: HashSet<i32>,
    /// Tracees seen and not yet ended.
    alive: HashSet<i32>,
    /// Tracees let go when the call had returned, and those killed.
    left_alone: Vec<i32>,
    killed: Vec<i32>,
    /// Why the trace is incomplete, if it is.
    broken: Option<String>,
    /// Whether the caller has made its first execve, the one into the lab
    /// binary: everything before and that execve itself is the tracer's
    /// doing, not the call's, and is not recorded.
    relaunched: bool,
}

impl Tracer {
    fn new(caller: Pid) -> Tracer {
        Tracer {
            caller,
            events: Vec::new(),
            processes: Vec::new(),
            inside: HashMap::new(),
            started: HashSet::from([caller.as_raw()]),
            alive: HashSet::from([caller.as_raw()]),
            left_alone: Vec::new(),
            killed: Vec::new(),
            broken: None,
            relaunched: false,
        }
    }

    /// Lets a stopped tracee run to its next system call entry or exit,
    /// delivering `signal` (0 for none).
    fn resume(&self, pid: Pid, signal: i32) {
        // SAFETY: PTRACE_SYSCALL takes the signal as its data word. It fails
        // only if the tracee is gone, which the next waitpid reports.
        let _ = unsafe { ptrace(libc::PTRACE_SYSCALL, pid, 0, signal as usize as *mut c_void) };
    }

    /// Waits for the tracees' stops until the traced copy has exited, or
    /// none is left.
    fn follow(&mut self) {
        while self.alive.contains(&self.caller.as_raw()) {
            let status = match waitpid(None, Some(WaitPidFlag::__WALL)) {
                Ok(status) => status,
                Err(Errno::EINTR) => continue,
                Err(_) => return, // ECHILD: every tracee has ended
            };
            match status {
                WaitStatus::PtraceSyscall(pid) => {
                    self.system_call(pid);
                    self.resume(pid, 0);
                }
                WaitStatus::PtraceEvent(pid, _, event) => {
                    if matches!(
                        event,
                        libc::PTRACE_EVENT_FORK
                            | libc::PTRACE_EVENT_VFORK
                            | libc::PTRACE_EVENT_CLONE
                    ) {
                        self.created(pid);
                    }
                    self.resume(pid, 0);
                }
                WaitStatus::Stopped(pid, signal) => {
                    if signal == Signal::SIGSTOP && self.started.insert(pid.as_raw()) {
                        self.alive.insert(pid.as_raw());
                        self.resume(pid, 0);
                    } else {
                        self.resume(pid, signal as i32);
                    }
                }
                WaitStatus::Exited(pid, code) => self.ended(pid, format!("exited with {code}")),
                WaitStatus::Signaled(pid, signal, _) => {
                    self.ended(pid, format!("killed by {}", signal.as_str()))
                }
                _ => {}
            }
        }
    }

    /// After the traced copy's exit: lets go of every tracee still running
    /// (PTRACE_DETACH), so that it runs on as it would untraced; kills
    /// those not let go by `deadline`.
    ///
    /// A tracee can only be detached in a ptrace-stop, and one attached as
    /// these are (not with PTRACE_SEIZE) is stopped by a signal: each gets
    /// a SIGSTOP, which the detach then swallows. A tracee stopped for
    /// another reason first (a system call, a new child) is detached there
    /// only if its SIGSTOP is no longer pending, else it would stop for
    /// good once untraced; it is let run (PTRACE_CONT) until the SIGSTOP
    /// comes.
    fn let_go(&mut self, deadline: Instant) {
        for &pid in &self.alive {
            // tkill, not kill: the stop is for this thread. The id cannot
            // have been reused: a tracee stays until its tracer reaps it.
            // SAFETY: tkill takes two integers.
            unsafe { libc::syscall(libc::SYS_tkill, pid, libc::SIGSTOP) };
        }
        while !self.alive.is_empty() && Instant::now() < deadline {
            let status = match waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(Errno::EINTR) => {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                Ok(status) => status,
                Err(_) => {
                    // ECHILD: none is left to let go, or to kill.
                    self.alive.clear();
                    break;
                }
            };
            let (pid, signal) = match status {
                WaitStatus::Exited(pid, code) => {
                    self.ended(pid, format!("exited with {code}"));
                    continue;
                }
                WaitStatus::Signaled(pid, signal, _) => {
                    self.ended(pid, format!("killed by {}", signal.as_str()));
                    continue;
                }
                WaitStatus::PtraceEvent(pid, _, event) => {
                    if matches!(
                        event,
                        libc::PTRACE_EVENT_FORK
                            | libc::PTRACE_EVENT_VFORK
                            | libc::PTRACE_EVENT_CLONE
                    ) {
                        // The new tracee starts with a SIGSTOP pending.
                        self.created(pid);
                    }
                    (pid, 0)
                }
                WaitStatus::Stopped(pid, Signal::SIGSTOP) => (pid, 0),
                WaitStatus::Stopped(pid, signal) => (pid, signal as i32),
                WaitStatus::PtraceSyscall(pid) => (pid, 0),
                _ => continue,
            };
            self.alive.insert(pid.as_raw());
            let (stop_pending, process) = pending_stop(pid);
            let request = if stop_pending {
                libc::PTRACE_CONT
            } else {
                libc::PTRACE_DETACH
            };
            // SAFETY: PTRACE_CONT and PTRACE_DETACH take the signal to
            // deliver as their data word.
            let done = unsafe { ptrace(request, pid, 0, signal as usize as *mut c_void) };
            if request == libc::PTRACE_DETACH && done.is_ok() {
                self.alive.remove(&pid.as_raw());
                // A thread is let go like a process, but listed as its
                // process.
                if process.is_none_or(|process| process == pid.as_raw()) {
                    self.left_alone.push(pid.as_raw());
                }
            }
        }
        // Not stopped in time: stuck in the kernel, say. Killed, they end
        // at once or when they leave the kernel; they are not waited for.
        let mut stuck: Vec<i32> = self.alive.drain().collect();
        stuck.sort_unstable();
        for pid in stuck {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            self.killed.push(pid);
        }
        self.left_alone.sort_unstable();
    }

    /// A PTRACE_EVENT_FORK, VFORK or CLONE stop: `parent` created a process.
    fn created(&mut self, parent: Pid) {
        let mut child: libc::c_ulong = 0;
        // SAFETY: PTRACE_GETEVENTMSG writes one unsigned long into `child`.
        let data = (&mut child as *mut libc::c_ulong).cast();
        if unsafe { ptrace(libc::PTRACE_GETEVENTMSG, parent, 0, data) }.is_err() {
            return;
        }
        let created_by = match self.inside.get(&parent.as_raw()) {
            Some((index, _)) => self.events[*index].call.clone(),
            None => "not observed".to_owned(),
        };
        self.alive.insert(child as i32);
        let process = self.process(child as i32);
        process.parent = parent.as_raw();
        process.created_by = created_by;
    }

    fn ended(&mut self, pid: Pid, how: String) {
        self.alive.remove(&pid.as_raw());
        if let Some((index, _)) = self.inside.remove(&pid.as_raw()) {
            // It ended inside the call, as strace writes it.
            self.events[index].result = Some("?".to_owned());
        }
        if pid == self.caller {
            return;
        }
        self.events.push(Event {
            pid: pid.as_raw(),
            call: how.clone(),
            result: None,
        });
        self.process(pid.as_raw()).ended = Some(how);
    }

    /// The record of a created process, made on first sight.
    fn process(&mut self, pid: i32) -> &mut Process {
        let index = match self.processes.iter().position(|p| p.pid == pid) {
            Some(index) => index,
            None => {
                self.processes.push(Process {
                    pid,
                    parent: 0,
                    created_by: "not observed".to_owned(),
                    execve: Vec::new(),
                    ended: None,
                });
                self.processes.len() - 1
            }
        };
        &mut self.processes[index]
    }

    /// A syscall-entry or syscall-exit stop: records the calls that create,
    /// replace and reap processes.
    fn system_call(&mut self, pid: Pid) {
        // SAFETY: a struct of integers, for which all zeroes is a value.
        let mut info: libc::ptrace_syscall_info = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<libc::ptrace_syscall_info>();
        let data = (&mut info as *mut libc::ptrace_syscall_info).cast();
        // SAFETY: the kernel writes at most `size` bytes into `info`.
        if let Err(e) = unsafe { ptrace(libc::PTRACE_GET_SYSCALL_INFO, pid, size, data) } {
            self.broken = Some(format!(
                "ptrace(PTRACE_GET_SYSCALL_INFO): {e:?} (Linux 5.3 or later)"
            ));
            return;
        }
        match info.op {
            libc::PTRACE_SYSCALL_INFO_ENTRY => {
                // SAFETY: op says the kernel filled in `entry`.
                let entry = unsafe { info.u.entry };
                self.inside.remove(&pid.as_raw());
                if pid == self.caller && !self.relaunched {
                    self.relaunched = entry.nr as i64 == libc::SYS_execve;
                    return;
                }
                if let Some((call, exec)) = describe(pid, entry.nr as i64, &entry.args) {
                    self.events.push(Event {
                        pid: pid.as_raw(),
                        call,
                        result: None,
                    });
                    self.inside
                        .insert(pid.as_raw(), (self.events.len() - 1, exec));
                }
            }
            libc::PTRACE_SYSCALL_INFO_EXIT => {
                // SAFETY: op says the kernel filled in `exit`.
                let exit = unsafe { info.u.exit };
                if let Some((index, exec)) = self.inside.remove(&pid.as_raw()) {
                    let error = (exit.is_error != 0)
                        .then(|| format!("{:?}", Errno::from_raw(-exit.sval as i32)));
                    self.events[index].result = Some(match &error {
                        Some(name) => format!("-1 {name}"),
                        None => exit.sval.to_string(),
                    });
                    if let Some(mut exec) = exec {
                        exec.error = error;
                        self.process(pid.as_raw()).execve.push(exec);
                    }
                }
            }
            _ => {}
        }
    }
}

/// For the stopped tracee `pid`, from /proc/PID/status: whether a SIGSTOP
/// waits to be delivered, sent to it (SigPnd) or to its whole process
/// (ShdPnd), each a mask in hex with bit N-1 for signal N; and its
/// process (Tgid), which is `pid` itself unless it is a thread.
fn pending_stop(pid: Pid) -> (bool, Option<i32>) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return (false, None);
    };
    let bit = 1u64 << (libc::SIGSTOP - 1);
    let pending = status.lines().any(|line| {
        let mask = line
            .strip_prefix("SigPnd:")
            .or_else(|| line.strip_prefix("ShdPnd:"));
        mask.and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
            .is_some_and(|m| m & bit != 0)
    });
    let process = status
        .lines()
        .find_map(|line| line.strip_prefix("Tgid:"))
        .and_then(|tgid| tgid.trim().parse().ok());
    (pending, process)
}

/// The calls worth showing, as strace writes them, with what an execve
/// asked for. `None` for every other system call.
fn describe(pid: Pid, nr: i64, args: &[u64; 6]) -> Option<(String, Option<Execve>)> {
    let memory = || File::open(format!("/proc/{pid}/mem")).ok();
    let exec = |path: u64, argv: u64| {
        let memory = memory();
        Execve {
            path: memory
                .as_ref()
                .and_then(|m| read_string(m, path))
                .unwrap_or_else(|| "?".to_owned()),
            argv: memory
                .as_ref()
                .and_then(|m| read_argv(m, argv))
                .unwrap_or_default(),
            error: None,
        }
    };
    let call = match nr {
        libc::SYS_clone => format!("clone({})", clone_flags(args[0])),
        libc::SYS_clone3 => {
            // struct clone_args: flags at offset 0, exit_signal at 32.
            let flags = memory()
                .and_then(|m| Some((read_word(&m, args[0])?, read_word(&m, args[0] + 32)?)));
            match flags {
                Some((flags, signal)) => format!("clone3({})", clone_flags(flags | signal)),
                None => "clone3(?)".to_owned(),
            }
        }
        #[cfg(target_arch = "x86_64")]
        libc::SYS_fork => "fork()".to_owned(),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_vfork => "vfork()".to_owned(),
        libc::SYS_execve => {
            let exec = exec(args[0], args[1]);
            return Some((
                format!(
                    "execve({}, {})",
                    quoted(exec.path.as_bytes()),
                    argv(&exec.argv)
                ),
                Some(exec),
            ));
        }
        libc::SYS_execveat => {
            let exec = exec(args[1], args[2]);
            return Some((
                format!(
                    "execveat({}, {}, {})",
                    args[0] as i32,
                    quoted(exec.path.as_bytes()),
                    argv(&exec.argv)
                ),
                Some(exec),
            ));
        }
        libc::SYS_wait4 => format!("wait4({})", args[0] as i32),
        libc::SYS_waitid => {
            let which = match args[0] as libc::idtype_t {
                libc::P_ALL => "P_ALL",
                libc::P_PID => "P_PID",
                libc::P_PGID => "P_PGID",
                _ => "P_PIDFD",
            };
            format!("waitid({which}, {})", args[1] as i32)
        }
        _ => return None,
    };
    Some((call, None))
}

/// A signal's name, `SIGKILL`, or `signal 64` for one nix does not name.
pub fn signal_name(signal: i32) -> String {
    match Signal::try_from(signal) {
        Ok(signal) => signal.as_str().to_owned(),
        Err(_) => format!("signal {signal}"),
    }
}

/// Longest string and argument list read from a tracee.
const MAX_STRING: usize = 4096;
const MAX_ARGS: u64 = 64;

fn read_word(memory: &File, address: u64) -> Option<u64> {
    let mut word = [0u8; 8];
    memory.read_exact_at(&mut word, address).ok()?;
    Some(u64::from_ne_bytes(word))
}

/// A NUL-terminated string in a tracee's memory, read in pieces that never
/// cross a 4096-byte boundary (the next page may not be mapped).
fn read_string(memory: &File, address: u64) -> Option<String> {
    let mut bytes = Vec::new();
    let mut at = address;
    while bytes.len() < MAX_STRING {
        let mut piece = vec![0u8; (4096 - at % 4096) as usize];
        let n = memory.read_at(&mut piece, at).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = piece[..n].iter().position(|&b| b == 0) {
            bytes.extend_from_slice(&piece[..end]);
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        bytes.extend_from_slice(&piece[..n]);
        at += n as u64;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned() + "...")
}

/// A null-terminated array of strings in a tracee's memory.
fn read_argv(memory: &File, address: u64) -> Option<Vec<String>> {
    let mut argv = Vec::new();
    for i in 0..MAX_ARGS {
        let pointer = read_word(memory, address + 8 * i)?;
        if pointer == 0 {
            return Some(argv);
        }
        argv.push(read_string(memory, pointer)?);
    }
    argv.push("...".to_owned());
    Some(argv)
}
