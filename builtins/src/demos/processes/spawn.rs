//! `spawn`: the lecture's "system vs posix_spawn vs fork+exec" and the lab's
//! "Guide: system Dissected". It runs one command the way each API does,
//! traces one call of each with ptrace to show the processes the call
//! created and who called execve with what, and times N calls, from the
//! call to the child reaped, with the parent small and then large.
//!
//! How the processes are measured: the demo forks a copy of itself that
//! asks to be traced (PTRACE_TRACEME) and makes one call of the method. The
//! demo, its tracer, follows every process that call creates
//! (PTRACE_O_TRACEFORK, TRACEVFORK, TRACECLONE) and stops each at the entry
//! and exit of every system call (PTRACE_SYSCALL); it records the calls that
//! create, replace and reap processes, reading their arguments with
//! PTRACE_GET_SYSCALL_INFO and from /proc/PID/mem, as strace does. The timed
//! calls run untraced, in the demo itself.

use std::collections::{HashMap, HashSet};
use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::ptr;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use libc::{c_char, c_void};
use nix::errno::Errno;
use nix::sys::signal::{Signal, kill, raise};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{AccessFlags, ForkResult, Pid, access, fork, getpid};
use serde::Serialize;

use crate::context::{Context, Status};
use crate::demos::{Output, emit, millis, options};
use crate::registry::{Builtin, Group, Place};

pub static SPAWN: Builtin = Builtin {
    name: "spawn",
    summary: "run a command by fork+exec, vfork, posix_spawn or system: processes and time",
    help: HELP,
    place: Place::Process,
    group: Group::Processes,
    help_option: false,
    run,
};

const HELP: &str = "spawn [--method fork-exec|vfork|posix-spawn|system|all] [--runs N]
      [--ballast MIB] [--large-ballast MIB] [--json] [--quiet] CMD [ARGS]
    The lecture's \"system vs posix_spawn vs fork+exec\": runs CMD the way
    each API does and shows what it costs.
      fork-exec    fork(), then the child calls execvpe(), which tries each
                   PATH entry until an execve succeeds
      vfork        vfork(), then the child calls execve() on the path found
                   beforehand, or _exit(127); nothing else (see the source)
      posix-spawn  posix_spawnp(): glibc clones with CLONE_VM|CLONE_VFORK
                   and execs in the child
      system       system(): runs /bin/sh -c 'CMD ARGS', and sh runs CMD
    Processes: for one call of each method the demo forks a copy of itself
    and traces it with ptrace, as strace -f does: it shows each clone,
    vfork, execve and wait4 of that call and of every process it created,
    with PIDs, arguments and results, and how each process ended. Where
    ptrace is refused (say, under strace) it prints \"not observed\".
    Time: N more calls, untraced, each from the call to the child reaped,
    in rounds of one call per method; CMD's own run time counts too, so
    compare with a quick CMD (/bin/true).
    Every method is timed with the demo's resident size (VmRSS) at
    --ballast, and `all` times them again at --large-ballast: fork copies
    the parent's page tables, so its time grows with the resident size,
    while vfork and posix_spawn share the parent's memory.
      --method M          one method, or all four in a table (default all)
      --runs N            timed calls per method (default 20)
      --ballast MIB       allocate and touch MIB MiB first (default 0)
      --large-ballast MIB the second size `all` measures at, when larger
                          than --ballast (default 256)
      --json              print the measurements as one JSON object
      --quiet             leave out the \"what to notice\" lines
    Exit status: 0 when every call ran CMD and CMD exited with 0, 1 when
    one did not.
";

#[derive(Parser)]
#[command(name = "spawn", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::All)]
    method: Choice,
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    #[arg(long, value_name = "MIB", default_value_t = 0)]
    ballast: usize,
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    large_ballast: usize,
    #[command(flatten)]
    output: Output,
    /// The command and its arguments; words after CMD are its own, even
    /// when they look like options.
    #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
    command: Vec<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    ForkExec,
    Vfork,
    PosixSpawn,
    System,
    All,
}

/// One way to run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    ForkExec,
    Vfork,
    PosixSpawn,
    System,
}

impl Method {
    const ALL: [Method; 4] = [
        Method::ForkExec,
        Method::Vfork,
        Method::PosixSpawn,
        Method::System,
    ];

    fn name(self) -> &'static str {
        match self {
            Method::ForkExec => "fork-exec",
            Method::Vfork => "vfork",
            Method::PosixSpawn => "posix-spawn",
            Method::System => "system",
        }
    }

    /// The library calls the demo makes for it.
    fn calls(self) -> &'static str {
        match self {
            Method::ForkExec => "fork() + execvpe()",
            Method::Vfork => "vfork() + execve()",
            Method::PosixSpawn => "posix_spawnp()",
            Method::System => "system()",
        }
    }
}

#[derive(Debug, Serialize)]
struct Report {
    command: Vec<String>,
    runs: u32,
    /// The ballast sizes the methods were timed at, in MiB.
    ballast_mib: Vec<usize>,
    methods: Vec<MethodReport>,
    /// Whether every call ran the command and it exited with 0.
    ok: bool,
}

#[derive(Debug, Serialize)]
struct MethodReport {
    method: &'static str,
    calls: &'static str,
    /// What one traced call did; `None` when it could not be traced.
    traced: Option<Trace>,
    /// Why it could not be traced.
    not_observed: Option<String>,
    /// One timing per ballast size, in the order of `ballast_mib`.
    timings: Vec<Timing>,
}

