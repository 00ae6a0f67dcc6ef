//! `shared-memory`: lesson 8's shared memory pages. The parent maps one
//! anonymous page and forks; the child writes a value into it and the
//! parent reads it. With MAP_SHARED both processes' page tables point at
//! the same frame and the parent sees the write; with MAP_PRIVATE the
//! child's write lands in its own copy-on-write copy. A process-shared
//! POSIX semaphore in the same page makes the parent wait for the write.

use std::cell::UnsafeCell;
use std::num::NonZeroUsize;
use std::os::fd::OwnedFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use nix::errno::Errno;
use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid};
use serde::Serialize;

use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("shared_memory.txt");

#[derive(Parser)]
#[command(name = "shared-memory", override_help = HELP)]
struct Options {
    #[arg(long)]
    private: bool,
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    delay: u64,
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    timeout: u64,
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

/// What the child writes; the page holds 0 before.
const CHILD_WRITES: i64 = 42;

/// The start of the page, as both processes see it.
#[repr(C)]
struct Shared {
    /// Posted by the child once `value` is written. glibc changes it
    /// behind shared references, hence the UnsafeCell.
    written: UnsafeCell<libc::sem_t>,
    /// An atomic, since another process writes it while this one may read.
    value: AtomicI64,
}

/// The mapped page with a [`Shared`] at its start.
struct Page {
    start: NonNull<Shared>,
    len: usize,
}

impl Page {
    /// Maps one page, MAP_SHARED or MAP_PRIVATE, and initialises the value
    /// and the process-shared semaphore in it.
    fn map(private: bool) -> Result<Page, String> {
        // SAFETY: sysconf has no preconditions.
        let len = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
            n if n > 0 => n as usize,
            _ => 4096,
        };
        let kind = if private {
            MapFlags::MAP_PRIVATE
        } else {
            MapFlags::MAP_SHARED
        };
        // SAFETY: a fresh anonymous mapping at an address of the kernel's
        // choosing aliases nothing of ours.
        let start = unsafe {
            mmap_anonymous(
                None,
                NonZeroUsize::new(len).unwrap_or(NonZeroUsize::MIN),
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                kind,
            )
        }
        .map_err(|e| format!("mmap: {e}"))?
        .cast::<Shared>();
        // SAFETY: the page is page-aligned, zero-filled and larger than a
        // Shared, whose every field is valid as zeros (sem_init then makes
        // the semaphore proper). Nothing else refers to the page yet.
        let shared = unsafe { start.as_ref() };
        shared.value.store(0, Ordering::SeqCst);
        // SAFETY: the sem_t lies in memory we own for the page's lifetime;
        // pshared = 1 asks for a semaphore that works across processes,
        // which glibc supports in memory mapped MAP_SHARED.
        if unsafe { libc::sem_init(shared.written.get(), 1, 0) } != 0 {
            let error = Errno::last();
            // SAFETY: unmapping the page we just mapped, unused elsewhere.
            let _ = unsafe { munmap(start.cast(), len) };
            return Err(format!("sem_init: {error}"));
        }
        Ok(Page { start, len })
    }

    fn shared(&self) -> &Shared {
        // SAFETY: the page stays mapped while self lives, and Shared's
        // fields are only changed through their own interior mutability.
        unsafe { self.start.as_ref() }
    }

    /// The page's address in this process (the child has it at the same
    /// address: fork copies the address space layout).
    fn address(&self) -> usize {
        self.start.as_ptr() as usize
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        // SAFETY: the semaphore was initialised in Page::map and nobody
        // waits on it any more (the child has been reaped, or never
        // existed); then the page is unmapped, and no reference to it
        // outlives self.
        unsafe {
            libc::sem_destroy(self.shared().written.get());
            let _ = munmap(self.start.cast(), self.len);
        }
    }
}

/// How the parent's wait on the semaphore ended.
#[derive(Debug, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum WaitEnd {
    /// sem_timedwait returned 0: the semaphore was posted.
    Posted,
    /// ETIMEDOUT: nobody posted this process's semaphore in time.
    TimedOut,
}

