//! `exec-fds`: descriptors survive `execve` unless close-on-exec. The demo
//! opens files with and without O_CLOEXEC, execs itself, and the new
//! program lists /proc/self/fd to show which it still holds.
//!
//! This is the one demo that opens descriptors without O_CLOEXEC, on
//! purpose: leaving them open across the exec is what it shows.

use std::ffi::CString;
use std::os::fd::{IntoRawFd, RawFd};

use clap::Parser;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl, open};
use nix::sys::stat::Mode;
use nix::unistd::{getpid, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, options};

const HELP: &str = include_str!("exec_fds.txt");

#[derive(Parser)]
#[command(name = "exec-fds", override_help = HELP)]
struct Options {
    /// Set only in the program the demo execs: what it opened before, as
    /// `FD:CLOEXEC:PATH`, one argument each.
    #[arg(long, hide = true, num_args = 1..)]
    opened: Vec<String>,
    #[command(flatten)]
    output: Output,
}

/// A descriptor the demo opened before execve.
#[derive(Debug, Serialize)]
struct Opened {
    fd: RawFd,
    /// What it points at, as /proc/self/fd shows it.
    target: String,
    /// Whether FD_CLOEXEC was set (fcntl F_GETFD), read back, not assumed.
    cloexec: bool,
}

/// One entry of /proc/self/fd after execve.
#[derive(Debug, Serialize)]
struct Held {
    fd: RawFd,
    target: String,
}

#[derive(Debug, Serialize)]
struct Report {
    /// The process: the same PID before and after, as execve keeps it.
    pid: i32,
    before: Vec<Opened>,
    /// What the new program held, /proc/self/fd listed after execve.
    after: Vec<Held>,
    /// The opened descriptors still open after execve.
    kept: Vec<RawFd>,
    /// Those execve closed.
    closed: Vec<RawFd>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    if !options.opened.is_empty() {
        return after_exec(io, &out, &options.opened);
    }
    match before_exec(&out, &options) {
        Ok(never) => match never {},
        Err(e) => io.fail(e, 1),
    }
}

/// Opens the descriptors, says what it opened, and execs the demo itself.
fn before_exec(out: &Out, options: &Options) -> Result<std::convert::Infallible, String> {
    let dir = std::env::temp_dir();
    let kept_path = dir.join(format!("exec-fds.{}.kept", getpid()));
    let closed_path = dir.join(format!("exec-fds.{}.closed", getpid()));
    let mut opened = Vec::new();
    for (path, flags) in [
        (&kept_path, OFlag::empty()),
        (&closed_path, OFlag::O_CLOEXEC),
    ] {
        std::fs::write(path, b"exec-fds\n").map_err(|e| format!("{}: {e}", path.display()))?;
        let fd = open(path.as_path(), OFlag::O_RDONLY | flags, Mode::empty())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        // The file stays open; its name goes, so nothing is left behind.
        let _ = std::fs::remove_file(path);
        opened.push(fd.into_raw_fd());
    }
    // A pipe without O_CLOEXEC: both ends cross the exec too.
    let (read_end, write_end) = pipe2(OFlag::empty()).map_err(|e| format!("pipe: {e}"))?;
    opened.push(read_end.into_raw_fd());
    opened.push(write_end.into_raw_fd());

    let mut args = vec![c"exec-fds".to_owned()];
    for flag in [
        ("--json", options.output.json),
        ("--quiet", options.output.quiet),
    ] {
        if flag.1 {
            args.push(CString::new(flag.0).map_err(|e| e.to_string())?);
        }
    }
    args.push(c"--opened".to_owned());
    for &fd in &opened {
        let target = target(fd);
        let cloexec = fcntl(borrowed(fd), FcntlArg::F_GETFD)
            .map(|flags| FdFlag::from_bits_truncate(flags).contains(FdFlag::FD_CLOEXEC))
            .map_err(|e| format!("fcntl: {e}"))?;
        out.say(format_args!(
            "[before execve] PID {}: fd {fd} -> {target}{}",
            getpid(),
            if cloexec { " (O_CLOEXEC)" } else { "" }
        ));
        args.push(
            CString::new(format!("{fd}:{}:{target}", u8::from(cloexec)))
                .map_err(|e| e.to_string())?,
        );
    }
    out.say("[before execve] execve(/proc/self/exe), the demo itself, in this same process...");
    let path = c"/proc/self/exe";
    let Err(error) = nix::unistd::execv(path, &args);
    Err(format!("execve: {error}"))
}

/// The same descriptor, borrowed for a call.
fn borrowed(fd: RawFd) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: the demo owns `fd` (it opened it and never closes it before
    // the exec), so it stays open for every use made here.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// Where /proc/self/fd/FD points, as `ls -l /proc/self/fd` shows it.
fn target(fd: RawFd) -> String {
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("? ({e})"))
}

/// The new program: list /proc/self/fd and compare with what was opened.
fn after_exec(io: &mut Io, out: &Out, opened: &[String]) -> Status {
    let before: Vec<Opened> = opened
        .iter()
        .filter_map(|word| {
            let mut parts = word.splitn(3, ':');
            Some(Opened {
                fd: parts.next()?.parse().ok()?,
                cloexec: parts.next()? == "1",
                target: parts.next()?.to_owned(),
            })
        })
        .collect();
    // The listing first, then the targets: read_dir holds a descriptor of
    // its own while it lists, closed once the list is made.
    let listed: Vec<RawFd> = match std::fs::read_dir("/proc/self/fd") {
        Ok(entries) => entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<RawFd>().ok())
            .collect(),
        Err(e) => return io.fail(format_args!("/proc/self/fd: {e}"), 1),
    };
    let mut after: Vec<Held> = listed
        .into_iter()
        .filter_map(|fd| {
            let target = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
            Some(Held {
                fd,
                target: target.display().to_string(),
            })
        })
        .collect();
    after.sort_by_key(|held| held.fd);
    for held in &after {
        let whose = match before.iter().find(|b| b.fd == held.fd) {
            Some(b) if b.cloexec => " (opened by the demo with O_CLOEXEC?)",
            Some(_) => " (opened by the demo without O_CLOEXEC)",
            None => " (open before the demo started)",
        };
        out.say(format_args!(
            "[after execve]  PID {}: fd {} -> {}{whose}",
            getpid(),
            held.fd,
            held.target
        ));
    }
    let still = |b: &Opened| after.iter().any(|a| a.fd == b.fd && a.target == b.target);
    let kept: Vec<RawFd> = before.iter().filter(|b| still(b)).map(|b| b.fd).collect();
    let closed: Vec<RawFd> = before.iter().filter(|b| !still(b)).map(|b| b.fd).collect();
    let report = Report {
        pid: getpid().as_raw(),
        before,
        after,
        kept,
        closed,
    };
    let without: Vec<RawFd> = report
        .before
        .iter()
        .filter(|b| !b.cloexec)
        .map(|b| b.fd)
        .collect();
    let with: Vec<RawFd> = report
        .before
        .iter()
        .filter(|b| b.cloexec)
        .map(|b| b.fd)
        .collect();
    out.notice(if report.kept == without && report.closed == with {
        format!(
            "execve kept fds {without:?}, opened without O_CLOEXEC, and closed {with:?}, opened with it: the new program inherits every descriptor not marked close-on-exec"
        )
    } else {
        format!("kept {:?}, closed {:?}", report.kept, report.closed)
    });
    out.notice("so a shell opens its own descriptors O_CLOEXEC: the programs it runs get only 0, 1, 2 and what a redirection asks for");
    if out.json() {
        return crate::json(io, &report);
    }
    0
}