/// What one traced call of a method did, as the tracer saw it.
#[derive(Debug, Serialize)]
struct Trace {
    /// The traced copy of the demo that made the call.
    caller: i32,
    /// The demo that traced it.
    tracer: i32,
    /// The calls that create, replace and reap processes, in the order
    /// they were entered, and how each created process ended.
    events: Vec<Event>,
    /// Every process the call created, directly or not.
    processes: Vec<Process>,
}

#[derive(Debug, Serialize)]
struct Event {
    pid: i32,
    /// `execve("/bin/true", ["/bin/true"])`, or `exited with 0`.
    call: String,
    /// What the system call returned: `0`, `4243`, `-1 ENOENT`, or `?`
    /// when its process ended inside it; `None` for an exit.
    result: Option<String>,
}

#[derive(Debug, Serialize)]
struct Process {
    pid: i32,
    /// The process whose call created it; 0 if that was not seen.
    parent: i32,
    /// That call: `clone(CLONE_VM|CLONE_VFORK|SIGCHLD)`.
    created_by: String,
    /// Every execve it called, in order, with the error of those that
    /// failed.
    execve: Vec<Execve>,
    /// `exited with 0`, `killed by SIGKILL`; `None` if not seen.
    ended: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct Execve {
    path: String,
    argv: Vec<String>,
    /// The errno's name when execve failed.
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct Timing {
    ballast_mib: usize,
    /// The demo's VmRSS just before the calls.
    rss_kib: Option<u64>,
    /// Calls that ran the command and saw it exit with 0.
    runs: u32,
    median_ms: Option<f64>,
    min_ms: Option<f64>,
    max_ms: Option<f64>,
    /// This median over the smallest median at the same ballast.
    ratio_to_fastest: Option<f64>,
    /// The first call that failed, which ends the timing: `run 1: exited
    /// with 127`.
    failure: Option<String>,
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let options: Options = match options(args, ctx) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let prepared = match Prepared::new(&options.command) {
        Ok(prepared) => prepared,
        Err(message) => return crate::shell::fail(ctx, "spawn", message, 2),
    };
    let report = measure(&options, &prepared);
    let notice: &[&str] = match options.method {
        Choice::All => &[
            "fork copies the parent's page tables: its time grows with the RSS; vfork's does not",
            "system() starts /bin/sh, which then runs CMD: one more execve, often one more process",
        ],
        Choice::ForkExec => &[
            "the child is a copy (no CLONE_VM); execvpe tries the PATH entries until an execve works",
        ],
        Choice::Vfork => {
            &["the child borrows the parent's memory; the parent sleeps until the child's execve"]
        }
        Choice::PosixSpawn => &[
            "glibc clones with CLONE_VM|CLONE_VFORK: a vfork, with the child on a stack of its own",
        ],
        Choice::System => &[
            "system() execs /bin/sh -c 'CMD'; sh then runs CMD, in place or in a child of its own",
        ],
    };
    let printed = emit(ctx, &options.output, &report, human, notice);
    if report.ok {
        return printed;
    }
    for method in &report.methods {
        if let Some(failure) = method.timings.iter().find_map(|t| t.failure.as_ref()) {
            crate::shell::fail(
                ctx,
                "spawn",
                format_args!("{}: {failure}", method.method),
                1,
            );
        }
    }
    1
}

fn measure(options: &Options, prepared: &Prepared) -> Report {
    let methods: Vec<Method> = match options.method {
        Choice::ForkExec => vec![Method::ForkExec],
        Choice::Vfork => vec![Method::Vfork],
        Choice::PosixSpawn => vec![Method::PosixSpawn],
        Choice::System => vec![Method::System],
        Choice::All => Method::ALL.to_vec(),
    };
    let mut sizes = vec![options.ballast];
    if options.method == Choice::All && options.large_ballast > options.ballast {
        sizes.push(options.large_ballast);
    }
    let mut ballast = Ballast::default();
    let mut reports: Vec<MethodReport> = methods
        .iter()
        .map(|&method| MethodReport {
            method: method.name(),
            calls: method.calls(),
            traced: None,
            not_observed: None,
            timings: Vec::new(),
        })
        .collect();
    for (report, &method) in reports.iter_mut().zip(&methods) {
        match observe(method, prepared) {
            Ok(trace) => report.traced = Some(trace),
            Err(why) => report.not_observed = Some(why),
        }
    }
    for (phase, &size) in sizes.iter().enumerate() {
        ballast.grow_to(size);
        let timings = time(&methods, prepared, options.runs, size);
        for (report, timing) in reports.iter_mut().zip(timings) {
            report.timings.push(timing);
        }
        let fastest = reports
            .iter()
            .filter_map(|r| r.timings[phase].median_ms)
            .fold(f64::INFINITY, f64::min);
        for report in &mut reports {
            let timing = &mut report.timings[phase];
            timing.ratio_to_fastest = timing.median_ms.map(|m| m / fastest);
        }
    }
    ballast.keep();
    let ok = reports
        .iter()
        .all(|r| r.timings.iter().all(|t| t.failure.is_none()));
    Report {
        command: options
            .command
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect(),
        runs: options.runs,
        ballast_mib: sizes,
        methods: reports,
        ok,
    }
}

/// Times `runs` calls of each method, each from the call to the child
/// reaped. The calls go in rounds, one of each method per round, so that a
/// burst of other work on the machine slows every method alike. A method's
/// first failed call ends its timing, so a wrong CMD prints its error once,
/// not N times.
fn time(methods: &[Method], prepared: &Prepared, runs: u32, ballast_mib: usize) -> Vec<Timing> {
    let rss_kib = resident_kib();
    let mut times = vec![Vec::new(); methods.len()];
    let mut failures: Vec<Option<String>> = vec![None; methods.len()];
    for run in 1..=runs {
        for (i, &method) in methods.iter().enumerate() {
            if failures[i].is_some() {
                continue;
            }
            let start = Instant::now();
            let outcome = spawn_once(method, prepared);
            let elapsed = start.elapsed();
            match outcome {
                Outcome::Exited(0) => times[i].push(millis(elapsed)),
                _ => failures[i] = Some(format!("run {run}: {outcome}")),
            }
        }
    }
    times
        .into_iter()
        .zip(failures)
        .map(|(mut times, failure)| {
            times.sort_by(f64::total_cmp);
            Timing {
                ballast_mib,
                rss_kib,
                runs: times.len() as u32,
                median_ms: median(&times),
                min_ms: times.first().copied(),
                max_ms: times.last().copied(),
                ratio_to_fastest: None,
                failure,
            }
        })
        .collect()
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The demo's resident set size, from /proc/self/status.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Memory the demo allocates and touches, so that it is resident and fork
/// has page tables to copy.
#[derive(Default)]
struct Ballast {
    blocks: Vec<Vec<u8>>,
    mib: usize,
}

impl Ballast {
    fn grow_to(&mut self, mib: usize) {
        if mib <= self.mib {
            return;
        }
        // Zeroed memory comes from the kernel untouched; writing one byte
        // every 4096 makes every page resident, whatever the page size.
        let mut block = vec![0u8; (mib - self.mib) << 20];
        for byte in block.iter_mut().step_by(4096) {
            *byte = 1;
        }
        self.blocks.push(std::hint::black_box(block));
        self.mib = mib;
    }

    /// Keeps the writes: the ballast is read, as far as the compiler knows.
    fn keep(self) {
        std::hint::black_box(&self.blocks);
    }
}

/// Everything the calls need, built before any of them, so that the child
/// of fork or vfork has nothing left to compute.
struct Prepared {
    /// CMD as given: execvpe and posix_spawnp search PATH for it.
    file: CString,
    /// CMD found in PATH here, for vfork's child, which must not search.
    path: CString,
    /// Owns the strings `argv` and `envp` point into.
    _strings: Vec<CString>,
    argv: Vec<*const c_char>,
    envp: Vec<*const c_char>,
    /// `CMD ARGS` quoted for sh, for system().
    shell_line: CString,
}

impl Prepared {
    fn new(command: &[OsString]) -> Result<Prepared, String> {
        let c_string = |word: &OsStr| {
            CString::new(word.as_bytes())
                .map_err(|_| format!("{}: a NUL byte in a word", word.to_string_lossy()))
        };
        let file = c_string(&command[0])?;
        let path = c_string(find_in_path(&command[0]).as_os_str())?;
        let mut strings = Vec::new();
        for word in command {
            strings.push(c_string(word)?);
        }
        let argc = strings.len();
        for (key, value) in std::env::vars_os() {
            let mut entry = key;
            entry.push("=");
            entry.push(value);
            strings.push(c_string(&entry)?);
        }
        // The CStrings' buffers stay where they are when `strings` moves.
        let pointers = |range: &[CString]| {
            let mut list: Vec<*const c_char> = range.iter().map(|s| s.as_ptr()).collect();
            list.push(ptr::null());
            list
        };
        let argv = pointers(&strings[..argc]);
        let envp = pointers(&strings[argc..]);
        let line: Vec<String> = command.iter().map(|w| shell_quote(w)).collect();
        Ok(Prepared {
            file,
            path,
            argv,
            envp,
            shell_line: c_string(OsStr::new(&line.join(" ")))?,
            _strings: strings,
        })
    }
}

/// Where execvp would find `name`: itself when it holds a `/`, else the
/// first executable file of that name in PATH, else `name` unchanged (and
/// the execve fails, as the trace shows).
fn find_in_path(name: &OsStr) -> PathBuf {
    if name.as_bytes().contains(&b'/') {
        return PathBuf::from(name);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    for dir in std::env::split_paths(&path) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(name);
        if candidate.is_file() && access(&candidate, AccessFlags::X_OK).is_ok() {
            return candidate;
        }
    }
    PathBuf::from(name)
}

/// A word as sh reads it back unchanged: bare when it is plain, else in
/// single quotes.
fn shell_quote(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./,:=+@%-".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// How one call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Exited(i32),
    Signaled(i32),
    /// The call itself failed: `posix_spawnp: ENOENT`.
    Failed(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Exited(code) => write!(f, "exited with {code}"),
            Outcome::Signaled(signal) => write!(f, "killed by {}", signal_name(*signal)),
            Outcome::Failed(why) => f.write_str(why),
        }
    }
}

/// Runs the command once with `method` and reaps it.
fn spawn_once(method: Method, prepared: &Prepared) -> Outcome {
    match method {
        Method::ForkExec => fork_exec(prepared),
        Method::Vfork => vfork_exec(prepared),
        Method::PosixSpawn => posix_spawn(prepared),
        Method::System => system(prepared),
    }
}

fn fork_exec(prepared: &Prepared) -> Outcome {
    // SAFETY: the demo runs in a process of its own with a single thread;
    // the child only calls execvpe and _exit.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // SAFETY: the pointers are to NUL-terminated strings and
            // null-terminated arrays built before the fork; _exit ends
            // the child without running the parent's exit handlers.
            unsafe {
                libc::execvpe(
                    prepared.file.as_ptr(),
                    prepared.argv.as_ptr(),
                    prepared.envp.as_ptr(),
                );
                libc::_exit(127)
            }
        }
        Ok(ForkResult::Parent { child }) => reap(child),
        Err(e) => Outcome::Failed(format!("fork: {e:?}")),
    }
}

