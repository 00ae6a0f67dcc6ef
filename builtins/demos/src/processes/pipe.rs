//! `pipe`: the notes on pipes. A read from an empty non-blocking pipe
//! fails with EAGAIN, and poll waits for the data instead; writes of at
//! most PIPE_BUF bytes reach the reader whole even when several processes
//! write at once, and larger writes may be cut and interleaved.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{
    ForkResult, PathconfVar, Pid, fork, fpathconf, getpid, getppid, pipe2, read, write,
};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("pipe.txt");

#[derive(Parser)]
#[command(name = "pipe", override_help = HELP)]
struct Options {
    #[arg(long)]
    nonblock: bool,
    /// A tenth of a second: a wait long enough to see in the numbers,
    /// short enough not to notice.
    #[arg(long, default_value_t = 100)]
    delay: u64,
    #[arg(long)]
    atomic: bool,
    #[arg(short = 'n', long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=26))]
    writers: u8,
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=(16 << 20)))]
    size: Option<u32>,
    /// 64 records of 64 KiB from each of 4 writers is 16 MiB: enough for
    /// the writers to fill the pipe and wait on each other many times,
    /// quick to check.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    records: u32,
    #[command(flatten)]
    output: Output,
}

/// The larger record size of the default run: the pipe's whole capacity,
/// 16 times PIPE_BUF.
const LARGE: usize = 65536;

/// The reader takes one page per read(), as a consumer working through
/// its input piece by piece would. The pipe then seldom runs empty, so a
/// large write often finds too little room, copies what fits, and sleeps
/// until the reader makes more, while another writer's bytes go in. (A
/// reader that drains the whole 64 KiB pipe at once makes that rarer:
/// above PIPE_BUF, writes may be cut, not must.)
const READ_SIZE: usize = 4096;

/// What `--nonblock` saw.
#[derive(Debug, Serialize)]
struct NonBlock {
    /// The failed read's errno, by name and number, and its message.
    errno: String,
    errno_number: i32,
    message: String,
    writer: i32,
    /// How long poll() waited for the writer's byte.
    waited_ms: f64,
    /// The events poll() reported.
    revents: String,
    /// What the read after poll() returned.
    byte: String,
}

/// One `--atomic` run.
#[derive(Debug, Serialize)]
struct Atomic {
    size: usize,
    writers: u8,
    records_per_writer: u32,
    /// Bytes the parent read, and the read() calls it took.
    bytes: usize,
    reads: u64,
    /// BYTES-long records of the stream that hold one writer's letter only.
    intact: u64,
    /// Records that mix two writers' letters.
    interleaved: u64,
    ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    /// fpathconf(_PC_PIPE_BUF): the largest write the kernel keeps whole.
    pipe_buf: usize,
    /// fcntl(F_GETPIPE_SZ): how much the pipe holds.
    capacity: usize,
    nonblock: Option<NonBlock>,
    atomic: Vec<Atomic>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if !options.output.json {
        io.out.line(if options.atomic {
            "pipe: several writers share one pipe; counting which records arrive whole..."
        } else {
            "pipe: reading an empty pipe, then waiting for a writer..."
        });
    }
    let report = match measure(&options) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let mut notice = Vec::new();
    if report.nonblock.is_some() {
        notice
            .push("a non-blocking read returns EAGAIN instead of waiting; poll() does the waiting");
    }
    if !report.atomic.is_empty() {
        notice.push(
            "writes of at most PIPE_BUF bytes arrive whole; larger ones may be cut and mixed",
        );
    }
    emit(io, &options.output, &report, human, &notice)
}

fn measure(options: &Options) -> Result<Report, String> {
    let both = !options.nonblock && !options.atomic;
    let (probe, _) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let pipe_buf = match fpathconf(&probe, PathconfVar::PIPE_BUF) {
        Ok(Some(n)) => n as usize,
        _ => return Err("fpathconf(_PC_PIPE_BUF) failed".to_owned()),
    };
    let capacity = fcntl(&probe, FcntlArg::F_GETPIPE_SZ)
        .map_err(|e| format!("fcntl(F_GETPIPE_SZ): {e}"))? as usize;
    let nonblock = if options.nonblock || both {
        Some(nonblock(Duration::from_millis(options.delay))?)
    } else {
        None
    };
    let mut atomic = Vec::new();
    if options.atomic || both {
        let sizes = match options.size {
            Some(size) => vec![size as usize],
            None => vec![pipe_buf, LARGE],
        };
        for size in sizes {
            atomic.push(interleaving(options.writers, size, options.records)?);
        }
    }
    Ok(Report {
        pipe_buf,
        capacity,
        nonblock,
        atomic,
    })
}

