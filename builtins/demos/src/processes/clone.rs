//! `clone`: the lab's guide "Threads and Processes: clone": fork and
//! pthread_create are both the clone system call, with different flags.
//! The demo calls clone itself, with or without CLONE_VM; the new task
//! writes a variable, and the parent looks whether it sees the write. It
//! also traces a fork() and a pthread_create() (see [`crate::trace`]) to
//! show the flags glibc passes for each on this machine.

use std::ffi::{c_int, c_void};
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, Ordering};

use clap::Parser;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{Pid, getpid};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::postfork::Relaunch;
use crate::trace;
use crate::{Out, Output, options};

const HELP: &str = include_str!("clone.txt");

#[derive(Parser)]
#[command(name = "clone", override_help = HELP)]
struct Options {
    #[arg(long)]
    share_vm: bool,
    /// Set only when the demo re-runs itself to make the one call traced:
    /// `fork` or `thread` (a child does its work after execve).
    #[arg(long, hide = true)]
    traced_call: Option<String>,
    #[command(flatten)]
    output: Output,
}

/// What the child stores into VARIABLE.
const CHILD_WRITES: i32 = 42;

/// The variable the child writes, a global as in the lab's C programs: it
/// lives as long as any task that could write it. Atomic, because with
/// CLONE_VM two tasks share it.
static VARIABLE: AtomicI32 = AtomicI32::new(0);

/// The child's stack: 64 KiB is plenty for one small function.
const STACK_SIZE: usize = 64 * 1024;

#[derive(Debug, Serialize)]
struct Report {
    parent: i32,
    /// The flags passed to clone, as a number and by name.
    flags: c_int,
    flag_names: String,
    /// The new task's ID, as clone returned it.
    child: i32,
    /// The variable before clone.
    before: i32,
    /// What the child read back after its write: its exit status.
    child_sees: Option<i32>,
    /// What the parent reads after waitpid.
    parent_sees: i32,
    /// Whether the parent sees the child's write.
    shared: bool,
    /// The clone (or clone3) call glibc's fork() made, traced in this run,
    /// or why it could not be traced.
    fork: Traced,
    /// The same for pthread_create(), through std::thread::spawn.
    pthread_create: Traced,
}