fn vfork_exec(prepared: &Prepared) -> Outcome {
    // SAFETY: see vfork_execve; the pointers are valid, NUL-terminated
    // and null-terminated, and outlive the call.
    let result = unsafe {
        vfork_execve(
            prepared.path.as_ptr(),
            prepared.argv.as_ptr(),
            prepared.envp.as_ptr(),
        )
    };
    match result {
        Ok(child) => reap(child),
        Err(e) => Outcome::Failed(format!("vfork: {e:?}")),
    }
}

/// vfork, then execve in the child, or _exit(127) if execve fails.
///
/// Why vfork is dangerous: its child runs in the parent's memory, on the
/// parent's stack, while the parent sleeps until the child calls execve or
/// _exit. Whatever the child writes (a variable, a stack slot, errno, a
/// lock taken by malloc), the parent finds changed when it wakes; if the
/// child returned from the function that called vfork, it would overwrite
/// the frame the parent returns through. And in Rust the compiler does not
/// know that a call of `libc::vfork` returns twice, so even code that looks
/// harmless may reuse a stack slot across it (rust-lang/libc#1596; the
/// crate deprecates `vfork` for this reason). A raw `syscall(SYS_vfork)`
/// through libc is worse: the child returns from `syscall()`, and its next
/// call overwrites the return address the parent still needs.
///
/// What makes this use sound: the vfork, the execve and the _exit are one
/// block of assembly, so the compiler sees a single step that returns once,
/// in the parent. In the child, the system calls take their arguments from
/// registers, which it inherited with the parent's values; it writes no
/// memory at all (not even errno, since these are raw system calls) and
/// leaves the block only through execve or exit_group. Between vfork and
/// execve no signal handler can run on the shared stack: the demo is a
/// fresh process (Place::Process) that installs none, and Rust's runtime
/// catches only SIGSEGV and SIGBUS, which these instructions do not raise
/// (a bad pointer makes execve fail with EFAULT).
///
/// # Safety
/// `path` and the strings of `argv` and `envp` are NUL-terminated, and the
/// two arrays end with a null pointer.
#[cfg(target_arch = "x86_64")]
unsafe fn vfork_execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> nix::Result<Pid> {
    let result: i64;
    // SAFETY: as above; `syscall` clobbers rcx and r11, and the child never
    // comes back to compiled code. The kernel preserves rdi, rsi and rdx.
    unsafe {
        std::arch::asm!(
            "syscall",           // rax = vfork()
            "test rax, rax",
            "jnz 2f",            // the parent: the child's PID, or -errno
            "mov eax, {execve}", // the child: execve(rdi, rsi, rdx)
            "syscall",
            "mov edi, 127",      // it failed: exit_group(127)
            "mov eax, {exit}",
            "syscall",
            "2:",
            execve = const libc::SYS_execve,
            exit = const libc::SYS_exit_group,
            inlateout("rax") libc::SYS_vfork => result,
            inout("rdi") path => _,
            in("rsi") argv,
            in("rdx") envp,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    if result < 0 {
        Err(Errno::from_raw(-result as i32))
    } else {
        Ok(Pid::from_raw(result as i32))
    }
}

/// On other processors the assembly above would have to be written again
/// (aarch64 has no vfork system call: clone with CLONE_VM|CLONE_VFORK).
#[cfg(not(target_arch = "x86_64"))]
unsafe fn vfork_execve(
    _path: *const c_char,
    _argv: *const *const c_char,
    _envp: *const *const c_char,
) -> nix::Result<Pid> {
    Err(Errno::ENOSYS)
}

fn posix_spawn(prepared: &Prepared) -> Outcome {
    let mut pid: libc::pid_t = 0;
    // SAFETY: the pointers are to NUL-terminated strings and null-terminated
    // arrays that outlive the call; no file actions, no attributes.
    let error = unsafe {
        libc::posix_spawnp(
            &mut pid,
            prepared.file.as_ptr(),
            ptr::null(),
            ptr::null(),
            prepared.argv.as_ptr().cast(),
            prepared.envp.as_ptr().cast(),
        )
    };
    if error != 0 {
        return Outcome::Failed(format!("posix_spawnp: {:?}", Errno::from_raw(error)));
    }
    reap(Pid::from_raw(pid))
}

fn system(prepared: &Prepared) -> Outcome {
    // SAFETY: a NUL-terminated string; system() waits for its child.
    let status = unsafe { libc::system(prepared.shell_line.as_ptr()) };
    if status == -1 {
        Outcome::Failed(format!("system: {:?}", Errno::last()))
    } else if libc::WIFSIGNALED(status) {
        Outcome::Signaled(libc::WTERMSIG(status))
    } else {
        Outcome::Exited(libc::WEXITSTATUS(status))
    }
}

fn reap(child: Pid) -> Outcome {
    match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, code)) => Outcome::Exited(code),
        Ok(WaitStatus::Signaled(_, signal, _)) => Outcome::Signaled(signal as i32),
        Ok(other) => Outcome::Failed(format!("waitpid: {other:?}")),
        Err(e) => Outcome::Failed(format!("waitpid: {e:?}")),
    }
}