/// The notes' program: read from an empty non-blocking pipe, then let a
/// child write one byte after `delay` and wait for it with poll().
fn nonblock(delay: Duration) -> Result<NonBlock, String> {
    let (read_end, write_end) =
        pipe2(OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let mut byte = [0u8; 1];
    // Nothing was written: a blocking read would wait here for ever.
    let errno = match read(read_end.as_fd(), &mut byte) {
        Err(errno) => errno,
        Ok(n) => return Err(format!("the empty pipe gave {n} bytes")),
    };
    // The closure takes the write end along, so the parent's copy closes
    // when start_child returns: if the writer died without writing, poll
    // would then see the pipe closed (POLLHUP) instead of waiting for ever.
    let writer = start_child(move || {
        std::thread::sleep(delay);
        let _ = write(write_end.as_fd(), b"a");
    })?;
    let start = Instant::now();
    let mut fds = [PollFd::new(read_end.as_fd(), PollFlags::POLLIN)];
    poll(&mut fds, PollTimeout::NONE).map_err(|e| format!("poll: {e}"))?;
    let waited_ms = millis(start.elapsed());
    let revents = match fds[0].revents() {
        Some(events) => events
            .iter_names()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join("|"),
        None => String::new(),
    };
    let byte = match read(read_end.as_fd(), &mut byte) {
        Ok(1) => String::from_utf8_lossy(&byte).into_owned(),
        Ok(n) => format!("{n} bytes"),
        Err(e) => format!("{e}"),
    };
    wait_ok(writer)?;
    Ok(NonBlock {
        errno: format!("{errno:?}"),
        errno_number: errno as i32,
        message: minishell_builtins::errors::plain(&std::io::Error::from(errno)),
        writer: writer.as_raw(),
        waited_ms,
        revents,
        byte,
    })
}

/// `writers` children write `records` records of `size` bytes each into
/// one pipe, all starting together; the parent reads and checks.
fn interleaving(writers: u8, size: usize, records: u32) -> Result<Atomic, String> {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // Each writer waits for one byte on this pipe, so that they all start
    // writing at the same moment. (Waiting for end-of-file would not do:
    // every writer holds a copy of the write end.)
    let (go_wait, go) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let mut children = Vec::new();
    for writer in 0..writers {
        let record = vec![b'A' + writer; size];
        let (go_wait, write_end) = (&go_wait, &write_end);
        children.push(start_child(move || {
            let _ = read(go_wait.as_fd(), &mut [0u8; 1]);
            for _ in 0..records {
                if write_record(write_end, &record).is_err() {
                    return;
                }
            }
        })?);
    }
    drop((go_wait, write_end));
    let start = Instant::now();
    write(go.as_fd(), &vec![b'!'; usize::from(writers)]).map_err(|e| format!("write: {e}"))?;
    let mut tally = Tally::new(size);
    let mut buffer = vec![0u8; READ_SIZE];
    let mut reads = 0u64;
    loop {
        match read(read_end.as_fd(), &mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                reads += 1;
                tally.feed(&buffer[..n]);
            }
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    let ms = millis(start.elapsed());
    for child in children {
        wait_ok(child)?;
    }
    Ok(Atomic {
        size,
        writers,
        records_per_writer: records,
        bytes: tally.bytes,
        reads,
        intact: tally.intact,
        interleaved: tally.interleaved,
        ms,
    })
}

/// One record, one write(): the kernel keeps it whole only up to PIPE_BUF.
/// A blocking write returns short only when a signal interrupts it; then
/// the rest follows in a second write, as any careful writer does.
fn write_record(pipe: &OwnedFd, record: &[u8]) -> nix::Result<()> {
    let mut rest = record;
    while !rest.is_empty() {
        match write(pipe.as_fd(), rest) {
            Ok(n) => rest = &rest[n..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Cuts the stream into `size`-long records as it arrives, and counts
/// the records that hold one letter only and those that mix letters.
struct Tally {
    size: usize,
    bytes: usize,
    /// The current record's first letter, and whether another followed.
    letter: u8,
    mixed: bool,
    intact: u64,
    interleaved: u64,
}

impl Tally {
    fn new(size: usize) -> Tally {
        Tally {
            size,
            bytes: 0,
            letter: 0,
            mixed: false,
            intact: 0,
            interleaved: 0,
        }
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let offset = self.bytes % self.size;
            let take = bytes.len().min(self.size - offset);
            let (part, rest) = bytes.split_at(take);
            if offset == 0 {
                self.letter = part[0];
                self.mixed = false;
            }
            self.mixed |= part.iter().any(|&b| b != self.letter);
            self.bytes += take;
            if offset + take == self.size {
                match self.mixed {
                    true => self.interleaved += 1,
                    false => self.intact += 1,
                }
            }
            bytes = rest;
        }
    }
}

/// Forks a child that runs `body` and exits. The child asks the kernel to
/// kill it when the demo dies: a writer blocked on a full pipe, which it
/// holds a read end of itself, would otherwise wait for ever.
fn start_child(body: impl FnOnce()) -> Result<Pid, String> {
    let parent = getpid();
    // SAFETY: the demo runs alone in a process of its own, single-threaded;
    // the child only runs `body`, which sleeps, reads and writes pipes.
    match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            // The parent may have died before the request was made.
            if set_pdeathsig(Signal::SIGKILL).is_ok() && getppid() == parent {
                body();
            }
            // SAFETY: _exit ends the child without running the parent's
            // exit handlers a second time.
            unsafe { libc::_exit(0) }
        }
        ForkResult::Parent { child } => Ok(child),
    }
}

fn wait_ok(child: Pid) -> Result<(), String> {
    match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, 0)) => Ok(()),
        Ok(status) => Err(format!("child {child}: {status:?}")),
        Err(e) => Err(format!("waitpid: {e}")),
    }
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "PIPE_BUF = {} bytes, pipe capacity = {} bytes\n",
        report.pipe_buf, report.capacity
    );
    if let Some(nb) = &report.nonblock {
        text.push_str(&format!(
            "read(empty O_NONBLOCK pipe) = -1, errno = {} ({}): {}\n\
             poll() waited {:.1} ms until writer {} wrote: revents {}, read gave {:?}\n",
            nb.errno, nb.errno_number, nb.message, nb.waited_ms, nb.writer, nb.revents, nb.byte
        ));
    }
    for run in &report.atomic {
        text.push_str(&format!(
            "{} writers x {} records of {} bytes: {} records read ({} read calls, {:.1} ms): \
             {} whole, {} interleaved\n",
            run.writers,
            run.records_per_writer,
            run.size,
            run.intact + run.interleaved,
            run.reads,
            run.ms,
            run.intact,
            run.interleaved
        ));
    }
    text
}
