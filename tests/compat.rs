//! Bash compatibility: runs every case of `tests/compat/*.toml` through bash
//! and through minishell, and fails if minishell's stdout, exit status or
//! files left behind differ from bash's.
//!
//! A case is a script plus, optionally, files to create first, text for
//! standard input and how much to compare:
//!
//! ```toml
//! [[case]]
//! name = "and-or: || runs after a failure"
//! script = '''
//! false || echo yes
//! '''
//! files = { "in.txt" = "hello\n" }
//! stdin = "text"
//! compare = "status-and-files"   # default "all"
//! ```
//!
//! Each shell runs the script in its own fresh directory `<tmp>`, laid out as
//! `<tmp>/script.sh` (the script), `<tmp>/stdin`, `<tmp>/stdout`,
//! `<tmp>/stderr` (its standard streams, as files), and `<tmp>/work/`, the
//! current directory and `$HOME`, where the case's files go. Only `work/` is
//! compared afterwards. Every occurrence of `<tmp>` in the output and in the
//! files is replaced by `$TMP`, so that `pwd` or `echo ~` compare equal.
//!
//! Standard error is never compared (minishell words its messages its own
//! way) but is shown in the report. `COMPAT_FILTER=text` runs only the cases
//! whose name or file name contains `text`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// How long one shell may take on one case before it is killed.
const TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many cases run at once, each forking its own shells.
const MAX_THREADS: usize = 8;

/// The placeholder that replaces each run's own temporary directory.
const TMP_MARK: &[u8] = b"$TMP";

// ---------------------------------------------------------------------------
// The case files
// ---------------------------------------------------------------------------

/// One `tests/compat/NAME.toml` file: a list of `[[case]]` tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

/// One `[[case]]`: a script run by both shells.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Unique across all files; shown in reports and matched by
    /// `COMPAT_FILTER`.
    name: String,
    script: String,
    /// Files created in the work directory before the run: path → contents.
    /// A path may contain `/`; its directories are created too.
    #[serde(default)]
    files: BTreeMap<String, String>,
    /// The script's standard input; empty (not the test's) by default.
    #[serde(default)]
    stdin: String,
    #[serde(default)]
    compare: Compare,
    /// Set by the loader: the file the case came from.
    #[serde(skip)]
    file: String,
}

/// What must be equal between the two runs.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Compare {
    /// Standard output, exit status and the files left in `work/`.
    #[default]
    All,
    /// Exit status and files only: for the few cases where minishell
    /// deliberately prints something else on standard output.
    StatusAndFiles,
}

/// Reads every `*.toml` of `tests/compat`, in name order. Any file that does
/// not parse, holds no case, or repeats a name already used is an error: a
/// broken case file must not pass silently by running nothing.
fn load_cases() -> Result<Vec<Case>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no .toml case files", dir.display()));
    }

    let mut cases = Vec::new();
    let mut names = BTreeSet::new();
    let mut errors = Vec::new();
    for path in paths {
        let file_name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let parsed = fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| toml::from_str::<CaseFile>(&text).map_err(|e| e.to_string()));
        let file = match parsed {
            Ok(file) => file,
            Err(e) => {
                errors.push(format!("{file_name}: {e}"));
                continue;
            }
        };
        if file.case.is_empty() {
            errors.push(format!("{file_name}: no [[case]] in the file"));
        }
        for mut case in file.case {
            if !names.insert(case.name.clone()) {
                errors.push(format!(
                    "{file_name}: case name used twice: {:?}",
                    case.name
                ));
            }
            case.file = file_name.clone();
            cases.push(case);
        }
    }
    if errors.is_empty() {
        Ok(cases)
    } else {
        Err(errors.join("\n"))
    }
}

// ---------------------------------------------------------------------------
// Running one shell on one case
// ---------------------------------------------------------------------------

/// What is left of one shell's run, already normalized (`<tmp>` → `$TMP`).
struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// `None` when the shell was killed for taking longer than [`TIMEOUT`].
    status: Option<ExitStatus>,
    files: BTreeMap<String, Entry>,
}

/// One thing found under `work/` after the run.
#[derive(PartialEq, Eq, Debug)]
enum Entry {
    Dir,
    File(Vec<u8>),
    Symlink(Vec<u8>),
}