/// One library call, traced: the system call that created the new task.
#[derive(Debug, Serialize)]
struct Traced {
    /// `clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)`.
    call: Option<String>,
    /// The flags alone, as strace names them.
    flags: Option<String>,
    not_observed: Option<String>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if let Some(call) = &options.traced_call {
        return traced_call(call);
    }
    let out = Out::new(io, &options.output);
    let report = match measure(options.share_vm, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    out.notice(if report.shared {
        "with CLONE_VM the child ran in the parent's memory, as a thread does: its write is the parent's"
    } else {
        "without CLONE_VM the child wrote into its own copy of memory, as after fork: the parent's is unchanged"
    });
    if let (Some(fork), Some(thread)) = (&report.fork.flags, &report.pthread_create.flags) {
        let has = |flags: &str, flag: &str| flags.split('|').any(|f| f == flag);
        let shares = |flags: &str| has(flags, "CLONE_VM") && has(flags, "CLONE_THREAD");
        out.notice(match (shares(fork), shares(thread)) {
            (false, true) => "fork and pthread_create are both clone: only pthread_create's flags hold CLONE_VM and CLONE_THREAD, a new thread in the same memory".to_owned(),
            (f, t) => format!(
                "fork and pthread_create are both clone; CLONE_VM|CLONE_THREAD: fork {f}, pthread_create {t}"
            ),
        });
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The re-run demo's one call, for the tracer to watch: a fork whose child
/// exits at once, or a thread that returns at once.
fn traced_call(call: &str) -> Status {
    match call {
        "fork" => {
            // SAFETY: single-threaded; the child only calls _exit.
            match unsafe { nix::unistd::fork() } {
                // SAFETY: _exit is async-signal-safe.
                Ok(nix::unistd::ForkResult::Child) => unsafe { libc::_exit(0) },
                Ok(nix::unistd::ForkResult::Parent { child }) => {
                    let _ = waitpid(child, None);
                    0
                }
                Err(_) => 1,
            }
        }
        _ => match std::thread::Builder::new().spawn(|| {}) {
            Ok(thread) => i32::from(thread.join().is_err()),
            Err(_) => 1,
        },
    }
}

/// Traces the demo re-run to make `call`, and picks out the call that
/// created the new task.
fn trace_call(call: &str) -> Traced {
    let args = ["--traced-call".to_owned(), call.to_owned()];
    let trace = Relaunch::new("clone", &args).and_then(|lab| trace::trace(&lab));
    match trace {
        Ok(trace) => {
            let created = trace
                .events
                .iter()
                .find(|e| e.pid == trace.caller && e.call.starts_with("clone"))
                .map(|e| e.call.clone());
            let flags = created.as_ref().and_then(|c| {
                let inside = c.split_once('(')?.1.strip_suffix(')')?;
                Some(inside.to_owned())
            });
            Traced {
                not_observed: created.is_none().then(|| "no clone seen".to_owned()),
                call: created,
                flags,
            }
        }
        Err(why) => Traced {
            call: None,
            flags: None,
            not_observed: Some(why),
        },
    }
}

fn measure(share_vm: bool, out: &Out) -> Result<Report, String> {
    let flags = if share_vm { libc::CLONE_VM } else { 0 } | libc::SIGCHLD;
    VARIABLE.store(0, Ordering::SeqCst);
    let before = VARIABLE.load(Ordering::SeqCst);
    let stack = Stack::new().map_err(|e| format!("mmap: {e}"))?;
    let child = start_task(flags, &stack).map_err(|e| format!("clone: {e}"))?;
    // SIGCHLD as the exit signal makes the task a child that waitpid
    // reports as it would a forked one.
    let status = match waitpid(child, None) {
        Ok(status) => status,
        Err(e) => {
            // The child may still be running on the stack: keep it mapped.
            std::mem::forget(stack);
            return Err(format!("waitpid: {e}"));
        }
    };
    drop(stack);
    let child_sees = match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    };
    let parent_sees = VARIABLE.load(Ordering::SeqCst);
    let names = flag_names(flags);
    say_task(out, child, &names, before, child_sees, parent_sees);
    let fork = trace_call("fork");
    let pthread_create = trace_call("thread");
    for (what, traced) in [("fork()", &fork), ("pthread_create()", &pthread_create)] {
        out.say(match (&traced.call, &traced.not_observed) {
            (Some(call), _) => format!("{what:<18} traced here: {call}"),
            (None, why) => format!(
                "{what:<18} not observed ({})",
                why.as_deref().unwrap_or("no reason given")
            ),
        });
    }
    Ok(Report {
        parent: getpid().as_raw(),
        flags,
        flag_names: names,
        child: child.as_raw(),
        before,
        child_sees,
        parent_sees,
        shared: parent_sees == CHILD_WRITES,
        fork,
        pthread_create,
    })
}

/// Calls clone(2) through glibc's wrapper, which switches to `stack` and
/// runs `child_task` there. Deliberately low-level: std has no clone, and
/// the point is to choose the flags by hand.
fn start_task(flags: c_int, stack: &Stack) -> nix::Result<Pid> {
    // SAFETY: the stack is a live mapping of STACK_SIZE bytes, its top
    // 16-byte aligned, and the caller keeps it mapped until the child has
    // ended. child_task only stores into and loads from a static atomic,
    // so even in our memory (CLONE_VM) it touches neither the allocator
    // nor thread-locals, which it would share with this thread without
    // being it.
    let tid = unsafe { libc::clone(child_task, stack.top(), flags, std::ptr::null_mut()) };
    nix::errno::Errno::result(tid).map(Pid::from_raw)
}

/// The new task's whole life: store CHILD_WRITES into VARIABLE, read it
/// back, and return it, which glibc's wrapper passes to exit(2), so it
/// comes back to the parent as the exit status.
extern "C" fn child_task(_: *mut c_void) -> c_int {
    VARIABLE.store(CHILD_WRITES, Ordering::SeqCst);
    VARIABLE.load(Ordering::SeqCst)
}

/// The clone flags by name, as strace writes them: the sharing flags
/// (those of threads, of which this demo passes only CLONE_VM), then the
/// signal the parent gets when the child ends.
fn flag_names(flags: c_int) -> String {
    let known = [
        (libc::CLONE_VM, "CLONE_VM"),
        (libc::CLONE_FS, "CLONE_FS"),
        (libc::CLONE_FILES, "CLONE_FILES"),
        (libc::CLONE_SIGHAND, "CLONE_SIGHAND"),
        (libc::CLONE_THREAD, "CLONE_THREAD"),
    ];
    let mut names: Vec<&str> = known
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    match flags & 0xff {
        0 => {}
        libc::SIGCHLD => names.push("SIGCHLD"),
        _ => names.push("another signal"),
    }
    names.join("|")
}

/// A stack for the child, mapped apart from ours: with CLONE_VM the child
/// runs in our memory, and on our stack it would overwrite our frames.
struct Stack {
    base: NonNull<c_void>,
}

impl Stack {
    fn new() -> nix::Result<Stack> {
        let len = NonZeroUsize::new(STACK_SIZE).ok_or(nix::Error::EINVAL)?;
        // SAFETY: a fresh anonymous mapping at an address the kernel
        // chooses overlaps nothing the program uses.
        let base = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_PRIVATE | MapFlags::MAP_STACK,
            )
        }?;
        Ok(Stack { base })
    }

    /// Stacks grow down: the child starts at the highest address.
    fn top(&self) -> *mut c_void {
        // SAFETY: one past the end of the mapping, which is page-aligned.
        unsafe { self.base.as_ptr().cast::<u8>().add(STACK_SIZE).cast() }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by Stack::new with this length, and
        // the child that ran on it has been waited for.
        let _ = unsafe { munmap(self.base, STACK_SIZE) };
    }
}

/// The hand-made task, as it happened.
fn say_task(
    out: &Out,
    child: Pid,
    names: &str,
    before: i32,
    child_sees: Option<i32>,
    parent_sees: i32,
) {
    let parent = getpid();
    out.say(format_args!("[parent {parent}] clone({names}) = {child}"));
    out.say(format_args!("[parent] variable before clone = {before}"));
    out.say(match child_sees {
        Some(code) => {
            format!("[child {child}] exited with {code}: the value it read back after its write")
        }
        None => format!("[child {child}] did not exit normally"),
    });
    let seen = if parent_sees == CHILD_WRITES {
        "the child's write is seen"
    } else {
        "the child's write is not seen"
    };
    out.say(format_args!(
        "[parent] after waitpid, variable = {parent_sees}: {seen}"
    ));
    out.say(format_args!(
        "{:<18} passed here: clone({names})",
        "the demo's clone"
    ));
}