// --- Tracing one call --------------------------------------------------

/// Makes one call of `method` in a traced copy of the demo and records
/// what it and every process it created did.
fn observe(method: Method, prepared: &Prepared) -> Result<Trace, String> {
    // SAFETY: the demo is single-threaded; the copy asks to be traced,
    // stops, makes the one call (which may allocate: no other thread can
    // hold a lock) and exits.
    let caller = match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // SAFETY: PTRACE_TRACEME takes no pointers.
            if let Err(e) =
                unsafe { ptrace(libc::PTRACE_TRACEME, Pid::from_raw(0), 0, ptr::null_mut()) }
            {
                // SAFETY: ends the copy; its status tells the errno.
                unsafe { libc::_exit(e as i32) }
            }
            let _ = raise(Signal::SIGSTOP);
            let _ = spawn_once(method, prepared);
            // SAFETY: ends the copy without flushing the demo's buffers.
            unsafe { libc::_exit(0) }
        }
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(format!("fork: {e:?}")),
    };
    match waitpid(caller, Some(WaitPidFlag::__WALL)) {
        Ok(WaitStatus::Stopped(_, Signal::SIGSTOP)) => {}
        Ok(WaitStatus::Exited(_, code)) => {
            return Err(format!(
                "ptrace(PTRACE_TRACEME): {:?}",
                Errno::from_raw(code)
            ));
        }
        other => return Err(format!("the traced copy did not stop: {other:?}")),
    }
    let follow = libc::PTRACE_O_TRACESYSGOOD
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_TRACECLONE
        | libc::PTRACE_O_TRACEEXEC
        | libc::PTRACE_O_EXITKILL;
    // SAFETY: PTRACE_SETOPTIONS takes the options as its data word.
    if let Err(e) = unsafe {
        ptrace(
            libc::PTRACE_SETOPTIONS,
            caller,
            0,
            follow as usize as *mut c_void,
        )
    } {
        // The copy would stop again at its first call and wait forever.
        let _ = kill(caller, Signal::SIGKILL);
        let _ = waitpid(caller, None);
        return Err(format!("ptrace(PTRACE_SETOPTIONS): {e:?}"));
    }
    let mut tracer = Tracer::new(caller);
    tracer.resume(caller, 0);
    tracer.follow();
    match tracer.broken {
        Some(why) => Err(why),
        None => Ok(Trace {
            caller: caller.as_raw(),
            tracer: getpid().as_raw(),
            events: tracer.events,
            processes: tracer.processes,
        }),
    }
}

