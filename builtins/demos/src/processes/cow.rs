//! `cow`: the lecture's copy-on-write overhead demo
//! (`copy_on_write_overhead.c`): the parent touches N pages and forks; the
//! child reads every page, then writes every page, counting its minor page
//! faults (getrusage) and timing each phase. Reads fault almost never: the
//! child's page table points at the parent's frames. Writes fault once per
//! page: each first write copies the page.

use std::io::Write;
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

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("cow.txt");

/// The lecture's `NPAGES` (128 * 1024), so the counts compare with its slides.
const LAB_PAGES: usize = 128 * 1024;

#[derive(Parser)]
#[command(name = "cow", override_help = HELP)]
struct Options {
    #[arg(long, default_value_t = LAB_PAGES, value_parser = at_least_one)]
    pages: usize,
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
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = match measure(options.pages) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            "reading shares the parent's frames: no faults; each first write faults and copies one page",
            "the parent's touch faulted once per page too: fresh memory gets a frame only when first used",
        ],
    )
}

/// Maps and touches the pages, forks, and collects the child's two phases.
fn measure(pages: usize) -> Result<Report, String> {
    let page_size = page_size()?;
    let region = Region::new(pages, page_size).map_err(|e| format!("mmap: {e}"))?;
    let start = Instant::now();
    let faults = minor_faults().map_err(|e| format!("getrusage: {e}"))?;
    region.write_each_page(b'a');
    let touch = Phase {
        minor_faults: minor_faults().map_err(|e| format!("getrusage: {e}"))? - faults,
        ms: millis(start.elapsed()),
    };

    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // SAFETY: the demo runs alone in a process of its own, single-threaded;
    // the child only touches the region, writes to the pipe and exits.
    let child = match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            drop(read_end);
            child(&region, &write_end)
        }
        ForkResult::Parent { child } => child,
    };
    drop(write_end);
    let told = read_all(read_end);
    // The parent keeps its mapping until the child is done: while both map
    // the frames, every write by the child must copy.
    let status = waitpid(child, None).map_err(|e| format!("waitpid: {e}"))?;
    drop(region);
    if status != WaitStatus::Exited(child, 0) {
        return Err(format!("the child did not finish: {status:?}"));
    }
    let numbers: Vec<f64> = told
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let [read_faults, read_ms, write_faults, write_ms] = numbers[..] else {
        return Err(format!("the child's report is garbled: {told:?}"));
    };
    Ok(Report {
        pages,
        page_size,
        touch,
        child: child.as_raw(),
        read: Phase {
            minor_faults: read_faults as i64,
            ms: read_ms,
        },
        write: Phase {
            minor_faults: write_faults as i64,
            ms: write_ms,
        },
    })
}

/// The child: read every page, then write every page, each phase between
/// two getrusage calls; report `read_faults read_ms write_faults write_ms`
/// and exit. Nothing between the measurements allocates, so the only
/// faults counted are the region's (and a stack page or two).
fn child(region: &Region, pipe: &OwnedFd) -> ! {
    let code = match child_phases(region) {
        Ok((read, write)) => {
            let mut line = [0u8; 128];
            let mut cursor = &mut line[..];
            let _ = writeln!(
                cursor,
                "{} {} {} {}",
                read.minor_faults, read.ms, write.minor_faults, write.ms
            );
            let len = 128 - cursor.len();
            match nix::unistd::write(pipe.as_fd(), &line[..len]) {
                Ok(_) => 0,
                Err(_) => 1,
            }
        }
        Err(_) => 1,
    };
    // SAFETY: _exit ends the child without unwinding into the parent's
    // code or running its exit handlers a second time.
    unsafe { libc::_exit(code) }
}

fn child_phases(region: &Region) -> nix::Result<(Phase, Phase)> {
    let before = minor_faults()?;
    let start = Instant::now();
    let sum = region.read_each_page();
    let read_ms = millis(start.elapsed());
    let between = minor_faults()?;
    let start = Instant::now();
    region.write_each_page(sum.wrapping_add(1));
    let write_ms = millis(start.elapsed());
    let after = minor_faults()?;
    let read = Phase {
        minor_faults: between - before,
        ms: read_ms,
    };
    let write = Phase {
        minor_faults: after - between,
        ms: write_ms,
    };
    Ok((read, write))
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

fn read_all(fd: OwnedFd) -> String {
    use std::io::Read;
    let mut text = String::new();
    let _ = std::fs::File::from(fd).read_to_string(&mut text);
    text
}

fn human(report: &Report) -> String {
    let mib = (report.pages * report.page_size) as f64 / (1024.0 * 1024.0);
    let row = |who: &str, what: &str, phase: &Phase| {
        format!(
            "{who:<14} {what:<5} {} pages: {:>8} minor faults, {:>8.1} ms\n",
            report.pages, phase.minor_faults, phase.ms
        )
    };
    let child = format!("[child {}]", report.child);
    let mut text = format!(
        "{} pages of {} bytes ({mib:.1} MiB), touched by the parent before fork\n",
        report.pages, report.page_size
    );
    text.push_str(&row("[parent]", "touch", &report.touch));
    text.push_str(&row(&child, "read", &report.read));
    text.push_str(&row(&child, "write", &report.write));
    text
}
