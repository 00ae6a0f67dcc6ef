//! The speed benchmark: minishell, dash and bash (and mksh, ksh93, yash and
//! busybox ash, where installed) run the same workloads side by side, and
//! the tables say how each compares with dash.
//!
//! `cargo bench --bench shells [-- FILTER ...]` runs every workload whose key
//! or label contains a FILTER (all of them without one). Each timed workload
//! is run round-robin: a round runs every shell once, so a burst of machine
//! noise lands on all shells alike instead of on whichever ran during it.
//! The table shows medians, which a few slow outliers do not move.
//!
//! This is a measurement, not a test: it never fails on a missed bar, it
//! prints `no` in the `ok?` column. Scale it with environment variables:
//!
//! - `BENCH_ROUNDS=F` multiplies every round count by F (say 0.5 or 3);
//! - `BENCH_QUICK=1` runs a fifth of the rounds (three at least), skips the
//!   untimed warm-up run of the script workloads, and pipes 64 MiB instead
//!   of 1 GiB through the throughput pipeline: a few minutes in all.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal as _, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A run still going after this long is killed and counted as a failure, so
/// a hang in minishell costs two minutes instead of the whole report.
const RUN_LIMIT: Duration = Duration::from_secs(120);

const MIB: u64 = 1 << 20;

fn main() {
    let settings = Settings::from_env();
    let mut bench = Bench::new(settings);
    let started = Instant::now();
    let mut rows = Vec::new();
    for workload in workloads(&bench.settings) {
        if bench.settings.selects(&workload) {
            let outcomes = bench.measure(&workload);
            rows.push(Row { workload, outcomes });
        }
    }
    bench.print_header();
    print_table(&rows, &bench.shells);
    for note in &bench.notes {
        println!("note: {note}");
    }
    println!("whole run: {:.1} s", started.elapsed().as_secs_f64());
}

// ---------------------------------------------------------------------------
// The workloads
// ---------------------------------------------------------------------------

/// One row of the table: what each shell runs, how often, and what counts.
struct Workload {
    /// The word a filter matches (a label is matched too).
    key: &'static str,
    label: String,
    metric: Metric,
    /// Rounds before `BENCH_ROUNDS` and `BENCH_QUICK` scale them.
    rounds: u32,
    /// Whether a run is short enough for an untimed warm-up run to matter
    /// (the loader's pages, the page cache). A script that runs for
    /// seconds warms itself, and `BENCH_QUICK` skips its warm-up.
    short: bool,
    bar: Bar,
    /// Writes the files the workload needs and returns the shell's arguments.
    /// It runs only for selected workloads, so `-- startup` never writes the
    /// 1 GiB file.
    prepare: fn(&Scratch) -> io::Result<Vec<OsString>>,
}

/// What is read off a run.
#[derive(Clone, Copy)]
enum Metric {
    /// Wall time from spawn to exit.
    Time,
    /// `ru_maxrss` of the shell process (and of any child it reaped), as
    /// `wait4` reports it.
    PeakRss,
    /// Instructions executed, counted by callgrind: exact and repeatable,
    /// where time on a noisy two-core machine is neither.
    Instructions,
}

/// The target minishell is held to.
enum Bar {
    /// minishell's median at most this many times dash's.
    AtMostDash(f64),
}

