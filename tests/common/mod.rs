//! Helpers shared by the integration tests: running the real minishell
//! binary, as a user or a grader would, and reading what it did.

#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::sync::Once;

use assert_cmd::Command;
use serde_json::Value;

pub mod pty;

/// The minishell binary under test, in a clean environment with a known
/// PATH, so a test's result does not depend on the developer's shell.
pub fn minishell() -> Command {
    let mut cmd = Command::from_std(std_minishell());
    cmd.timeout(std::time::Duration::from_secs(60));
    cmd
}

/// The same, as a `std::process::Command`, for tests that give it a real
/// file as standard input (assert_cmd's `pipe_stdin` turns a file into a
/// pipe, which is not what `minishell < file` does).
pub fn std_minishell() -> std::process::Command {
    build_lab();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_minishell"));
    cmd.env_clear()
        .env(
            "PATH",
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        )
        .env("HOME", "/tmp")
        .env("LC_ALL", "C");
    cmd
}

/// Builds the lab binary, `minishell-lab`, beside the minishell under test,
/// once per test process. The demos are another package of the workspace,
/// and cargo builds only this package's binaries for its tests; without
/// this, `cargo test --test demos_sync` would run whatever lab binary an
/// earlier build left, or none. When it is up to date this takes a moment.
pub fn build_lab() {
    static BUILT: Once = Once::new();
    BUILT.call_once(|| {
        let shell = Path::new(env!("CARGO_BIN_EXE_minishell"));
        let release = shell.parent().is_some_and(|dir| dir.ends_with("release"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "minishell-demos",
                "--bin",
                "minishell-lab",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building minishell-lab failed");
        assert!(shell.with_file_name("minishell-lab").is_file());
    });
}

/// The lab binary itself, running demo `name` (as the shell runs it: the
/// demo's name as `argv[0]`), for tests that signal the demo's own process.
pub fn lab(name: &str) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    build_lab();
    let lab = Path::new(env!("CARGO_BIN_EXE_minishell")).with_file_name("minishell-lab");
    let mut cmd = std::process::Command::new(lab);
    cmd.arg0(name).env("LC_ALL", "C");
    cmd
}

/// Runs `minishell -c LINE` in `dir` and returns (stdout, stderr, status).
pub fn run_c(line: &str, dir: &Path) -> (String, String, i32) {
    let out = minishell()
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Feeds `input` to minishell's standard input, the course mini-shell's
/// way, and returns (stdout, stderr, status).
pub fn run_stdin(input: &[u8]) -> (String, String, i32) {
    let out = minishell().write_stdin(input.to_vec()).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Runs `minishell examples/NAME ARGS…` in a fresh temporary directory, as
/// a student runs a lab script, and returns (stdout, stderr, status).
pub fn run_example(name: &str, args: &[&str]) -> (String, String, i32) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let dir = temp_dir();
    let out = minishell()
        .arg(script)
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// Writes `text` to a script in a fresh temporary directory and runs
/// `minishell SCRIPT` there: (stdout, stderr, status). For scripts too
/// long for `-c`, or generated (the shell has no loops, so a script
/// repeats its lines).
pub fn run_script(text: &str) -> (String, String, i32) {
    let dir = temp_dir();
    let script = dir.path().join("script.sh");
    std::fs::write(&script, text).unwrap();
    let out = minishell()
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

// --- Demo reports -------------------------------------------------------------
// Every demo's `--json` prints its report as one line of JSON.

/// A report printed by a demo, parsed; panics with the text if it is not
/// JSON.
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs `minishell -c LINE` in a fresh directory, checks that it exited
/// with `status`, and parses the report it printed.
pub fn json_with_status(line: &str, status: i32) -> Value {
    let (out, err, actual) = run_c(line, temp_dir().path());
    assert_eq!(actual, status, "{line}: {out}{err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{line}: {e}: {out}"))
}

/// Runs `minishell -c LINE`, checks that it succeeded, and parses the
/// report it printed.
pub fn json(line: &str) -> Value {
    json_with_status(line, 0)
}

/// A report's integer, which must be one.
pub fn int(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("not an integer: {value}"))
}

/// A report's count, address or size: an integer that cannot be negative.
pub fn uint(value: &Value) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not an unsigned integer: {value}"))
}

/// A report's number, integer or not.
pub fn float(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// A report's address: a hex string such as "0x7ffd5e8c1a40", as every
/// demo writes one.
pub fn hex(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .and_then(|digits| u64::from_str_radix(digits, 16).ok())
        .unwrap_or_else(|| panic!("not a hex address: {value}"))
}

/// A report's string.
pub fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// A report's array.
pub fn array(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
}