/// One ptrace request; `addr` and `data` are a number or a pointer, as the
/// request reads them.
///
/// # Safety
/// When the request writes through `data`, it points to enough memory.
unsafe fn ptrace(
    request: libc::c_uint,
    pid: Pid,
    addr: usize,
    data: *mut c_void,
) -> nix::Result<libc::c_long> {
    // SAFETY: the caller's promise.
    match unsafe { libc::ptrace(request, pid.as_raw(), addr as *mut c_void, data) } {
        -1 => Err(Errno::last()),
        result => Ok(result),
    }
}

/// The tracer's state while it follows one call.
struct Tracer {
    caller: Pid,
    events: Vec<Event>,
    processes: Vec<Process>,
    /// The recorded call each tracee is inside, between its syscall-entry
    /// and syscall-exit stops, with the execve it asked for.
    inside: HashMap<i32, (usize, Option<Execve>)>,
    /// Tracees whose first stop (the SIGSTOP every new tracee gets) has
    /// been seen and swallowed.
    started: HashSet<i32>,
    /// Why the trace is incomplete, if it is.
    broken: Option<String>,
}

impl Tracer {
    fn new(caller: Pid) -> Tracer {
        Tracer {
            caller,
            events: Vec::new(),
            processes: Vec::new(),
            inside: HashMap::new(),
            started: HashSet::from([caller.as_raw()]),
            broken: None,
        }
    }

    /// Lets a stopped tracee run to its next system call entry or exit,
    /// delivering `signal` (0 for none).
    fn resume(&self, pid: Pid, signal: i32) {
        // SAFETY: PTRACE_SYSCALL takes the signal as its data word. It fails
        // only if the tracee is gone, which the next waitpid reports.
        let _ = unsafe { ptrace(libc::PTRACE_SYSCALL, pid, 0, signal as usize as *mut c_void) };
    }

