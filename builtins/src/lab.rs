//! The lab demos as the shell knows them: for each, a name, a one-line
//! summary, a topic and its help text, and nothing else. Their code lives in
//! the `minishell-demos` crate (`builtins/demos/`) and runs in that crate's
//! binary, `minishell-lab`, installed beside the shell's: the shell looks a
//! demo up here and execs that binary, so it neither links the demos nor
//! their libraries (clap, serde, rayon), nor loads them at each start.
//! (Each help text is the file the demo itself prints for `--help`.)
//!
//! Which name runs what, the rule `type` reports and the executor follows:
//! - a demo's name runs the demo only when no program of that name is on
//!   `$PATH`: a demo never hides a program a student needs (`nice` is
//!   /usr/bin/nice; `pipe`, `clone` or `spawn` may be the student's own);
//! - `lab NAME [ARG ...]` always runs the demo, whatever PATH holds, and
//!   `lab` alone lists them all.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

/// The file name of the lab binary, beside the shell's own.
pub const BINARY: &str = "minishell-lab";

/// The lab binary that goes with the running shell: `minishell-lab` in the
/// directory of the shell's own executable (where `cargo build` and
/// `cargo install` put both). `None` if it is not there.
pub fn binary() -> Option<PathBuf> {
    let lab = std::env::current_exe().ok()?.with_file_name(BINARY);
    lab.is_file().then_some(lab)
}

/// What the shell says when a demo's name is typed but the lab binary was
/// not built: how to build it, rather than the course's "Execution failed".
pub fn missing(name: &[u8]) -> Vec<u8> {
    [
        &b"minishell: "[..],
        name,
        b": the lab demos are not built (cargo build -p minishell-demos puts ",
        BINARY.as_bytes(),
        b" beside minishell)\n",
    ]
    .concat()
}

/// `lab NAME [ARG ...]`: the entry point that always reaches a demo.
pub static LAB: Builtin = demo(
    "lab",
    Group::Shell,
    "run a lab demo by name, even one a program on PATH hides: lab NAME [ARG ...]",
    "lab [NAME [ARG ...]]
    Run the lab demo NAME with its ARGs. A demo's name alone runs the demo
    only when no program of that name is on $PATH (a demo never hides a
    program: `nice` runs /usr/bin/nice, `lab nice` the demo); `lab NAME`
    runs the demo whatever PATH holds. With no NAME, list the demos.
    `type NAME` says which one a name runs.
",
);

/// One demo's entry: it runs in a process of its own, in the lab binary.
const fn demo(
    name: &'static str,
    group: Group,
    summary: &'static str,
    help: &'static str,
) -> Builtin {
    Builtin {
        name,
        summary,
        help,
        place: Place::Process,
        group,
        // The lab binary answers `--help` itself, with this same text.
        help_option: false,
        run,
    }
}

/// Runs a demo in the process it is given, by becoming the lab binary. The
/// shell never calls this in its own process: its lookup sends a demo's
/// name straight to the lab binary. It is reached where a process was
/// started for the demo under the shell's binary (a link named after a
/// demo), and there the lab binary takes the process over.
fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let Some((zero, rest)) = args.split_first() else {
        return 2;
    };
    let name = zero.to_string_lossy();
    let Some(lab) = binary() else {
        let _ = ctx.stderr().write_all(&missing(name.as_bytes()));
        return 127;
    };
    let mut command = std::process::Command::new(lab);
    command.arg0(zero).args(rest);
    // `exec` returns only when execve failed.
    let error = command.exec();
    let _ = writeln!(
        ctx.stderr(),
        "minishell: {name}: {}",
        crate::errors::plain(&error)
    );
    126
}

pub static BARRIER: Builtin = demo(
    "barrier",
    Group::Synchronization,
    "N threads say before/after: with a barrier every before comes first",
    include_str!("../demos/src/sync/barrier.txt"),
);

pub static BROKEN_LOCK: Builtin = demo(
    "broken-lock",
    Group::Synchronization,
    "the lab's `if (lock == 0) lock = 1`: both threads inside, caught and counted",
    include_str!("../demos/src/sync/broken_lock.txt"),
);

pub static CLONE: Builtin = demo(
    "clone",
    Group::Processes,
    "clone a task with or without CLONE_VM: does the parent see its write?",
    include_str!("../demos/src/processes/clone.txt"),
);

pub static CONDITION: Builtin = demo(
    "condition",
    Group::Synchronization,
    "a thread waits on a condition variable until the main thread notifies it",
    include_str!("../demos/src/sync/condition.txt"),
);

pub static COOPERATIVE: Builtin = demo(
    "cooperative",
    Group::Scheduling,
    "a user-level cooperative scheduler: tasks run until they yield",
    include_str!("../demos/src/sched/cooperative.txt"),
);

pub static COW: Builtin = demo(
    "cow",
    Group::Processes,
    "fork, then count the page faults of reading and of writing shared pages",
    include_str!("../demos/src/processes/cow.txt"),
);

pub static CREATE_COST: Builtin = demo(
    "create-cost",
    Group::Processes,
    "creating a thread vs a process, and switching between them: medians side by side",
    include_str!("../demos/src/processes/create_cost.txt"),
);

pub static CREATE_PROCESS: Builtin = demo(
    "create-process",
    Group::Processes,
    "fork a child, wait for it, decode its exit code",
    include_str!("../demos/src/processes/create_process.txt"),
);

pub static CTX_SWITCH: Builtin = demo(
    "ctx-switch",
    Group::Processes,
    "voluntary and nonvoluntary context switches of a CPU-bound or I/O-bound loop",
    include_str!("../demos/src/processes/ctx_switch.txt"),
);