#[derive(Debug, Serialize)]
struct Report {
    mapping: &'static str,
    page_bytes: usize,
    /// Where the page is mapped, in hex.
    address: String,
    parent_pid: i32,
    child_pid: i32,
    /// The value in the page before fork.
    before: i64,
    /// What the child writes after its delay.
    child_writes: i64,
    delay_ms: u64,
    /// What the child read back after its write: its exit status.
    child_sees: Option<i32>,
    /// How the parent's sem_timedwait ended, and after how long.
    wait: WaitEnd,
    waited_ms: f64,
    timeout_ms: u64,
    /// What the parent read right after its wait.
    parent_sees_after_wait: i64,
    /// What it read after the child had exited and been reaped.
    parent_sees_after_exit: i64,
    /// Whether the parent saw the child's write, read after waitpid: by
    /// then the child has written, whenever the wait ended.
    shared: bool,
    /// How long both processes were kept with the page mapped, after the
    /// child's write (--hold, --pause).
    held_ms: f64,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if let Err(e) = options.hold.check() {
        return io.fail(e, 2);
    }
    let report = match measure(io, &options) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice = notice(&report, options.private);
    let notice: Vec<&str> = notice.iter().map(String::as_str).collect();
    emit(io, &options.output, &report, human, &notice)
}

/// The two "what to notice" lines: one for the mapping and what the
/// parent saw after waitpid, one for how its wait ended.
fn notice(report: &Report, private: bool) -> [String; 2] {
    let page = match (private, report.shared, report.wait) {
        (true, _, _) => {
            "MAP_PRIVATE: the child's write went to its own copy-on-write copy of the page; the parent's is unchanged"
        }
        (false, true, WaitEnd::Posted) => {
            "MAP_SHARED: parent and child map the same page, so the parent reads what the child wrote"
        }
        (false, true, WaitEnd::TimedOut) => {
            "MAP_SHARED: parent and child map the same page, so after waitpid the parent reads what the child wrote"
        }
        (false, false, _) => {
            "MAP_SHARED, yet after waitpid the parent does not read 42: the child never wrote it"
        }
    };
    let wait = match (private, report.wait) {
        (_, WaitEnd::Posted) => {
            "the parent's sem_wait returned only after the child's sem_post: the semaphore lives in the shared page"
                .to_owned()
        }
        (true, WaitEnd::TimedOut) => {
            "the semaphore was copied too: the child posted its copy, so only the timeout ended the parent's wait"
                .to_owned()
        }
        (false, WaitEnd::TimedOut) if report.timeout_ms < report.delay_ms => format!(
            "the wait timed out before the child's post: --timeout {} ms is shorter than --delay {} ms",
            report.timeout_ms, report.delay_ms
        ),
        (false, WaitEnd::TimedOut) => format!(
            "the wait timed out before the child's post: the child took longer than --timeout {} ms to write",
            report.timeout_ms
        ),
    };
    [page.to_owned(), wait]
}

fn measure(io: &Io, options: &Options) -> Result<Report, String> {
    let page = Page::map(options.private)?;
    // With --hold the child waits, after its post, until this pipe closes.
    let (go_read, go_write) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let hold = options.hold.wanted();
    let shared = page.shared();
    let before = shared.value.load(Ordering::SeqCst);
    let delay = Duration::from_millis(options.delay);
    let parent = getpid();
    // SAFETY: the demo runs alone in its process with a single thread; the
    // child only calls prctl, sleeps, stores an atomic, posts a semaphore
    // and _exits, all async-signal-safe.
    let child = match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            drop(go_write);
            child(shared, delay, parent, hold.then_some(&go_read))
        }
        ForkResult::Parent { child } => child,
    };
    drop(go_read);
    if !options.output.json {
        io.out.line(format_args!(
            "[parent] PID {parent}: forked child {child} over a {} page at {:#x}; waiting on the semaphore...",
            if options.private { "MAP_PRIVATE" } else { "MAP_SHARED" },
            page.address()
        ));
    }
    let began = Instant::now();
    let wait = timed_wait(shared, Duration::from_millis(options.timeout))
        .map_err(|e| format!("sem_timedwait: {e}"))?;
    let waited_ms = millis(began.elapsed());
    let parent_sees_after_wait = shared.value.load(Ordering::SeqCst);
    let address = format!("{:x}", page.address());
    let looks = [
        format!("grep {address} /proc/{parent}/maps /proc/{child}/maps"),
        hold::maps(child.as_raw()),
    ];
    let held_ms = options.hold.keep(
        io,
        options.output.json,
        &format!("parent {parent} and child {child}, both with the page mapped ('s' in rw-s: shared; 'p': private)"),
        &looks,
    );
    drop(go_write);
    let status = waitpid(child, None).map_err(|e| format!("waitpid: {e}"))?;
    let parent_sees_after_exit = shared.value.load(Ordering::SeqCst);
    let child_sees = match status {
        WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    };
    Ok(Report {
        mapping: if options.private {
            "MAP_PRIVATE"
        } else {
            "MAP_SHARED"
        },
        page_bytes: page.len,
        address: format!("{:#x}", page.address()),
        parent_pid: parent.as_raw(),
        child_pid: child.as_raw(),
        before,
        child_writes: CHILD_WRITES,
        delay_ms: options.delay,
        child_sees,
        wait,
        waited_ms,
        timeout_ms: options.timeout,
        parent_sees_after_wait,
        parent_sees_after_exit,
        // Not the read after the wait: a wait that timed out may end
        // before the child writes, even with MAP_SHARED.
        shared: parent_sees_after_exit == CHILD_WRITES,
        held_ms,
    })
}