    /// Waits for every tracee's stops until none is left.
    fn follow(&mut self) {
        loop {
            let status = match waitpid(None, Some(WaitPidFlag::__WALL)) {
                Ok(status) => status,
                Err(Errno::EINTR) => continue,
                Err(_) => return, // ECHILD: every tracee has ended
            };
            match status {
                WaitStatus::PtraceSyscall(pid) => {
                    self.system_call(pid);
                    self.resume(pid, 0);
                }
                WaitStatus::PtraceEvent(pid, _, event) => {
                    if matches!(
                        event,
                        libc::PTRACE_EVENT_FORK
                            | libc::PTRACE_EVENT_VFORK
                            | libc::PTRACE_EVENT_CLONE
                    ) {
                        self.created(pid);
                    }
                    self.resume(pid, 0);
                }
                WaitStatus::Stopped(pid, signal) => {
                    if signal == Signal::SIGSTOP && self.started.insert(pid.as_raw()) {
                        self.resume(pid, 0);
                    } else {
                        self.resume(pid, signal as i32);
                    }
                }
                WaitStatus::Exited(pid, code) => self.ended(pid, format!("exited with {code}")),
                WaitStatus::Signaled(pid, signal, _) => {
                    self.ended(pid, format!("killed by {}", signal.as_str()))
                }
                _ => {}
            }
        }
    }

    /// A PTRACE_EVENT_FORK, VFORK or CLONE stop: `parent` created a process.
    fn created(&mut self, parent: Pid) {
        let mut child: libc::c_ulong = 0;
        // SAFETY: PTRACE_GETEVENTMSG writes one unsigned long into `child`.
        let data = (&mut child as *mut libc::c_ulong).cast();
        if unsafe { ptrace(libc::PTRACE_GETEVENTMSG, parent, 0, data) }.is_err() {
            return;
        }
        let created_by = match self.inside.get(&parent.as_raw()) {
            Some((index, _)) => self.events[*index].call.clone(),
            None => "not observed".to_owned(),
        };
        let process = self.process(child as i32);
        process.parent = parent.as_raw();
        process.created_by = created_by;
    }

    fn ended(&mut self, pid: Pid, how: String) {
        if let Some((index, _)) = self.inside.remove(&pid.as_raw()) {
            // It ended inside the call, as strace writes it.
            self.events[index].result = Some("?".to_owned());
        }
        if pid == self.caller {
            return;
        }
        self.events.push(Event {
            pid: pid.as_raw(),
            call: how.clone(),
            result: None,
        });
        self.process(pid.as_raw()).ended = Some(how);
    }

    /// The record of a created process, made on first sight.
    fn process(&mut self, pid: i32) -> &mut Process {
        let index = match self.processes.iter().position(|p| p.pid == pid) {
            Some(index) => index,
            None => {
                self.processes.push(Process {
                    pid,
                    parent: 0,
                    created_by: "not observed".to_owned(),
                    execve: Vec::new(),
                    ended: None,
                });
                self.processes.len() - 1
            }
        };
        &mut self.processes[index]
    }