/// The table, in the order the issue lists it.
fn workloads(settings: &Settings) -> Vec<Workload> {
    vec![
        Workload {
            key: "startup",
            label: "-c true (startup)".into(),
            metric: Metric::Time,
            rounds: 200,
            short: true,
            bar: Bar::AtMostDash(0.75),
            prepare: |_| Ok(shell_args(["-c", "true"])),
        },
        Workload {
            key: "external",
            label: "2,000 x /bin/true (script)".into(),
            metric: Metric::Time,
            rounds: 10,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("external.sh", "/bin/true\n", 2_000),
        },
        Workload {
            key: "redirect",
            label: "1,000 redirection pairs".into(),
            metric: Metric::Time,
            rounds: 10,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| {
                let file = scratch.dir.join("f");
                let pair = format!("echo x > {0}\ncat < {0} > /dev/null\n", file.display());
                scratch.script("redirect.sh", &pair, 1_000)
            },
        },
        Workload {
            key: "loop",
            label: "while loop, 200,000 turns".into(),
            metric: Metric::Time,
            rounds: 10,
            short: false,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("loop.sh", LOOP_SCRIPT, 1),
        },
        Workload {
            key: "function",
            label: "100,000 function calls".into(),
            metric: Metric::Time,
            rounds: 10,
            short: false,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("function.sh", FUNCTION_SCRIPT, 1),
        },
        Workload {
            key: "cmdsub",
            label: "5,000 x $(echo ...)".into(),
            metric: Metric::Time,
            rounds: 5,
            short: false,
            bar: Bar::AtMostDash(0.1),
            prepare: |scratch| scratch.script("cmdsub.sh", CMDSUB_SCRIPT, 1),
        },
        Workload {
            key: "read",
            label: "while read, 100,000 lines".into(),
            metric: Metric::Time,
            rounds: 10,
            short: false,
            bar: Bar::AtMostDash(0.5),
            prepare: |scratch| {
                let lines = scratch.dir.join("lines.txt");
                let mut out = BufWriter::new(File::create(&lines)?);
                for n in 1..=100_000 {
                    writeln!(out, "{n} and a few more words on the line")?;
                }
                out.flush()?;
                let script = READ_SCRIPT.replace("LINES", &lines.display().to_string());
                scratch.script("read.sh", &script, 1)
            },
        },
        Workload {
            key: "trim",
            label: "${p##*/} trims + case, 50,000".into(),
            metric: Metric::Time,
            rounds: 10,
            short: false,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("trim.sh", TRIM_SCRIPT, 1),
        },
        Workload {
            key: "glob",
            label: "200 x /usr/bin/*".into(),
            metric: Metric::Time,
            rounds: 10,
            short: false,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("glob.sh", GLOB_SCRIPT, 1),
        },
        Workload {
            key: "builtin",
            label: "10,000 builtin-only lines".into(),
            metric: Metric::Time,
            rounds: 20,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("builtin.sh", BUILTIN_LINE, 10_000),
        },
        Workload {
            key: "throughput",
            label: format!("cat {} MiB |cat|cat|cat", settings.big_bytes() / MIB),
            metric: Metric::Time,
            rounds: 5,
            short: true,
            bar: Bar::AtMostDash(1.05),
            prepare: |scratch| {
                let big = scratch.big_file()?;
                let line = format!("cat {} | cat | cat | cat > /dev/null", big.display());
                Ok(shell_args(["-c", &line]))
            },
        },
        Workload {
            key: "pipeline100",
            label: "100-stage pipeline".into(),
            metric: Metric::Time,
            rounds: 20,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |_| {
                // `echo` and 99 `cat`s: a hundred processes, 99 pipes.
                let line = format!("echo x{} > /dev/null", " | cat".repeat(99));
                Ok(shell_args(["-c", &line]))
            },
        },
        Workload {
            key: "rss",
            label: "peak RSS, -c true".into(),
            metric: Metric::PeakRss,
            rounds: 20,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |_| Ok(shell_args(["-c", "true"])),
        },
        Workload {
            key: "callgrind-startup",
            label: "instructions, -c true".into(),
            metric: Metric::Instructions,
            rounds: 1,
            short: true,
            bar: Bar::AtMostDash(0.6),
            prepare: |_| Ok(shell_args(["-c", "true"])),
        },
        Workload {
            key: "callgrind-builtin",
            // A thousand lines, not ten thousand: callgrind runs a program
            // tens of times slower, and the count is exact either way.
            label: "instructions, 1,000 builtin".into(),
            metric: Metric::Instructions,
            rounds: 1,
            short: true,
            bar: Bar::AtMostDash(1.0),
            prepare: |scratch| scratch.script("builtin-1k.sh", BUILTIN_LINE, 1_000),
        },
    ]
}

/// An assignment, an expansion and a redirection, with no process started.
const BUILTIN_LINE: &str = "x=1; echo $x > /dev/null\n";

