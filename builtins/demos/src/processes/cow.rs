//! `cow`: the lecture's copy-on-write overhead demo
//! (`copy_on_write_overhead.c`): the parent touches N pages and forks; the
//! child reads every page, then writes every page, counting its minor page
//! faults (getrusage) and timing each phase. Reads fault almost never: the
//! child's page table points at the parent's frames. Writes fault once per
//! page: each first write copies the page.

use std::io::{BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::time::Instant;

use clap::Parser;
use nix::fcntl::OFlag;
use nix::sys::mman::{MapFlags, MmapAdvise, ProtFlags, madvise, mmap_anonymous, munmap};
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, SysconfVar, fork, pipe2, sysconf};
use serde::Serialize;

use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Out, Output, Progress, millis, options};

const HELP: &str = include_str!("cow.txt");

/// The lecture's `NPAGES` (128 * 1024), so the counts compare with its slides.
const LAB_PAGES: usize = 128 * 1024;

#[derive(Parser)]
#[command(name = "cow", override_help = HELP)]
struct Options {
    #[arg(long, default_value_t = LAB_PAGES, value_parser = at_least_one)]
    pages: usize,
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// One pass over the pages: the minor faults it caused and how long it took.
#[derive(Debug, Serialize, Clone, Copy)]
struct Phase {
    minor_faults: i64,
    ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    pages: usize,
    page_size: usize,
    /// The parent's first touch of the fresh mapping, before the fork.
    touch: Phase,
    child: i32,
    /// The child reading one byte per page.
    read: Phase,
    /// The child then writing one byte per page.
    write: Phase,
    /// How long the child was held after its phases (--hold, --pause).
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
    let progress = Progress::new(io);
    let report = measure(io, &options, &out, &progress);
    progress.done();
    let report = match report {
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

/// The "what to notice" lines, from the fault counts measured.
fn notice(report: &Report) -> Vec<String> {
    let per_page = |phase: &Phase| phase.minor_faults as f64 / report.pages as f64;
    let mut lines = Vec::new();
    lines.push(if per_page(&report.read) < 0.1 && per_page(&report.write) > 0.9 {
        format!(
            "the child's reads faulted {} times for {} pages: it shares the parent's frames; its writes faulted {}: each first write copied one page",
            report.read.minor_faults, report.pages, report.write.minor_faults
        )
    } else {
        format!(
            "the child's reads faulted {} times and its writes {} times, for {} pages",
            report.read.minor_faults, report.write.minor_faults, report.pages
        )
    });
    if per_page(&report.touch) > 0.9 {
        lines.push(format!(
            "the parent's touch faulted {} times too: fresh memory gets a frame only when first used",
            report.touch.minor_faults
        ));
    }
    lines
}

/// Maps and touches the pages, forks, and collects the child's two phases
/// as the child reports each; with --hold, the child waits after each
/// phase while the student looks.
fn measure(io: &Io, options: &Options, out: &Out, progress: &Progress) -> Result<Report, String> {
    let pages = options.pages;
    let page_size = page_size()?;
    let mib = (pages * page_size) as f64 / (1024.0 * 1024.0);
    out.say(format_args!(
        "{pages} pages of {page_size} bytes ({mib:.1} MiB): the parent touches each, then forks"
    ));
    let region = Region::new(pages, page_size).map_err(|e| format!("mmap: {e}"))?;
    let start = Instant::now();
    let faults = minor_faults().map_err(|e| format!("getrusage: {e}"))?;
    progress.show("the parent touches every page...");
    region.write_each_page(b'a');
    progress.done();
    let touch = Phase {
        minor_faults: minor_faults().map_err(|e| format!("getrusage: {e}"))? - faults,
        ms: millis(start.elapsed()),
    };
    out.say(row(pages, "[parent]", "touch", &touch));

    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let (go_read, go_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let hold = options.hold.wanted();
    // SAFETY: the demo runs alone in a process of its own, single-threaded;
    // the child only touches the region, reads and writes pipes, formats
    // on the stack and exits.
    let child = match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            drop(read_end);
            drop(go_write);
            child(&region, &write_end, hold.then_some(&go_read))
        }
        ForkResult::Parent { child } => child,
    };
    drop(write_end);
    drop(go_read);
    let tag = format!("[child {child}]");
    let mut lines = BufReader::new(std::fs::File::from(read_end)).lines();
    let mut phase = |what: &str| -> Result<Phase, String> {
        let line = lines
            .next()
            .ok_or_else(|| format!("the child did not report its {what} phase"))?
            .map_err(|e| format!("read: {e}"))?;
        let numbers: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [faults, ms] = numbers[..] else {
            return Err(format!("the child's report is garbled: {line:?}"));
        };
        Ok(Phase {
            minor_faults: faults as i64,
            ms,
        })
    };
    let looks = [
        hold::maps(child.as_raw()),
        format!("grep -E 'Rss|Shared|Private' /proc/{child}/smaps_rollup"),
    ];
    progress.show("the child reads every page...");
    let read = phase("read")?;
    progress.done();
    out.say(row(pages, &tag, "read", &read));
    let mut held_ms = options.hold.keep(
        io,
        out.json(),
        "the child (it has read every page, all still shared with the parent)",
        &looks,
    );
    if hold {
        // Only a held child reads this: one that is not may be gone, and
        // a write to a pipe nobody reads would raise SIGPIPE.
        let _ = nix::unistd::write(&go_write, b"g");
    }
    progress.show("the child writes every page...");
    let write = phase("write")?;
    progress.done();
    out.say(row(pages, &tag, "write", &write));
    held_ms += options.hold.keep(
        io,
        out.json(),
        "the child (it has written every page, each now a copy of its own)",
        &looks,
    );
    drop(go_write);
    // The parent keeps its mapping until the child is done: while both map
    // the frames, every write by the child must copy.
    let status = waitpid(child, None).map_err(|e| format!("waitpid: {e}"))?;
    drop(region);
    if status != WaitStatus::Exited(child, 0) {
        return Err(format!("the child did not finish: {status:?}"));
    }
    Ok(Report {
        pages,
        page_size,
        touch,
        child: child.as_raw(),
        read,
        write,
        held_ms,
    })
}

/// One phase, as a line of the table.
fn row(pages: usize, who: &str, what: &str, phase: &Phase) -> String {
    format!(
        "{who:<14} {what:<5} {pages} pages: {:>8} minor faults, {:>8.1} ms",
        phase.minor_faults, phase.ms
    )
}

/// The child: read every page, report `faults ms`; wait for the go-ahead
/// when held; write every page, report; wait again when held; exit.
/// Nothing between the measurements allocates, so the only faults counted
/// are the region's (and a stack page or two).
fn child(region: &Region, pipe: &OwnedFd, go: Option<&OwnedFd>) -> ! {
    let wait_for_go = || {
        if let Some(go) = go {
            let mut byte = [0u8; 1];
            while let Err(nix::Error::EINTR) = nix::unistd::read(go, &mut byte) {}
        }
    };
    let tell = |phase: &Phase| {
        let mut line = [0u8; 64];
        let mut cursor = &mut line[..];
        let _ = writeln!(cursor, "{} {}", phase.minor_faults, phase.ms);
        let len = 64 - cursor.len();
        nix::unistd::write(pipe.as_fd(), &line[..len]).is_ok()
    };
    let reported = child_read(region).is_ok_and(|read| tell(&read));
    wait_for_go();
    let reported = reported && child_write(region).is_ok_and(|write| tell(&write));
    wait_for_go();
    // SAFETY: _exit ends the child without unwinding into the parent's
    // code or running its exit handlers a second time.
    unsafe { libc::_exit(if reported { 0 } else { 1 }) }
}

/// Reads one byte of every page, between two getrusage calls.
fn child_read(region: &Region) -> nix::Result<Phase> {
    let before = minor_faults()?;
    let start = Instant::now();
    std::hint::black_box(region.read_each_page());
    Ok(Phase {
        ms: millis(start.elapsed()),
        minor_faults: minor_faults()? - before,
    })
}

/// Writes one byte of every page, between two getrusage calls.
fn child_write(region: &Region) -> nix::Result<Phase> {
    let before = minor_faults()?;
    let start = Instant::now();
    region.write_each_page(b'b');
    Ok(Phase {
        ms: millis(start.elapsed()),
        minor_faults: minor_faults()? - before,
    })
}

/// This process's minor page faults so far: faults served without disk,
/// by mapping a zeroed frame or copying a shared one.
fn minor_faults() -> nix::Result<i64> {
    Ok(getrusage(UsageWho::RUSAGE_SELF)?.minor_page_faults())
}

fn page_size() -> Result<usize, String> {
    match sysconf(SysconfVar::PAGE_SIZE) {
        Ok(Some(size)) if size > 0 => Ok(size as usize),
        _ => Err("sysconf(_SC_PAGESIZE) failed".to_owned()),
    }
}

/// Anonymous private memory, mapped with mmap rather than taken from the
/// allocator, so the demo knows it starts untouched, page-aligned, and in
/// small pages. Deliberately raw: the point is to touch one byte per page,
/// which safe slices would hide behind bounds checks and optimizations.
struct Region {
    start: NonNull<u8>,
    pages: usize,
    page_size: usize,
}

impl Region {
    fn new(pages: usize, page_size: usize) -> nix::Result<Region> {
        let len = pages
            .checked_mul(page_size)
            .and_then(NonZeroUsize::new)
            .ok_or(nix::Error::EINVAL)?;
        // SAFETY: a fresh anonymous mapping at an address the kernel
        // chooses overlaps nothing the program uses.
        let start = unsafe {
            mmap_anonymous(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_PRIVATE,
            )
        }?;
        // Transparent huge pages would turn 512 faults into one; the lecture
        // counts 4 KiB pages. Where THP is off this advice changes nothing.
        // SAFETY: advice on the mapping just made; it moves no data.
        let _ = unsafe { madvise(start, len.get(), MmapAdvise::MADV_NOHUGEPAGE) };
        Ok(Region {
            start: start.cast(),
            pages,
            page_size,
        })
    }

    fn len(&self) -> usize {
        self.pages * self.page_size
    }

    /// Reads the first byte of every page. `read_volatile` makes each load
    /// happen: the compiler may not skip reads whose values look unused.
    fn read_each_page(&self) -> u8 {
        let mut sum = 0u8;
        for page in 0..self.pages {
            // SAFETY: page * page_size < len, inside the mapping, which is
            // readable and lives as long as self.
            let byte = unsafe {
                self.start
                    .as_ptr()
                    .add(page * self.page_size)
                    .read_volatile()
            };
            sum = sum.wrapping_add(byte);
        }
        sum
    }

    /// Writes `value` into the first byte of every page.
    fn write_each_page(&self, value: u8) {
        for page in 0..self.pages {
            // SAFETY: as in read_each_page; the mapping is writable and no
            // reference to its bytes exists.
            unsafe {
                self.start
                    .as_ptr()
                    .add(page * self.page_size)
                    .write_volatile(value)
            };
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by Region::new with this length, and
        // nothing points into it once the region is dropped.
        let _ = unsafe { munmap(self.start.cast(), self.len()) };
    }
}