pub static DEADLOCK: Builtin = demo(
    "deadlock",
    Group::Synchronization,
    "two threads take two locks in opposite order: a cycle, detected",
    include_str!("../demos/src/sync/deadlock.txt"),
);

pub static EXEC_FDS: Builtin = demo(
    "exec-fds",
    Group::Processes,
    "descriptors survive execve unless O_CLOEXEC: the demo execs itself and looks",
    include_str!("../demos/src/processes/exec_fds.txt"),
);

pub static GIL: Builtin = demo(
    "gil",
    Group::Synchronization,
    "var += 1 / var -= 1 as bytecodes, without and with a global interpreter lock",
    include_str!("../demos/src/sync/gil.txt"),
);

pub static GRANULARITY: Builtin = demo(
    "granularity",
    Group::Synchronization,
    "one lock around the whole loop or one per increment: time vs parallelism",
    include_str!("../demos/src/sync/granularity.txt"),
);

pub static MULTITHREADED: Builtin = demo(
    "multithreaded",
    Group::Threads,
    "N threads sleep at once: the run takes one sleep, not N",
    include_str!("../demos/src/threads/multithreaded.txt"),
);

pub static NICE: Builtin = demo(
    "nice",
    Group::Scheduling,
    "two CPU-bound processes at different nice values: CPU shares against CFS weights",
    include_str!("../demos/src/sched/nice.txt"),
);

pub static ORPHAN: Builtin = demo(
    "orphan",
    Group::Processes,
    "the parent exits first: its child is adopted, and says by whom",
    include_str!("../demos/src/processes/orphan.txt"),
);

pub static PIPE: Builtin = demo(
    "pipe",
    Group::Processes,
    "EAGAIN from an empty non-blocking pipe; which shared-pipe writes stay whole",
    include_str!("../demos/src/processes/pipe.txt"),
);

pub static PTREE: Builtin = demo(
    "ptree",
    Group::Processes,
    "the process tree under the shell, from /proc, like ps -e -H",
    include_str!("../demos/src/processes/ptree.txt"),
);

pub static RACE_CONDITION: Builtin = demo(
    "race-condition",
    Group::Synchronization,
    "threads increment one var: lost updates, then atomic, spinlock, mutex",
    include_str!("../demos/src/sync/race_condition.txt"),
);

pub static REENTRANCY: Builtin = demo(
    "reentrancy",
    Group::Synchronization,
    "the lecture's four add2 functions under threads and under a signal handler",
    include_str!("../demos/src/sync/reentrancy.txt"),
);

pub static SCHEDULE: Builtin = demo(
    "schedule",
    Group::Scheduling,
    "simulate fcfs, round-robin, priority or CFS: Gantt chart and times",
    include_str!("../demos/src/sched/schedule.txt"),
);

pub static SEMAPHORE: Builtin = demo(
    "semaphore",
    Group::Synchronization,
    "a server with P slots serves WORKERS requests: never more than P inside",
    include_str!("../demos/src/sync/semaphore.txt"),
);

pub static SHARED_MEMORY: Builtin = demo(
    "shared-memory",
    Group::Synchronization,
    "parent and child share an mmap'd page: MAP_SHARED shows the child's write",
    include_str!("../demos/src/sync/shared_memory.txt"),
);

pub static SIGCHLD: Builtin = demo(
    "sigchld",
    Group::Processes,
    "reap children in a SIGCHLD handler, against never waiting and blocking",
    include_str!("../demos/src/processes/sigchld.txt"),
);

pub static SLEEPY: Builtin = demo(
    "sleepy",
    Group::Processes,
    "start N sleep processes; exit at once (orphans) or wait for them",
    include_str!("../demos/src/processes/sleepy.txt"),
);

pub static SPAWN: Builtin = demo(
    "spawn",
    Group::Processes,
    "run a command by fork+exec, vfork, posix_spawn or system: processes and time",
    include_str!("../demos/src/processes/spawn.txt"),
);

pub static SUM_ARRAY: Builtin = demo(
    "sum-array",
    Group::Threads,
    "sum 100 million ints with loops, threads, processes, a library and a GIL",
    include_str!("../demos/src/threads/sum_array.txt"),
);

pub static SUM_ARRAY_BUGS: Builtin = demo(
    "sum-array-bugs",
    Group::Threads,
    "a segfault or a stray write in one worker: threads versus processes",
    include_str!("../demos/src/threads/sum_array_bugs.txt"),
);

pub static THREAD_ATTRS: Builtin = demo(
    "thread-attrs",
    Group::Threads,
    "what threads share (PID, cwd, descriptors) and keep (TID, mask, errno)",
    include_str!("../demos/src/threads/thread_attrs.txt"),
);

pub static THREAD_STACKS: Builtin = demo(
    "thread-stacks",
    Group::Threads,
    "each new thread maps an 8 MiB stack and a guard page (/proc/self/maps)",
    include_str!("../demos/src/threads/thread_stacks.txt"),
);

pub static TLS: Builtin = demo(
    "tls",
    Group::Synchronization,
    "the race-condition counter as a thread_local: a copy per thread, no race",
    include_str!("../demos/src/sync/tls.txt"),
);

pub static USER_THREADS: Builtin = demo(
    "user-threads",
    Group::Threads,
    "a blocking read stalls every user-level thread, but not other kernel threads",
    include_str!("../demos/src/threads/user_threads.txt"),
);

pub static WAIT_FOR_ME: Builtin = demo(
    "wait-for-me",
    Group::Processes,
    "a child writes a file, the parent reads it: with or without waiting",
    include_str!("../demos/src/processes/wait_for_me.txt"),
);

pub static ZOMBIE: Builtin = demo(
    "zombie",
    Group::Processes,
    "a child exits, the parent does not wait: state Z until waitpid",
    include_str!("../demos/src/processes/zombie.txt"),
);