/// Taken to write a case's files (alone) and to start a shell (together).
static SPAWN_GATE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Runs `shell <tmp>/script.sh` for `case` in a fresh temporary directory
/// `<tmp>`, which is deleted when this returns.
fn run_shell(shell: &Path, case: &Case) -> Result<Outcome, String> {
    let tmp = tempfile::Builder::new()
        .prefix("compat-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let root = tmp.path();
    let work = root.join("work");
    let script = root.join("script.sh");
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");

    // The case's files are written while no other thread of this test is
    // between fork and exec: a child forked meanwhile would inherit the
    // descriptor being written, and a script that runs the file it holds
    // would fail with "Text file busy" (ETXTBSY), for bash or minishell.
    let writing = SPAWN_GATE.write().unwrap_or_else(|e| e.into_inner());
    fs::create_dir(&work).map_err(|e| io("work/", e))?;
    fs::write(&script, &case.script).map_err(|e| io("script.sh", e))?;
    fs::write(root.join("stdin"), &case.stdin).map_err(|e| io("stdin", e))?;
    for (name, contents) in &case.files {
        let path = work.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io(name, e))?;
        }
        fs::write(&path, contents).map_err(|e| io(name, e))?;
    }

    drop(writing);

    // The standard streams are files, not pipes: a background job the
    // script leaves running would keep a pipe open and make reading it hang.
    let open = |name: &str| fs::File::create(root.join(name)).map_err(|e| io(name, e));
    let (stdout, stderr) = (open("stdout")?, open("stderr")?);
    let stdin = fs::File::open(root.join("stdin")).map_err(|e| io("stdin", e))?;

    let mut command = Command::new(shell);
    command
        .arg(&script)
        .current_dir(&work)
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("HOME", &work)
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env(
            "USER",
            std::env::var_os("USER").unwrap_or_else(|| "tester".into()),
        )
        .env("TERM", "dumb")
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        // Its own process group, so a timeout can kill the shell and
        // everything it started at once.
        .process_group(0);
    // `spawn` returns once the child has exec'd (std waits for it), so no
    // copy of a descriptor outlives the gate.
    let gate = SPAWN_GATE.read().unwrap_or_else(|e| e.into_inner());
    let spawned = command.spawn();
    drop(gate);
    let mut child = spawned.map_err(|e| format!("cannot run {}: {e}", shell.display()))?;

    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait().map_err(|e| format!("waitpid: {e}"))? {
            Some(status) => break Some(status),
            None if Instant::now() >= deadline => {
                // The group id is the shell's pid (process_group(0) above).
                let group = nix::unistd::Pid::from_raw(-(child.id() as i32));
                let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };

    // Both the path as given and its canonical form (if /tmp is a symlink)
    // are replaced.
    let mut marks = vec![root.as_os_str().as_encoded_bytes().to_vec()];
    if let Ok(canonical) = root.canonicalize() {
        marks.push(canonical.as_os_str().as_encoded_bytes().to_vec());
    }
    let normalize = |bytes: Vec<u8>| {
        marks
            .iter()
            .fold(bytes, |text, mark| replace(&text, mark, TMP_MARK))
    };
    let read = |name: &str| fs::read(root.join(name)).map_err(|e| io(name, e));

    let mut files = BTreeMap::new();
    collect_files(&work, "", &mut files, &normalize)?;
    Ok(Outcome {
        stdout: normalize(read("stdout")?),
        stderr: normalize(read("stderr")?),
        status,
        files,
    })
}

/// Records every entry under `dir` in `files`, keyed by its path relative to
/// `work/`. Symbolic links are recorded, not followed. Entries are made
/// readable first, so a case may leave a `chmod 000` file behind.
fn collect_files(
    dir: &Path,
    prefix: &str,
    files: &mut BTreeMap<String, Entry>,
    normalize: &dyn Fn(Vec<u8>) -> Vec<u8>,
) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().map_err(|e| format!("{name}: {e}"))?;
        if kind.is_symlink() {
            let target = fs::read_link(&path).map_err(|e| format!("{name}: {e}"))?;
            files.insert(
                name,
                Entry::Symlink(normalize(target.as_os_str().as_encoded_bytes().to_vec())),
            );
        } else if kind.is_dir() {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o755));
            collect_files(&path, &format!("{name}/"), files, normalize)?;
            files.insert(name, Entry::Dir);
        } else {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o644));
            let contents = fs::read(&path).map_err(|e| format!("{name}: {e}"))?;
            files.insert(name, Entry::File(normalize(contents)));
        }
    }
    Ok(())
}

