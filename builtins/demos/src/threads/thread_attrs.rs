//! `thread-attrs`: Lesson 8's list of what the threads of a process share
//! and what each keeps for itself, observed rather than recited. Three
//! threads (main and two spawned) each report their PID, PPID and TID, the
//! current directory, the open descriptors, their signal mask and their
//! errno. Thread 1 changes the directory and opens a file, and every
//! thread sees both; thread 2 blocks SIGUSR1, and only its mask has it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::thread;

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::stat::Mode;
use nix::unistd::{chdir, getpid, getppid, gettid, mkdir};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, options};

const HELP: &str = include_str!("thread_attrs.txt");

#[derive(Parser)]
#[command(name = "thread-attrs", override_help = HELP)]
struct Options {
    #[command(flatten)]
    output: Output,
}

/// The three threads and the part each plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Changes nothing; fails with ENOENT.
    Main,
    /// Changes directory and opens a file; fails with EBADF.
    Mover,
    /// Blocks SIGUSR1 in its own mask; fails with EEXIST.
    Blocker,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Main => "main",
            Role::Mover => "thread 1",
            Role::Blocker => "thread 2",
        }
    }

    /// A call that fails, a different one in each thread, leaving errno
    /// set. nix passes a short path on the stack, so nothing runs after the
    /// system call that could touch errno again.
    fn fail(self) -> &'static str {
        match self {
            Role::Main => {
                let _ = open("/nonexistent", OFlag::O_RDONLY, Mode::empty());
                "open(\"/nonexistent\")"
            }
            Role::Mover => {
                let _ = nix::unistd::close(-1);
                "close(-1)"
            }
            Role::Blocker => {
                let _ = mkdir("/", Mode::S_IRWXU);
                "mkdir(\"/\")"
            }
        }
    }
}

/// What one thread sees of the process at one step.
#[derive(Debug, Serialize, Clone)]
struct Look {
    cwd: String,
    /// Entries of /proc/self/fd, less the one the listing itself holds open.
    open_fds: usize,
    /// The signals this thread's mask blocks, by name.
    blocked: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct ErrnoSeen {
    /// The failing call this thread made.
    call: &'static str,
    /// Its errno, read after all three threads had failed.
    errno: i32,
    name: String,
    /// Where this thread's errno lives (`&errno`, __errno_location()).
    address: String,
}

#[derive(Debug, Serialize)]
struct ThreadReport {
    name: &'static str,
    pid: i32,
    ppid: i32,
    tid: i32,
    /// The address of a local variable: it lies on this thread's stack.
    stack_local: String,
    /// What this thread did at step 2.
    changed: String,
    before: Look,
    after: Look,
    errno: ErrnoSeen,
}

#[derive(Debug, Serialize)]
struct Report {
    /// Main, thread 1, thread 2.
    threads: Vec<ThreadReport>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = match measure() {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            "shared by all: PID and PPID, the current directory, the descriptor table",
            "each its own: TID, stack, signal mask and errno (even its address differs)",
        ],
    )
}

/// What the threads share to keep in step.
struct Steps {
    /// Each step ends when all three threads reach it.
    barrier: Barrier,
    /// One thread at a time lists /proc/self/fd: the listing holds a
    /// descriptor open, which another thread's count would include.
    listing: Mutex<()>,
    /// How many threads have made their failing call.
    failed: AtomicUsize,
    /// Where thread 1 goes.
    dir: PathBuf,
}

const THREADS: usize = 3;

