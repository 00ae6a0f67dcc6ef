//! `clone`: the lab's guide "Threads and Processes: clone": fork and
//! pthread_create are both the clone system call, with different flags.
//! The demo calls clone itself, with or without CLONE_VM; the new task
//! writes a variable, and the parent looks whether it sees the write.

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
use crate::{Output, emit, options};

const HELP: &str = include_str!("clone.txt");

#[derive(Parser)]
#[command(name = "clone", override_help = HELP)]
struct Options {
    #[arg(long)]
    share_vm: bool,
    #[command(flatten)]
    output: Output,
}

/// What the child stores into VARIABLE.
const CHILD_WRITES: i32 = 42;

/// The variable the child writes, a global as in the lab's C programs: it
/// lives as long as any task that could write it. Atomic, because with
/// CLONE_VM two tasks share it.
static VARIABLE: AtomicI32 = AtomicI32::new(0);

/// The flags of the lab's `strace -e clone,clone3 ./sum_array_threads 2`.
const LAB_PTHREAD_CREATE: &str = "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID";
/// The flags of the lab's `strace -e clone,clone3 ./sum_array_processes 2`.
const LAB_FORK: &str = "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD";

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
    /// The flags as the lab text shows them, for comparison.
    lab_pthread_create: &'static str,
    lab_fork: &'static str,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = match measure(options.share_vm) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice = if report.shared {
        "with CLONE_VM the child ran in the parent's memory, as a thread does: its write is the parent's"
    } else {
        "without CLONE_VM the child wrote into its own copy of memory, as after fork: the parent's is unchanged"
    };
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            notice,
            "fork and pthread_create are both clone: the flags choose what parent and child share",
        ],
    )
}

fn measure(share_vm: bool) -> Result<Report, String> {
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
    Ok(Report {
        parent: getpid().as_raw(),
        flags,
        flag_names: flag_names(flags),
        child: child.as_raw(),
        before,
        child_sees,
        parent_sees,
        shared: parent_sees == CHILD_WRITES,
        lab_pthread_create: LAB_PTHREAD_CREATE,
        lab_fork: LAB_FORK,
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

fn human(report: &Report) -> String {
    let child = match report.child_sees {
        Some(code) => format!("exited with {code}: the value it read back after its write"),
        None => "did not exit normally".to_owned(),
    };
    let seen = if report.shared {
        "the child's write is seen"
    } else {
        "the child's write is not seen"
    };
    format!(
        "[parent {}] clone({}) = {}\n\
         [parent] variable before clone = {}\n\
         [child {}] {child}\n\
         [parent] after waitpid, variable = {}: {seen}\n\
         flags passed here:       {}\n\
         fork (lab's strace):     {}\n\
         pthread_create (lab's):  {}\n",
        report.parent,
        report.flag_names,
        report.child,
        report.before,
        report.child,
        report.parent_sees,
        report.flag_names,
        report.lab_fork,
        report.lab_pthread_create,
    )
}
