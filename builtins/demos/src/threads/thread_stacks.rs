//! `thread-stacks`: the lab's "Memory Layout of Multithreaded Programs":
//! every new thread gets a stack of its own, an 8 MiB region of virtual
//! memory with a guard page below it, and the process's total virtual size
//! grows by that much. The lab watches it with pmap; this demo diffs
//! /proc/self/maps (where pmap reads it) before and after each thread.

use std::os::fd::OwnedFd;

use clap::Parser;
use nix::fcntl::OFlag;
use nix::sys::resource::{Resource, getrlimit};
use nix::unistd::{getpid, gettid, pipe2};
use serde::Serialize;

use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Out, Output, options};

const HELP: &str = include_str!("thread_stacks.txt");

#[derive(Parser)]
#[command(name = "thread-stacks", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: u16,
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

/// One line of /proc/self/maps.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
struct Mapping {
    #[serde(serialize_with = "crate::hex")]
    start: u64,
    #[serde(serialize_with = "crate::hex")]
    end: u64,
    kib: u64,
    /// `rw-p`, `---p`, …: read, write, execute, private or shared.
    perms: String,
    /// The file or `[heap]`, `[stack]`…; empty for anonymous memory.
    path: String,
    /// What the demo found this mapping to be, for the new ones.
    role: &'static str,
}