fn measure() -> Result<Report, String> {
    let start_dir = std::env::current_dir().map_err(|e| format!("getcwd: {e}"))?;
    let dir = std::env::temp_dir().join(format!("thread-attrs.{}", getpid()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let steps = Steps {
        barrier: Barrier::new(THREADS),
        listing: Mutex::new(()),
        failed: AtomicUsize::new(0),
        dir,
    };
    let shared = &steps;
    let threads = thread::scope(|scope| {
        let spawned: Vec<_> = [Role::Mover, Role::Blocker]
            .into_iter()
            .map(|role| scope.spawn(move || observe(role, shared)))
            .collect();
        let mut threads = vec![observe(Role::Main, shared)];
        threads.extend(spawned.into_iter().filter_map(|h| h.join().ok()));
        threads
    });
    // Put the process back where it was and remove thread 1's file. The
    // file was closed when thread 1 ended.
    let _ = std::env::set_current_dir(&start_dir);
    let _ = std::fs::remove_file(steps.dir.join(FILE));
    let _ = std::fs::remove_dir(&steps.dir);
    if threads.len() != THREADS {
        return Err("a thread panicked".to_owned());
    }
    Ok(Report { threads })
}

/// The file thread 1 creates, by a name relative to its new directory.
const FILE: &str = "opened-by-thread-1";

/// One thread's run through the steps. Nothing here returns early: every
/// thread must reach every barrier, or the others would wait forever.
fn observe(role: Role, steps: &Steps) -> ThreadReport {
    let local = 0u8;
    let stack_local = format!("{:#x}", &raw const local as usize);

    // Step 1.
    let before = look(&steps.listing);
    steps.barrier.wait();

    // Step 2. Thread 1 keeps its file open until it returns, after step 3.
    let mut _file = None;
    let changed = match role {
        Role::Main => "nothing".to_owned(),
        Role::Mover => {
            let moved = chdir(&steps.dir);
            let opened = std::fs::File::create(FILE);
            let said = format!(
                "chdir(\"{}\") {}, open(\"{FILE}\") {}",
                steps.dir.display(),
                outcome(moved),
                outcome(opened.as_ref().map(|_| ())),
            );
            _file = opened.ok();
            said
        }
        Role::Blocker => {
            let blocked = SigSet::from(Signal::SIGUSR1).thread_block();
            format!(
                "pthread_sigmask(SIG_BLOCK, {{SIGUSR1}}) {}",
                outcome(blocked)
            )
        }
    };
    steps.barrier.wait();

    // Step 3.
    let after = look(&steps.listing);
    steps.barrier.wait();

    // Step 4. The wait is a spin on an atomic, not a barrier: a barrier
    // may sleep in a futex call, whose EAGAIN would overwrite errno.
    // sched_yield, behind yield_now, never fails, so it leaves errno be.
    let call = role.fail();
    steps.failed.fetch_add(1, Ordering::SeqCst);
    while steps.failed.load(Ordering::SeqCst) < THREADS {
        thread::yield_now();
    }
    let errno = Errno::last();
    // SAFETY: __errno_location has no preconditions; it returns the
    // address of the calling thread's errno, which is only printed.
    let address = format!("{:#x}", unsafe { libc::__errno_location() } as usize);

    ThreadReport {
        name: role.name(),
        pid: getpid().as_raw(),
        ppid: getppid().as_raw(),
        tid: gettid().as_raw(),
        stack_local,
        changed,
        before,
        after,
        errno: ErrnoSeen {
            call,
            errno: errno as i32,
            name: format!("{errno:?}"),
            address,
        },
    }
}

fn outcome(result: Result<(), impl std::fmt::Display>) -> String {
    match result {
        Ok(()) => "succeeded".to_owned(),
        Err(e) => format!("failed: {e}"),
    }
}

/// The current directory, the open descriptors and the calling thread's
/// blocked signals, as this thread sees them now.
fn look(listing: &Mutex<()>) -> Look {
    let cwd = match std::env::current_dir() {
        Ok(dir) => dir.display().to_string(),
        Err(e) => format!("? ({e})"),
    };
    let open_fds = {
        let _turn = listing.lock();
        count_fds(Path::new("/proc/self/fd"))
    };
    let blocked = match SigSet::thread_get_mask() {
        Ok(mask) => Signal::iterator()
            .filter(|s| mask.contains(*s))
            .map(Signal::as_str)
            .collect(),
        Err(_) => vec!["?"],
    };
    Look {
        cwd,
        open_fds,
        blocked,
    }
}

/// The descriptors open in the process, not counting the one reading the
/// directory, which is among the entries while it is listed.
fn count_fds(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count().saturating_sub(1))
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "{:<9} {:>7} {:>7} {:>7}  {}\n",
        "", "PID", "PPID", "TID", "a local variable at"
    );
    for t in &report.threads {
        text.push_str(&format!(
            "{:<9} {:>7} {:>7} {:>7}  {}\n",
            t.name, t.pid, t.ppid, t.tid, t.stack_local
        ));
    }
    let looks = |text: &mut String, title: &str, pick: fn(&ThreadReport) -> &Look| {
        text.push_str(&format!("{title}\n"));
        for t in &report.threads {
            let look = pick(t);
            let blocked = if look.blocked.is_empty() {
                "none".to_owned()
            } else {
                look.blocked.join(" ")
            };
            text.push_str(&format!(
                "  {:<9} cwd {:<28} open fds {:<3} blocked {blocked}\n",
                t.name, look.cwd, look.open_fds
            ));
        }
    };
    looks(&mut text, "step 1, before:", |t| &t.before);
    text.push_str("step 2:\n");
    for t in report.threads.iter().filter(|t| t.changed != "nothing") {
        text.push_str(&format!("  {:<9} {}\n", t.name, t.changed));
    }
    looks(&mut text, "step 3, after:", |t| &t.after);
    text.push_str("step 4, errno read once all three calls had failed:\n");
    for t in &report.threads {
        text.push_str(&format!(
            "  {:<9} {:<22} errno {} ({}), errno at {}\n",
            t.name, t.errno.call, t.errno.errno, t.errno.name, t.errno.address
        ));
    }
    text
}