    /// A syscall-entry or syscall-exit stop: records the calls that create,
    /// replace and reap processes.
    fn system_call(&mut self, pid: Pid) {
        // SAFETY: a struct of integers, for which all zeroes is a value.
        let mut info: libc::ptrace_syscall_info = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<libc::ptrace_syscall_info>();
        let data = (&mut info as *mut libc::ptrace_syscall_info).cast();
        // SAFETY: the kernel writes at most `size` bytes into `info`.
        if let Err(e) = unsafe { ptrace(libc::PTRACE_GET_SYSCALL_INFO, pid, size, data) } {
            self.broken = Some(format!(
                "ptrace(PTRACE_GET_SYSCALL_INFO): {e:?} (Linux 5.3 or later)"
            ));
            return;
        }
        match info.op {
            libc::PTRACE_SYSCALL_INFO_ENTRY => {
                // SAFETY: op says the kernel filled in `entry`.
                let entry = unsafe { info.u.entry };
                self.inside.remove(&pid.as_raw());
                if let Some((call, exec)) = describe(pid, entry.nr as i64, &entry.args) {
                    self.events.push(Event {
                        pid: pid.as_raw(),
                        call,
                        result: None,
                    });
                    self.inside
                        .insert(pid.as_raw(), (self.events.len() - 1, exec));
                }
            }
            libc::PTRACE_SYSCALL_INFO_EXIT => {
                // SAFETY: op says the kernel filled in `exit`.
                let exit = unsafe { info.u.exit };
                if let Some((index, exec)) = self.inside.remove(&pid.as_raw()) {
                    let error = (exit.is_error != 0)
                        .then(|| format!("{:?}", Errno::from_raw(-exit.sval as i32)));
                    self.events[index].result = Some(match &error {
                        Some(name) => format!("-1 {name}"),
                        None => exit.sval.to_string(),
                    });
                    if let Some(mut exec) = exec {
                        exec.error = error;
                        self.process(pid.as_raw()).execve.push(exec);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The calls worth showing, as strace writes them, with what an execve
/// asked for. `None` for every other system call.
fn describe(pid: Pid, nr: i64, args: &[u64; 6]) -> Option<(String, Option<Execve>)> {
    let memory = || File::open(format!("/proc/{pid}/mem")).ok();
    let exec = |path: u64, argv: u64| {
        let memory = memory();
        Execve {
            path: memory
                .as_ref()
                .and_then(|m| read_string(m, path))
                .unwrap_or_else(|| "?".to_owned()),
            argv: memory
                .as_ref()
                .and_then(|m| read_argv(m, argv))
                .unwrap_or_default(),
            error: None,
        }
    };
    let call = match nr {
        libc::SYS_clone => format!("clone({})", clone_flags(args[0])),
        libc::SYS_clone3 => {
            // struct clone_args: flags at offset 0, exit_signal at 32.
            let flags = memory()
                .and_then(|m| Some((read_word(&m, args[0])?, read_word(&m, args[0] + 32)?)));
            match flags {
                Some((flags, signal)) => format!("clone3({})", clone_flags(flags | signal)),
                None => "clone3(?)".to_owned(),
            }
        }
        #[cfg(target_arch = "x86_64")]
        libc::SYS_fork => "fork()".to_owned(),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_vfork => "vfork()".to_owned(),
        libc::SYS_execve => {
            let exec = exec(args[0], args[1]);
            return Some((
                format!("execve({:?}, {:?})", exec.path, exec.argv),
                Some(exec),
            ));
        }
        libc::SYS_execveat => {
            let exec = exec(args[1], args[2]);
            return Some((
                format!(
                    "execveat({}, {:?}, {:?})",
                    args[0] as i32, exec.path, exec.argv
                ),
                Some(exec),
            ));
        }
        libc::SYS_wait4 => format!("wait4({})", args[0] as i32),
        libc::SYS_waitid => {
            let which = match args[0] as libc::idtype_t {
                libc::P_ALL => "P_ALL",
                libc::P_PID => "P_PID",
                libc::P_PGID => "P_PGID",
                _ => "P_PIDFD",
            };
            format!("waitid({which}, {})", args[1] as i32)
        }
        _ => return None,
    };
    Some((call, None))
}

/// Clone flags by name, the exit signal last: `CLONE_VM|CLONE_VFORK|SIGCHLD`.
fn clone_flags(flags: u64) -> String {
    const NAMES: [(libc::c_int, &str); 23] = [
        (libc::CLONE_VM, "CLONE_VM"),
        (libc::CLONE_FS, "CLONE_FS"),
        (libc::CLONE_FILES, "CLONE_FILES"),
        (libc::CLONE_SIGHAND, "CLONE_SIGHAND"),
        (libc::CLONE_PIDFD, "CLONE_PIDFD"),
        (libc::CLONE_PTRACE, "CLONE_PTRACE"),
        (libc::CLONE_VFORK, "CLONE_VFORK"),
        (libc::CLONE_PARENT, "CLONE_PARENT"),
        (libc::CLONE_THREAD, "CLONE_THREAD"),
        (libc::CLONE_NEWNS, "CLONE_NEWNS"),
        (libc::CLONE_SYSVSEM, "CLONE_SYSVSEM"),
        (libc::CLONE_SETTLS, "CLONE_SETTLS"),
        (libc::CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"),
        (libc::CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"),
        (libc::CLONE_UNTRACED, "CLONE_UNTRACED"),
        (libc::CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"),
        (libc::CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
        (libc::CLONE_NEWUTS, "CLONE_NEWUTS"),
        (libc::CLONE_NEWIPC, "CLONE_NEWIPC"),
        (libc::CLONE_NEWUSER, "CLONE_NEWUSER"),
        (libc::CLONE_NEWPID, "CLONE_NEWPID"),
        (libc::CLONE_NEWNET, "CLONE_NEWNET"),
        (libc::CLONE_IO, "CLONE_IO"),
    ];
    let mut rest = flags & !0xff;
    let mut names: Vec<String> = Vec::new();
    for (bit, name) in NAMES {
        let bit = u64::from(bit as u32);
        if rest & bit != 0 {
            names.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    let signal = (flags & 0xff) as i32;
    if signal != 0 {
        names.push(signal_name(signal));
    }
    if names.is_empty() {
        names.push("0".to_owned());
    }
    names.join("|")
}

fn signal_name(signal: i32) -> String {
    match Signal::try_from(signal) {
        Ok(signal) => signal.as_str().to_owned(),
        Err(_) => format!("signal {signal}"),
    }
}

/// Longest string and argument list read from a tracee.
const MAX_STRING: usize = 4096;
const MAX_ARGS: u64 = 64;

fn read_word(memory: &File, address: u64) -> Option<u64> {
    let mut word = [0u8; 8];
    memory.read_exact_at(&mut word, address).ok()?;
    Some(u64::from_ne_bytes(word))
}

/// A NUL-terminated string in a tracee's memory, read in pieces that never
/// cross a 4096-byte boundary (the next page may not be mapped).
fn read_string(memory: &File, address: u64) -> Option<String> {
    let mut bytes = Vec::new();
    let mut at = address;
    while bytes.len() < MAX_STRING {
        let mut piece = vec![0u8; (4096 - at % 4096) as usize];
        let n = memory.read_at(&mut piece, at).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = piece[..n].iter().position(|&b| b == 0) {
            bytes.extend_from_slice(&piece[..end]);
            return Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        bytes.extend_from_slice(&piece[..n]);
        at += n as u64;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned() + "...")
}

/// A null-terminated array of strings in a tracee's memory.
fn read_argv(memory: &File, address: u64) -> Option<Vec<String>> {
    let mut argv = Vec::new();
    for i in 0..MAX_ARGS {
        let pointer = read_word(memory, address + 8 * i)?;
        if pointer == 0 {
            return Some(argv);
        }
        argv.push(read_string(memory, pointer)?);
    }
    argv.push("...".to_owned());
    Some(argv)
}

// --- Printing -----------------------------------------------------------

fn human(report: &Report) -> String {
    let each = if report.methods.len() > 1 {
        " per method"
    } else {
        ""
    };
    let mut text = format!(
        "spawn: {}, {} timed calls{each}\n",
        report.command.join(" "),
        report.runs
    );
    for method in &report.methods {
        text.push_str(&format!(
            "\n{} ({}), one call traced",
            method.method, method.calls
        ));
        match (&method.traced, &method.not_observed) {
            (Some(trace), _) => {
                text.push_str(&format!(
                    " in PID {} (a copy of the demo, PID {}):\n",
                    trace.caller, trace.tracer
                ));
                for event in &trace.events {
                    text.push_str(&format!("  {:>7}  {}", event.pid, event.call));
                    if let Some(result) = &event.result {
                        text.push_str(&format!(" = {result}"));
                    }
                    text.push('\n');
                }
                text.push_str(&format!("  processes created: {}\n", processes(trace)));
            }
            (None, why) => {
                text.push_str(&format!(
                    ":\n  processes: not observed ({})\n",
                    why.as_deref().unwrap_or("no reason given")
                ));
            }
        }
        if report.methods.len() == 1 {
            for timing in &method.timings {
                text.push_str(&format!(
                    "  time per call, to the child reaped: {}\n",
                    one_timing(timing)
                ));
            }
        }
    }
    if report.methods.len() > 1 {
        text.push_str(&table(report));
    }
    text
}

/// `4243 (/bin/sh, then /bin/true), 4244 (/bin/ls)`: each process created
/// and the programs it ran.
fn processes(trace: &Trace) -> String {
    if trace.processes.is_empty() {
        return "none".to_owned();
    }
    let list: Vec<String> = trace
        .processes
        .iter()
        .map(|p| {
            let ran: Vec<&str> = p
                .execve
                .iter()
                .filter(|e| e.error.is_none())
                .map(|e| e.path.as_str())
                .collect();
            if ran.is_empty() {
                format!("{} (no execve succeeded)", p.pid)
            } else {
                format!("{} ({})", p.pid, ran.join(", then "))
            }
        })
        .collect();
    list.join(", ")
}

fn one_timing(timing: &Timing) -> String {
    let mut text = match (timing.median_ms, timing.min_ms, timing.max_ms) {
        (Some(median), Some(min), Some(max)) => format!(
            "median {median:.3} ms (min {min:.3}, max {max:.3}) over {} calls",
            timing.runs
        ),
        _ => "no call succeeded".to_owned(),
    };
    text.push_str(&format!(", demo RSS {}", rss(timing.rss_kib)));
    if timing.ballast_mib > 0 {
        text.push_str(&format!(" (ballast {} MiB)", timing.ballast_mib));
    }
    if let Some(failure) = &timing.failure {
        text.push_str(&format!("\n  failed at {failure}"));
    }
    text
}

fn rss(kib: Option<u64>) -> String {
    match kib {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "not observed".to_owned(),
    }
}

/// The methods side by side: median and ratio at each ballast size.
fn table(report: &Report) -> String {
    let mut text = format!(
        "\ntime per call, to the child reaped (median of {} calls):\n{:<12}",
        report.runs, ""
    );
    for mib in &report.ballast_mib {
        text.push_str(&format!("  {:<28}", format!("ballast {mib} MiB")));
    }
    text.truncate(text.trim_end().len());
    text.push_str(&format!("\n{:<12}", "method"));
    for _ in &report.ballast_mib {
        text.push_str(&format!(
            "  {:>8} {:>9} {:>9}",
            "RSS MiB", "median ms", "x fastest"
        ));
    }
    text.push('\n');
    let mut failures = String::new();
    for method in &report.methods {
        text.push_str(&format!("{:<12}", method.method));
        for timing in &method.timings {
            let rss = timing
                .rss_kib
                .map_or("?".to_owned(), |kib| format!("{:.1}", kib as f64 / 1024.0));
            let median = timing
                .median_ms
                .map_or("failed".to_owned(), |m| format!("{m:.3}"));
            let ratio = timing
                .ratio_to_fastest
                .map_or("-".to_owned(), |r| format!("{r:.2}"));
            text.push_str(&format!("  {rss:>8} {median:>9} {ratio:>9}"));
            if let Some(failure) = &timing.failure {
                failures.push_str(&format!(
                    "{} at ballast {} MiB failed at {failure}\n",
                    method.method, timing.ballast_mib
                ));
            }
        }
        text.push('\n');
    }
    text + &failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_flags_are_named_with_the_exit_signal_last() {
        let flags = (libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD) as u64;
        assert_eq!(clone_flags(flags), "CLONE_VM|CLONE_VFORK|SIGCHLD");
        assert_eq!(clone_flags(0), "0");
        assert_eq!(clone_flags(1 << 40), "0x10000000000");
    }

    #[test]
    fn words_are_quoted_only_when_sh_would_change_them() {
        assert_eq!(shell_quote(OsStr::new("/bin/true")), "/bin/true");
        assert_eq!(shell_quote(OsStr::new("a b")), "'a b'");
        assert_eq!(shell_quote(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(shell_quote(OsStr::new("")), "''");
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, 2.0, 9.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), Some(3.0));
    }
}