/// The child's side: work a while, write, post, exit with what it reads.
fn child(shared: &Shared, delay: Duration, parent: Pid, go: Option<&OwnedFd>) -> ! {
    // Ask the kernel to kill this child when the demo dies, so that a demo
    // killed alone (kill -9 PID) leaves no child sleeping on. The demo may
    // have died before the request was made: then there is no one to
    // write for.
    if set_pdeathsig(Signal::SIGKILL).is_err() || getppid() != parent {
        // SAFETY: _exit ends the child without running the parent's exit
        // handlers or unwinding into the parent's code.
        unsafe { libc::_exit(1) }
    }
    std::thread::sleep(delay);
    shared.value.store(CHILD_WRITES, Ordering::SeqCst);
    // SAFETY: the semaphore was initialised before fork; with MAP_SHARED
    // this is the parent's semaphore, with MAP_PRIVATE the child's copy.
    unsafe { libc::sem_post(shared.written.get()) };
    let seen = shared.value.load(Ordering::SeqCst);
    // Held: stay, with the page mapped, until the parent closes `go`.
    if let Some(go) = go {
        let mut byte = [0u8; 1];
        while let Err(Errno::EINTR) = nix::unistd::read(go, &mut byte) {}
    }
    // SAFETY: _exit ends the child without running the parent's exit
    // handlers or unwinding into the parent's code.
    unsafe { libc::_exit(seen as i32) }
}

/// Waits until the semaphore is posted or `timeout` has passed.
fn timed_wait(shared: &Shared, timeout: Duration) -> Result<WaitEnd, Errno> {
    // sem_timedwait takes an absolute CLOCK_REALTIME deadline.
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we pass.
    if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut now) } != 0 {
        return Err(Errno::last());
    }
    let nanos = now.tv_nsec as u64 + u64::from(timeout.subsec_nanos());
    let deadline = libc::timespec {
        tv_sec: now.tv_sec
            + timeout.as_secs() as libc::time_t
            + (nanos / 1_000_000_000) as libc::time_t,
        tv_nsec: (nanos % 1_000_000_000) as libc::c_long,
    };
    loop {
        // SAFETY: the semaphore was initialised in Page::map and the page
        // is still mapped; the deadline is a valid timespec.
        if unsafe { libc::sem_timedwait(shared.written.get(), &deadline) } == 0 {
            return Ok(WaitEnd::Posted);
        }
        match Errno::last() {
            Errno::EINTR => continue,
            Errno::ETIMEDOUT => return Ok(WaitEnd::TimedOut),
            other => return Err(other),
        }
    }
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "[parent] PID {}: one page ({} bytes) at {} mapped {}, value = {}, semaphore count 0 (pshared = 1)\n",
        report.parent_pid, report.page_bytes, report.address, report.mapping, report.before
    );
    text.push_str(&format!(
        "[parent] forked child PID {}; it sleeps {} ms, writes {}, posts the semaphore\n",
        report.child_pid, report.delay_ms, report.child_writes
    ));
    match report.child_sees {
        Some(code) => text.push_str(&format!(
            "[child] read back {code} after its write (its exit status)\n"
        )),
        None => text.push_str("[child] did not exit normally\n"),
    }
    let wait = match report.wait {
        WaitEnd::Posted => "posted".to_owned(),
        WaitEnd::TimedOut => format!("ETIMEDOUT (timeout {} ms)", report.timeout_ms),
    };
    text.push_str(&format!(
        "[parent] sem_timedwait ended after {:.1} ms: {wait}\n",
        report.waited_ms
    ));
    text.push_str(&format!(
        "[parent] reads value = {} after the wait, {} after waitpid\n",
        report.parent_sees_after_wait, report.parent_sees_after_exit
    ));
    text
}