/// The script workloads. Each is POSIX sh, so every shell runs the very
/// same text; each loop counts with `[ ]` and `$(( ))`, which all have.
const LOOP_SCRIPT: &str = "\
i=0
while [ \"$i\" -lt 200000 ]; do
  i=$((i + 1))
done
";

/// A call with an argument and an assignment in the body.
const FUNCTION_SCRIPT: &str = "\
f() { last=$1; }
i=0
while [ \"$i\" -lt 100000 ]; do
  f \"$i\"
  i=$((i + 1))
done
";

/// A substitution of a builtin: a fork each in most shells.
const CMDSUB_SCRIPT: &str = "\
i=0
while [ \"$i\" -lt 5000 ]; do
  x=$(echo \"turn $i\")
  i=$((i + 1))
done
";

/// `LINES` is replaced by the path of the 100,000-line file.
const READ_SCRIPT: &str = "\
while read -r first rest; do
  :
done < LINES
";

/// Path trimming as scripts do it, and a `case` on the result.
const TRIM_SCRIPT: &str = "\
p=/usr/local/share/doc/pkg/archive.tar.gz
i=0
while [ \"$i\" -lt 50000 ]; do
  base=${p##*/}
  dir=${p%/*}
  case ${base#*.} in
    tar.gz) ;;
    *) echo odd ;;
  esac
  i=$((i + 1))
done
";

/// A directory of a thousand names, listed and sorted each turn.
const GLOB_SCRIPT: &str = "\
i=0
while [ \"$i\" -lt 200 ]; do
  set -- /usr/bin/*
  i=$((i + 1))
done
";

fn shell_args<const N: usize>(words: [&str; N]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

// ---------------------------------------------------------------------------
// Settings, shells and the scratch directory
// ---------------------------------------------------------------------------

struct Settings {
    /// Multiplies every workload's rounds.
    rounds_scale: f64,
    quick: bool,
    /// Positional arguments; flags such as cargo's `--bench` are ignored.
    filters: Vec<String>,
}

impl Settings {
    fn from_env() -> Settings {
        let quick = std::env::var("BENCH_QUICK").is_ok_and(|value| value != "0");
        let scale = std::env::var("BENCH_ROUNDS")
            .ok()
            .and_then(|value| value.parse::<f64>().ok())
            .filter(|scale| *scale > 0.0)
            .unwrap_or(1.0);
        let filters = std::env::args()
            .skip(1)
            .filter(|arg| !arg.starts_with('-'))
            .map(|arg| arg.to_lowercase())
            .collect();
        Settings {
            rounds_scale: if quick { scale * 0.2 } else { scale },
            quick,
            filters,
        }
    }

    fn selects(&self, workload: &Workload) -> bool {
        let label = workload.label.to_lowercase();
        self.filters.is_empty()
            || self
                .filters
                .iter()
                .any(|f| workload.key.contains(f.as_str()) || label.contains(f))
    }

    /// The size of the throughput pipeline's input.
    fn big_bytes(&self) -> u64 {
        if self.quick { 64 * MIB } else { 1024 * MIB }
    }

    /// Three rounds at least: a median of one or two runs is just a sample.
    fn rounds(&self, workload: &Workload) -> u32 {
        match workload.metric {
            Metric::Instructions => 1,
            _ => ((workload.rounds as f64 * self.rounds_scale).round() as u32).max(3),
        }
    }
}

/// A shell under test; `path` is `None` when this machine lacks it.
struct Shell {
    name: &'static str,
    path: Option<PathBuf>,
    /// Arguments before the workload's own: `busybox ash` is `busybox`
    /// run with `ash`.
    leading: Vec<OsString>,
    /// The C floor: a program that returns at once, measured on the
    /// start-up rows only (it runs no script).
    startup_only: bool,
}

impl Shell {
    /// A shell found in `$PATH` under the first of `names` present.
    fn found(name: &'static str, names: &[&str], leading: &[&str]) -> Shell {
        Shell {
            name,
            path: names.iter().find_map(|candidate| find_in_path(candidate)),
            leading: leading.iter().map(OsString::from).collect(),
            startup_only: false,
        }
    }

    /// Whether this column has a value on `workload`.
    fn runs(&self, workload: &Workload) -> bool {
        self.path.is_some()
            && (!self.startup_only
                || ["startup", "rss", "callgrind-startup"].contains(&workload.key))
    }

    /// The whole argument list for one run of a workload.
    fn args(&self, workload_args: &[OsString]) -> Vec<OsString> {
        self.leading.iter().chain(workload_args).cloned().collect()
    }

    /// Whether a missing shell is worth a note: the three the bench is
    /// about are, the extra columns are not.
    fn required(&self) -> bool {
        matches!(self.name, "minishell" | "dash" | "bash")
    }
}

/// The first executable file named `name` in `$PATH`.
fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A private temporary directory for scripts and the big file, removed when
/// the benchmark ends.
struct Scratch {
    dir: PathBuf,
    big_bytes: u64,
}

impl Scratch {
    fn create(big_bytes: u64) -> io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("minishell-bench.{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        Ok(Scratch { dir, big_bytes })
    }

    /// Builds `int main(void) { return 0; }` linked statically, with the
    /// machine's C compiler.
    fn c_floor(&self) -> Result<PathBuf, String> {
        let source = self.dir.join("floor.c");
        let binary = self.dir.join("c-floor");
        fs::write(&source, "int main(void) { return 0; }\n").map_err(|e| e.to_string())?;
        let built = Command::new("cc")
            .args(["-O2", "-static", "-o"])
            .arg(&binary)
            .arg(&source)
            .stderr(Stdio::null())
            .status();
        match built {
            Ok(status) if status.success() => Ok(binary),
            Ok(_) => Err("cc -static failed (no static libc?)".into()),
            Err(error) => Err(format!("no C compiler: {error}")),
        }
    }

    /// A copy of `program` in `bin/NAME/`, written the way an install
    /// writes one (`std::fs::copy`, as `cargo install` and install(1)).
    ///
    /// Every shell runs from such a copy, because how a file came to be in
    /// the page cache changes what its exec costs. The linker writes the
    /// binary in small pieces, which the page cache keeps as 4 KiB pages,
    /// and exec maps that file page by page; a copy written in large
    /// blocks sits in large folios, mapped a folio at a time. Measured on
    /// the same bytes of minishell, `-c true`: 465 µs as linked, 409 µs as
    /// copied (dash: 571 µs, and the same from a copy).
    fn install(&self, name: &str, program: &Path) -> io::Result<PathBuf> {
        let dir = self.dir.join("bin").join(name);
        fs::create_dir_all(&dir)?;
        let file = program.file_name().unwrap_or(program.as_os_str());
        let copy = dir.join(file);
        fs::copy(program, &copy)?;
        Ok(copy)
    }

    /// Writes `body` `count` times into the script `name`; the arguments run
    /// it the way `SHELL FILE` does.
    fn script(&self, name: &str, body: &str, count: usize) -> io::Result<Vec<OsString>> {
        let path = self.dir.join(name);
        let mut out = BufWriter::new(File::create(&path)?);
        for _ in 0..count {
            out.write_all(body.as_bytes())?;
        }
        out.flush()?;
        Ok(vec![path.into_os_string()])
    }

    /// The throughput input. It is sparse: reading a hole costs the kernel
    /// no disk, so the pipes, not the disk, set the pace, and /tmp keeps its
    /// gigabyte.
    fn big_file(&self) -> io::Result<PathBuf> {
        let path = self.dir.join("big");
        File::create(&path)?.set_len(self.big_bytes)?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

// ---------------------------------------------------------------------------
// Running one command
// ---------------------------------------------------------------------------

/// What one finished run reports.
struct Run {
    elapsed: Duration,
    /// The child's peak resident set, in KiB (Linux's unit for `ru_maxrss`).
    max_rss_kib: i64,
    /// The raw status from `wait4`.
    status: libc::c_int,
}

impl Run {
    /// `Ok` when the command exited 0, else the way it ended, in words.
    fn verdict(&self) -> Result<(), String> {
        if self.elapsed >= RUN_LIMIT {
            Err(format!(
                "still running after {} s; killed",
                RUN_LIMIT.as_secs()
            ))
        } else if libc::WIFEXITED(self.status) {
            match libc::WEXITSTATUS(self.status) {
                0 => Ok(()),
                code => Err(format!("exit status {code}")),
            }
        } else if libc::WIFSIGNALED(self.status) {
            Err(format!("killed by signal {}", libc::WTERMSIG(self.status)))
        } else {
            Err(format!("wait status {:#x}", self.status))
        }
    }
}

/// Starts every measured command, in the same environment each time.
struct Runner {
    watchdog: Watchdog,
    env: Vec<(OsString, OsString)>,
}

impl Runner {
    /// The environment is the caller's, less what cargo adds to it. A shell
    /// copies every variable at startup, so `cargo bench` and running the
    /// bench binary by hand must hand the shells the same ones; and cargo's
    /// `LD_LIBRARY_PATH` sends dash's and bash's dynamic loader through extra
    /// directories that static minishell never searches. `ENV` and
    /// `BASH_ENV` go too: a startup file is work one shell does and another
    /// does not.
    fn new() -> Runner {
        let added_by_cargo = |name: &str| {
            name.starts_with("CARGO")
                || name.starts_with("RUSTUP_")
                || name == "RUST_RECURSION_COUNT"
                || name == "LD_LIBRARY_PATH"
        };
        let env = std::env::vars_os()
            .filter(|(name, _)| {
                let name = name.to_string_lossy();
                !added_by_cargo(&name) && name != "ENV" && name != "BASH_ENV"
            })
            .collect();
        Runner {
            watchdog: Watchdog::start(),
            env,
        }
    }

    /// Runs `program args` once, stdin and stdout on /dev/null, and times
    /// it from spawn to exit.
    ///
    /// The child gets its own process group, so the watchdog can kill a
    /// hung pipeline whole. Its end is first observed with
    /// `waitid(WNOWAIT)`, which leaves it a zombie: the watchdog is disarmed
    /// while the pid cannot yet be reused, and only then does `wait4` reap
    /// it and hand over its rusage.
    fn run(&self, program: &Path, args: &[OsString], stderr: Stdio) -> io::Result<Run> {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .env_clear()
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .process_group(0);
        let start = Instant::now();
        let child = command.spawn()?;
        let pid = child.id() as libc::pid_t;
        self.watchdog.arm(pid, start + RUN_LIMIT);
        let ended = wait_without_reaping(pid);
        let elapsed = start.elapsed();
        self.watchdog.disarm();
        ended?;
        reap(child, elapsed)
    }
}

/// Reaps the exited `child` with `wait4`, for its status and its rusage.
fn reap(child: std::process::Child, elapsed: Duration) -> io::Result<Run> {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped; both pointers are to
    // live locals of the right types.
    if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } < 0 {
        return Err(io::Error::last_os_error());
    }
    // `child` is dropped without `wait`: the process is already reaped.
    drop(child);
    Ok(Run {
        elapsed,
        max_rss_kib: usage.ru_maxrss,
        status,
    })
}

/// Blocks until `pid` has exited, leaving it unreaped.
fn wait_without_reaping(pid: libc::pid_t) -> io::Result<()> {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid value of this C struct.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child; `info` is a live local.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if result == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// A thread that kills the armed process group once its deadline passes.
struct Watchdog {
    armed: Arc<Mutex<Option<(libc::pid_t, Instant)>>>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let armed = Arc::new(Mutex::new(None::<(libc::pid_t, Instant)>));
        let watched = Arc::clone(&armed);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(100));
                // The lock is held while killing: `disarm` cannot return, and
                // the pid cannot be reaped and reused, in between.
                let mut slot = watched.lock().expect("watchdog lock");
                if let Some((group, deadline)) = *slot
                    && Instant::now() >= deadline
                {
                    // SAFETY: kill has no memory preconditions; `group`
                    // is the group of our own unreaped child.
                    unsafe { libc::kill(-group, libc::SIGKILL) };
                    *slot = None;
                }
            }
        });
        Watchdog { armed }
    }

    fn arm(&self, group: libc::pid_t, deadline: Instant) {
        *self.armed.lock().expect("watchdog lock") = Some((group, deadline));
    }

    fn disarm(&self) {
        *self.armed.lock().expect("watchdog lock") = None;
    }
}

// ---------------------------------------------------------------------------
// Measuring a workload
// ---------------------------------------------------------------------------

/// What one shell gave on one workload.
enum Outcome {
    /// The median: seconds, KiB or instructions, per the metric.
    Value(f64),
    /// It failed; a note says how.
    Failed,
    /// The shell (or valgrind) is not on this machine.
    Absent,
}

struct Bench {
    settings: Settings,
    /// minishell first, then dash, then bash: the table's column order.
    shells: Vec<Shell>,
    valgrind: Option<PathBuf>,
    scratch: Scratch,
    runner: Runner,
    /// Printed under the table: skipped columns, failures and their stderr.
    notes: Vec<String>,
}

impl Bench {
    fn new(settings: Settings) -> Bench {
        let mut shells = vec![
            Shell {
                name: "minishell",
                path: Some(PathBuf::from(env!("CARGO_BIN_EXE_minishell"))),
                leading: Vec::new(),
                startup_only: false,
            },
            Shell::found("dash", &["dash"], &[]),
            Shell::found("bash", &["bash"], &[]),
            // The extra columns, each shown only where installed (Debian:
            // mksh, ksh93u+m, yash, busybox).
            Shell::found("mksh", &["mksh"], &[]),
            Shell::found("ksh93", &["ksh93", "ksh"], &[]),
            Shell::found("yash", &["yash"], &[]),
            Shell::found("ash", &["busybox"], &["ash"]),
        ];
        let scratch = Scratch::create(settings.big_bytes()).expect("create the scratch directory");
        let mut notes = Vec::new();
        for shell in &mut shells {
            let Some(path) = &shell.path else { continue };
            match scratch.install(shell.name, path) {
                Ok(copy) => shell.path = Some(copy),
                Err(e) => notes.push(format!(
                    "{}: runs from {} (no copy: {e})",
                    shell.name,
                    path.display()
                )),
            }
        }
        // The floor under the start-up rows: what exec and exit of a
        // static program that does nothing cost, in the same rounds.
        let floor = scratch.c_floor();
        shells.push(Shell {
            name: "C floor",
            path: floor.as_ref().ok().cloned(),
            leading: Vec::new(),
            startup_only: true,
        });
        for shell in shells.iter().filter(|shell| shell.path.is_none()) {
            let note = match shell.required() {
                true => format!("{} not found in PATH: its column is skipped", shell.name),
                false => format!("{} not installed: its column is empty", shell.name),
            };
            notes.push(note);
        }
        let valgrind = find_in_path("valgrind");
        if valgrind.is_none() {
            notes.push("valgrind not found: the instruction rows are skipped".into());
        }
        if let Err(why) = floor {
            notes.push(format!("C floor column empty: {why}"));
        }
        Bench {
            settings,
            shells,
            valgrind,
            scratch,
            runner: Runner::new(),
            notes,
        }
    }

    fn measure(&mut self, workload: &Workload) -> Vec<Outcome> {
        let args = match (workload.prepare)(&self.scratch) {
            Ok(args) => args,
            Err(error) => {
                self.notes
                    .push(format!("{}: could not prepare: {error}", workload.key));
                return self.shells.iter().map(|_| Outcome::Failed).collect();
            }
        };
        match workload.metric {
            Metric::Time | Metric::PeakRss => self.run_rounds(workload, &args),
            Metric::Instructions => self.count_instructions(workload, &args),
        }
    }

    /// Round-robin: every round runs each shell once. The starting shell
    /// rotates, so none always runs right after another's cache-warming.
    fn run_rounds(&mut self, workload: &Workload, args: &[OsString]) -> Vec<Outcome> {
        let rounds = self.settings.rounds(workload);
        let count = self.shells.len();
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); count];
        let mut failed = vec![false; count];

        // One untimed run each: the page cache, the big file and the dynamic
        // loader's files are warm before the first sample, for every shell.
        if workload.short || !self.settings.quick {
            for index in 0..count {
                self.sample(workload, args, index, &mut failed);
            }
        }
        for round in 0..rounds {
            progress(workload.key, "round", round as usize + 1, rounds as usize);
            for offset in 0..count {
                let index = (round as usize + offset) % count;
                if let Some(value) = self.sample(workload, args, index, &mut failed) {
                    samples[index].push(value);
                }
            }
        }
        progress_done();

        (0..count)
            .map(|index| {
                if !self.shells[index].runs(workload) {
                    Outcome::Absent
                } else if failed[index] || samples[index].is_empty() {
                    Outcome::Failed
                } else {
                    Outcome::Value(median(&mut samples[index]))
                }
            })
            .collect()
    }

    /// One run of shell `index`, or `None` if it is absent or has failed on
    /// this workload (after one failure it is not run again: a broken
    /// workload would only add noise and time).
    fn sample(
        &mut self,
        workload: &Workload,
        args: &[OsString],
        index: usize,
        failed: &mut [bool],
    ) -> Option<f64> {
        let path = self.shells[index].path.clone()?;
        if failed[index] || !self.shells[index].runs(workload) {
            return None;
        }
        let args = self.shells[index].args(args);
        let verdict = self
            .runner
            .run(&path, &args, Stdio::null())
            .map_err(|error| format!("could not run: {error}"))
            .and_then(|run| run.verdict().map(|()| run));
        match verdict {
            Ok(run) => Some(match workload.metric {
                Metric::PeakRss => run.max_rss_kib as f64,
                _ => run.elapsed.as_secs_f64(),
            }),
            Err(how) => {
                failed[index] = true;
                let stderr = if how.starts_with("still running") {
                    String::new() // Running it again would hang again.
                } else {
                    self.stderr_of(&path, &args)
                };
                let name = self.shells[index].name;
                self.notes
                    .push(format!("{name} failed on {}: {how}{stderr}", workload.key));
                None
            }
        }
    }

    /// Runs the failing command again with stderr kept, and returns the
    /// start of what it said, ready to append to a note.
    fn stderr_of(&self, program: &Path, args: &[OsString]) -> String {
        let log = self.scratch.dir.join("stderr.log");
        let Ok(file) = File::create(&log) else {
            return String::new();
        };
        let _ = self.runner.run(program, args, Stdio::from(file));
        let text = fs::read_to_string(&log).unwrap_or_default();
        let head: Vec<&str> = text.lines().take(3).collect();
        if head.is_empty() {
            String::new()
        } else {
            format!("; stderr: {}", head.join(" | "))
        }
    }

    /// One callgrind run per shell. `--trace-children=no` counts the shell's
    /// own instructions, not those of the programs it starts.
    fn count_instructions(&mut self, workload: &Workload, args: &[OsString]) -> Vec<Outcome> {
        let Some(valgrind) = self.valgrind.clone() else {
            return self.shells.iter().map(|_| Outcome::Absent).collect();
        };
        let mut outcomes = Vec::new();
        for index in 0..self.shells.len() {
            let Some(path) = self.shells[index].path.clone() else {
                outcomes.push(Outcome::Absent);
                continue;
            };
            if !self.shells[index].runs(workload) {
                outcomes.push(Outcome::Absent);
                continue;
            }
            progress(workload.key, "callgrind run", index + 1, self.shells.len());
            let args = self.shells[index].args(args);
            match self.callgrind(&valgrind, &path, &args) {
                Ok(instructions) => outcomes.push(Outcome::Value(instructions)),
                Err(how) => {
                    let name = self.shells[index].name;
                    self.notes.push(format!(
                        "{name} failed under callgrind on {}: {how}",
                        workload.key
                    ));
                    outcomes.push(Outcome::Failed);
                }
            }
        }
        progress_done();
        outcomes
    }

    /// The total instruction count of one run of `shell args`, read from
    /// the `totals:` (or older `summary:`) line of the callgrind output file,
    /// or else from the `Collected :` line valgrind prints on stderr.
    fn callgrind(&self, valgrind: &Path, shell: &Path, args: &[OsString]) -> Result<f64, String> {
        let out = self.scratch.dir.join("callgrind.out");
        let log = self.scratch.dir.join("valgrind.log");
        let _ = fs::remove_file(&out);
        let mut words: Vec<OsString> = vec![
            "--tool=callgrind".into(),
            "--trace-children=no".into(),
            format!("--callgrind-out-file={}", out.display()).into(),
            shell.as_os_str().to_owned(),
        ];
        words.extend(args.iter().cloned());
        let file = File::create(&log).map_err(|error| error.to_string())?;
        let run = self
            .runner
            .run(valgrind, &words, Stdio::from(file))
            .map_err(|error| format!("could not run valgrind: {error}"))?;
        let log_text = fs::read_to_string(&log).unwrap_or_default();
        run.verdict()
            .map_err(|how| format!("{how}; valgrind said: {}", last_lines(&log_text)))?;

        let out_text = fs::read_to_string(&out).unwrap_or_default();
        let from_file = out_text.lines().find_map(|line| {
            let rest = line
                .strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))?;
            rest.split_whitespace().next()?.parse::<f64>().ok()
        });
        let from_log = || {
            log_text.lines().find_map(|line| {
                let (_, count) = line.split_once("Collected :")?;
                count.trim().parse::<f64>().ok()
            })
        };
        from_file
            .or_else(from_log)
            .ok_or_else(|| "no instruction total in callgrind's output".into())
    }

    fn print_header(&self) {
        println!();
        for shell in &self.shells {
            if let Some(path) = &shell.path {
                println!("{:<10} {}", shell.name, path.display());
            }
        }
        println!("each shell runs from a copy made as an install makes one (Scratch::install)");
        println!(
            "rounds x{:.2}{}; timed rows are medians of round-robin runs",
            self.settings.rounds_scale,
            if self.settings.quick {
                " (BENCH_QUICK)"
            } else {
                ""
            },
        );
        println!(
            "environment: {} variables (the caller's, less cargo's)",
            self.runner.env.len()
        );
        println!();
    }
}

/// Progress on stderr: rewritten in place on a terminal; in a log, one line
/// per workload, so the log stays readable.
fn progress(key: &str, what: &str, step: usize, steps: usize) {
    if io::stderr().is_terminal() {
        eprint!("\r{key:<18} {what} {step:>3}/{steps}");
    } else if step == 1 {
        eprintln!("{key}: {steps} {what}s");
    }
}

fn progress_done() {
    if io::stderr().is_terminal() {
        eprintln!();
    }
}

/// The middle value (the mean of the middle two for an even count).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// The last few lines of a valgrind log, where its complaint is.
fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(3)..].join(" | ")
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

struct Row {
    workload: Workload,
    /// One per shell, in `Bench::shells` order.
    outcomes: Vec<Outcome>,
}

/// The shells with a column: those installed.
fn present(shells: &[Shell]) -> impl Iterator<Item = (usize, &Shell)> {
    shells
        .iter()
        .enumerate()
        .filter(|(_, shell)| shell.path.is_some())
}

/// The medians, and minishell's ratio to dash against its bar.
fn print_table(rows: &[Row], shells: &[Shell]) {
    let mut header = format!("{:<30}", "workload");
    for (_, shell) in present(shells) {
        header.push_str(&format!(" {:>11}", shell.name));
    }
    println!("{header} {:>10}  {:<7} ok?", "ratio/dash", "bar");
    for row in rows {
        let metric = row.workload.metric;
        let mut line = format!("{:<30}", row.workload.label);
        for (index, _) in present(shells) {
            let cell = match &row.outcomes[index] {
                Outcome::Value(value) => format_value(metric, *value),
                Outcome::Failed => "FAILED".into(),
                Outcome::Absent => "-".into(),
            };
            line.push_str(&format!(" {cell:>11}"));
        }
        let value = |index: usize| match row.outcomes.get(index) {
            Some(Outcome::Value(value)) => Some(*value),
            _ => None,
        };
        let (ours, dash) = (value(0), value(1));
        let ratio = ours.zip(dash).map(|(ours, dash)| ours / dash);
        let ratio_cell = ratio.map_or("-".into(), |ratio| format!("{ratio:.2}x"));
        let (bar, ok) = match row.workload.bar {
            Bar::AtMostDash(limit) => (format!("<={limit:.2}"), ratio.map(|ratio| ratio <= limit)),
        };
        let ok = match ok {
            Some(true) => "yes",
            Some(false) => "no",
            None => "n/a",
        };
        println!("{line} {ratio_cell:>10}  {bar:<7} {ok}");
    }
    print_ratios(rows, shells);
}

/// Every shell's median divided by dash's, row by row: the table the
/// README keeps.
fn print_ratios(rows: &[Row], shells: &[Shell]) {
    println!();
    let mut header = format!("{:<30}", "ratio to dash");
    for (_, shell) in present(shells) {
        header.push_str(&format!(" {:>9}", shell.name));
    }
    println!("{header}");
    for row in rows {
        let dash = match row.outcomes.get(1) {
            Some(Outcome::Value(dash)) if *dash > 0.0 => *dash,
            _ => continue,
        };
        let mut line = format!("{:<30}", row.workload.label);
        for (index, _) in present(shells) {
            let cell = match &row.outcomes[index] {
                Outcome::Value(value) => format!("{:.2}", value / dash),
                Outcome::Failed => "FAILED".into(),
                Outcome::Absent => "-".into(),
            };
            line.push_str(&format!(" {cell:>9}"));
        }
        println!("{line}");
    }
}

/// A value in the unit that reads best for its metric.
fn format_value(metric: Metric, value: f64) -> String {
    match metric {
        Metric::Time if value < 1.0 => format!("{:.2} ms", value * 1e3),
        Metric::Time => format!("{value:.3} s"),
        Metric::PeakRss => format!("{:.2} MiB", value / 1024.0),
        Metric::Instructions => format!("{:.3} M", value / 1e6),
    }
}