#[derive(Debug, Serialize)]
struct NewThread {
    /// 1 for the first thread created.
    number: usize,
    tid: i32,
    /// The address of a local variable of the thread: it lies on its stack.
    #[serde(serialize_with = "crate::hex")]
    local: u64,
    /// The mappings that appeared while the thread was created.
    new: Vec<Mapping>,
    /// The new mapping holding `local`.
    stack_kib: Option<u64>,
    /// The no-access mapping ending where the stack starts.
    guard_kib: Option<u64>,
    total_kib_before: u64,
    total_kib_after: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    /// RLIMIT_STACK's soft limit in KiB, glibc's default thread stack size;
    /// `None` when unlimited.
    rlimit_stack_kib: Option<u64>,
    mappings_before: usize,
    total_kib_before: u64,
    threads: Vec<NewThread>,
    /// How long the threads were held for a look (--hold, --pause).
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
    let out = Out::new(io, &options.output);
    let report = match measure(io, &options, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The "what to notice" lines, from the mappings measured.
fn notice(report: &Report) -> Vec<String> {
    let found = report
        .threads
        .iter()
        .filter(|t| t.stack_kib.is_some() && t.guard_kib.is_some())
        .count();
    let mut lines = vec![format!(
        "{found} of the {} threads had a stack region of its own holding its local variable, with a no-access guard page just below",
        report.threads.len()
    )];
    if let (Some(first), Some(rlimit)) = (report.threads.first(), report.rlimit_stack_kib)
        && first.stack_kib == Some(rlimit)
    {
        lines.push(format!(
                "each stack is {rlimit} KiB, RLIMIT_STACK; pmap's total grew by a stack and a guard page per thread"
            ));
    }
    lines
}

/// The descriptors the parked threads use, owned by `measure`, which
/// joins every thread before it drops them.
struct Pipes {
    /// Each new thread writes its TID and the address of a local here.
    hello: OwnedFd,
    /// Each thread blocks reading this until `measure` closes the other
    /// end: EOF is the signal to return.
    park: OwnedFd,
}

/// A running thread's first words: its TID and where its local lives.
const HELLO: usize = 16;

fn measure(io: &Io, options: &Options, out: &Out) -> Result<Report, String> {
    let count = usize::from(options.threads);
    let (rlimit, _) = getrlimit(Resource::RLIMIT_STACK).map_err(|e| format!("getrlimit: {e}"))?;
    let (hello_read, hello_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let (park_read, park_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let pipes = Pipes {
        hello: hello_write,
        park: park_read,
    };
    let first = read_maps()?;
    let mut report = Report {
        rlimit_stack_kib: (rlimit != libc::RLIM_INFINITY).then_some(rlimit / 1024),
        mappings_before: first.len(),
        total_kib_before: total_kib(&first),
        threads: Vec::new(),
        held_ms: 0.0,
    };
    out.text(&heading(&report));
    let pid = getpid().as_raw();
    let looks = [hold::maps(pid), hold::threads(pid)];
    let mut started = Vec::new();
    let mut before = first;
    let mut failure = None;
    for number in 1..=count {
        let thread = match start_parked(&pipes) {
            Ok(thread) => thread,
            Err(e) => {
                failure = Some(format!("pthread_create: {e}"));
                break;
            }
        };
        started.push(thread);
        // Wait until the thread runs and says where its stack is; its
        // stack was mapped before pthread_create returned.
        let mut hello = [0u8; HELLO];
        if let Err(e) = read_exact(&hello_read, &mut hello) {
            failure = Some(format!("reading thread {number}: {e}"));
            break;
        }
        let after = match read_maps() {
            Ok(after) => after,
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        let tid = i32::from_ne_bytes([hello[0], hello[1], hello[2], hello[3]]);
        let local = u64::from_ne_bytes([
            hello[8], hello[9], hello[10], hello[11], hello[12], hello[13], hello[14], hello[15],
        ]);
        let thread = describe(number, tid, local, &before, &after);
        out.text(&one_thread(&thread));
        report.threads.push(thread);
        before = after;
        // The lab's multithreaded.c waits for a key before each thread,
        // for pmap in another terminal to see the stacks come one by one.
        report.held_ms += options.hold.keep(
            io,
            out.json(),
            &format!("{number} thread(s), each parked on its own stack"),
            &looks,
        );
    }
    // Closing the park pipe wakes every thread (read returns 0, EOF); each
    // returns and is joined before `pipes` goes away.
    drop(park_write);
    for thread in started {
        // SAFETY: `thread` was created joinable by pthread_create and is
        // joined once; it returns as soon as it reads EOF.
        unsafe { libc::pthread_join(thread, std::ptr::null_mut()) };
    }
    drop(pipes);
    match failure {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Creates a thread the way the lab's C program does: pthread_create with
/// default attributes, so glibc picks its stack size (RLIMIT_STACK) and
/// adds a guard page. Rust's `std::thread` would pick 2 MiB instead.
fn start_parked(pipes: &Pipes) -> Result<libc::pthread_t, nix::Error> {
    let mut thread: libc::pthread_t = 0;
    // SAFETY: null attributes mean the defaults; `parked` never unwinds
    // (it only makes system calls); its argument points to `pipes`, which
    // outlives the thread, as `measure` joins it before dropping them.
    let error = unsafe {
        libc::pthread_create(
            &mut thread,
            std::ptr::null(),
            parked,
            std::ptr::from_ref(pipes).cast_mut().cast(),
        )
    };
    match error {
        0 => Ok(thread),
        e => Err(nix::Error::from_raw(e)),
    }
}

/// The thread's body: say hello, then block until the park pipe closes.
/// It allocates nothing, so glibc gives it no malloc arena: the only new
/// mappings are its stack and guard.
extern "C" fn parked(pipes: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: `start_parked` passes a pointer to `Pipes` that stays valid
    // until this thread has been joined.
    let pipes = unsafe { &*pipes.cast::<Pipes>() };
    let local = 0u8;
    let mut hello = [0u8; HELLO];
    hello[..4].copy_from_slice(&gettid().as_raw().to_ne_bytes());
    hello[8..].copy_from_slice(&(&raw const local as u64).to_ne_bytes());
    // Sixteen bytes are under PIPE_BUF: one write, never split.
    let _ = nix::unistd::write(&pipes.hello, &hello);
    let mut byte = [0u8; 1];
    while let Err(nix::Error::EINTR) = nix::unistd::read(&pipes.park, &mut byte) {}
    std::ptr::null_mut()
}

fn read_exact(fd: &OwnedFd, buf: &mut [u8]) -> nix::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        match nix::unistd::read(fd, &mut buf[got..]) {
            Ok(0) => return Err(nix::Error::EPIPE),
            Ok(n) => got += n,
            Err(nix::Error::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The mappings that appeared with a thread, each named when the demo can
/// tell what it is: the one holding the thread's local variable is its
/// stack; a no-access one ending where the stack starts is its guard.
fn describe(
    number: usize,
    tid: i32,
    local: u64,
    before: &[Mapping],
    after: &[Mapping],
) -> NewThread {
    let mut new: Vec<Mapping> = after
        .iter()
        .filter(|m| {
            !before
                .iter()
                .any(|b| b.start == m.start && b.end == m.end && b.perms == m.perms)
        })
        .cloned()
        .collect();
    let stack = new
        .iter()
        .position(|m| m.start <= local && local < m.end)
        .map(|i| (i, new[i].start));
    let mut stack_kib = None;
    let mut guard_kib = None;
    if let Some((i, stack_start)) = stack {
        new[i].role = "stack";
        stack_kib = Some(new[i].kib);
        if let Some(guard) = new
            .iter_mut()
            .find(|m| m.end == stack_start && m.perms.starts_with("---"))
        {
            guard.role = "guard";
            guard_kib = Some(guard.kib);
        }
    }
    NewThread {
        number,
        tid,
        local,
        new,
        stack_kib,
        guard_kib,
        total_kib_before: total_kib(before),
        total_kib_after: total_kib(after),
    }
}

fn read_maps() -> Result<Vec<Mapping>, String> {
    let text =
        std::fs::read_to_string("/proc/self/maps").map_err(|e| format!("/proc/self/maps: {e}"))?;
    Ok(text.lines().filter_map(parse_mapping).collect())
}

/// `start-end perms offset dev inode [path]`, addresses in hex.
fn parse_mapping(line: &str) -> Option<Mapping> {
    let mut fields = line.split_whitespace();
    let (start, end) = fields.next()?.split_once('-')?;
    let perms = fields.next()?.to_owned();
    let path = fields.nth(3).unwrap_or("").to_owned();
    let start = u64::from_str_radix(start, 16).ok()?;
    let end = u64::from_str_radix(end, 16).ok()?;
    Some(Mapping {
        start,
        end,
        kib: (end - start) / 1024,
        perms,
        path,
        role: "",
    })
}

/// The process's virtual size: every mapping added up, as pmap's total.
fn total_kib(maps: &[Mapping]) -> u64 {
    maps.iter().map(|m| m.kib).sum()
}

/// What the demo knows before any thread.
fn heading(report: &Report) -> String {
    let mut text = match report.rlimit_stack_kib {
        Some(kib) => {
            format!("RLIMIT_STACK (ulimit -s): {kib} KiB, the default stack of a new thread\n")
        }
        None => "RLIMIT_STACK (ulimit -s): unlimited; glibc then picks its built-in default\n"
            .to_owned(),
    };
    text.push_str(&format!(
        "before any thread: {} mappings, {} KiB in total\n",
        report.mappings_before, report.total_kib_before
    ));
    text
}

/// One new thread and the mappings that came with it.
fn one_thread(t: &NewThread) -> String {
    let mut text = format!(
        "thread {} (TID {}), a local variable at {:#x}; new mappings:\n",
        t.number, t.tid, t.local
    );
    for m in &t.new {
        let role = match m.role {
            "stack" => "its stack: the local variable is inside",
            "guard" => "guard page, no access, just below the stack",
            _ => "",
        };
        text.push_str(&format!(
            "  {:012x}-{:012x} {:>8} KiB {} {} {role}\n",
            m.start, m.end, m.kib, m.perms, m.path
        ));
    }
    text.push_str(&format!(
        "  total {} KiB -> {} KiB (+{} KiB)\n",
        t.total_kib_before,
        t.total_kib_after,
        t.total_kib_after.saturating_sub(t.total_kib_before)
    ));
    text
}