/// `text` with every occurrence of `from` replaced by `to`.
fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with(from) {
            out.extend_from_slice(to);
            rest = &rest[from.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Comparing and reporting
// ---------------------------------------------------------------------------

/// Runs `case` through both shells; `None` when they agree, else the report.
fn check(case: &Case, minishell: &Path) -> Option<String> {
    let bash = match run_shell(Path::new("bash"), case) {
        Ok(outcome) => outcome,
        Err(e) => return Some(header(case, &format!("harness error running bash: {e}"))),
    };
    let mini = match run_shell(minishell, case) {
        Ok(outcome) => outcome,
        Err(e) => {
            return Some(header(
                case,
                &format!("harness error running minishell: {e}"),
            ));
        }
    };

    let mut problems = Vec::new();
    if bash.status.is_none() {
        problems.push("bash timed out: the case itself is wrong".to_owned());
    }
    if mini.status.is_none() {
        problems.push(format!("minishell timed out after {} s", TIMEOUT.as_secs()));
    }
    if case.compare == Compare::All && bash.stdout != mini.stdout {
        problems.push("stdout differs".to_owned());
    }
    if describe_status(bash.status) != describe_status(mini.status) {
        problems.push("exit status differs".to_owned());
    }
    let file_diffs = diff_files(&bash.files, &mini.files);
    if !file_diffs.is_empty() {
        problems.push("files differ".to_owned());
    }
    if problems.is_empty() {
        return None;
    }

    let mut report = header(case, &problems.join(", "));
    let _ = writeln!(report, "--- script:\n{}", show(case.script.as_bytes()));
    let _ = writeln!(report, "--- bash stdout:\n{}", show(&bash.stdout));
    let _ = writeln!(report, "--- minishell stdout:\n{}", show(&mini.stdout));
    let _ = writeln!(
        report,
        "--- status: bash {}, minishell {}",
        describe_status(bash.status),
        describe_status(mini.status)
    );
    let _ = writeln!(report, "--- bash stderr:\n{}", show(&bash.stderr));
    let _ = writeln!(report, "--- minishell stderr:\n{}", show(&mini.stderr));
    for line in file_diffs {
        let _ = writeln!(report, "--- {line}");
    }
    Some(report)
}

fn header(case: &Case, what: &str) -> String {
    format!("=== {} ({}): {what}\n", case.name, case.file)
}

fn describe_status(status: Option<ExitStatus>) -> String {
    match status {
        None => "timeout".to_owned(),
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => code.to_string(),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => format!("{status:?}"),
        },
    }
}

/// One line per path whose entry differs between the two runs.
fn diff_files(bash: &BTreeMap<String, Entry>, mini: &BTreeMap<String, Entry>) -> Vec<String> {
    let paths: BTreeSet<&String> = bash.keys().chain(mini.keys()).collect();
    let describe = |entry: Option<&Entry>| match entry {
        None => " (absent)".to_owned(),
        Some(Entry::Dir) => " (directory)".to_owned(),
        Some(Entry::Symlink(target)) => {
            format!(" (symbolic link to {})", String::from_utf8_lossy(target))
        }
        Some(Entry::File(contents)) => format!("\n{}", show(contents)),
    };
    paths
        .into_iter()
        .filter(|path| bash.get(*path) != mini.get(*path))
        .map(|path| {
            format!(
                "file work/{path}:\n  bash:{}\n  minishell:{}",
                describe(bash.get(path)),
                describe(mini.get(path))
            )
        })
        .collect()
}

/// Output shown in a report: each line indented behind `| `, bytes that are
/// not printable UTF-8 written as `\xNN`, and a missing final newline said.
fn show(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "  (empty)".to_owned();
    }
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' | '\t' => text.push(c),
                c if c.is_control() => text.push_str(&c.escape_default().to_string()),
                c => text.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(text, "\\x{b:02x}");
        }
    }
    let complete = text.ends_with('\n');
    let mut shown: String = text.lines().map(|line| format!("  | {line}\n")).collect();
    if !complete {
        shown.push_str("  (no newline at the end)\n");
    }
    shown.trim_end().to_owned()
}

// ---------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------

#[test]
fn minishell_matches_bash() {
    let minishell = PathBuf::from(env!("CARGO_BIN_EXE_minishell"));
    let cases = load_cases().unwrap_or_else(|e| panic!("bad compat case files:\n{e}"));
    let filter = std::env::var("COMPAT_FILTER").unwrap_or_default();
    let cases: Vec<&Case> = cases
        .iter()
        .filter(|case| case.name.contains(&filter) || case.file.contains(&filter))
        .collect();
    assert!(
        !cases.is_empty(),
        "COMPAT_FILTER={filter:?} matches no case"
    );

    // A few threads take the cases in turn; each report lands at the case's
    // index so the final report is in file order, whatever finishes first.
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<String>>> = Mutex::new(vec![None; cases.len()]);
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, MAX_THREADS);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(index) else { break };
                    let report = check(case, &minishell);
                    reports.lock().expect("a worker panicked")[index] = report;
                }
            });
        }
    });

    let failures: Vec<String> = reports
        .into_inner()
        .expect("a worker panicked")
        .into_iter()
        .flatten()
        .collect();
    let summary = format!(
        "compat: {} cases, {} match bash",
        cases.len(),
        cases.len() - failures.len()
    );
    // Written to stderr directly, not with eprintln!, so the test harness
    // does not capture it: the summary shows on success too.
    let _ = writeln!(std::io::stderr(), "{summary}");
    if !failures.is_empty() {
        let names: Vec<&str> = failures.iter().filter_map(|r| r.lines().next()).collect();
        panic!(
            "{}\n\n{summary}; differing:\n{}\n",
            failures.join("\n\n"),
            names.join("\n")
        );
    }
}
