//! Helpers shared by the integration tests: running the real minishell
//! binary, as a user or a grader would, and reading what it did.

#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;

use assert_cmd::Command;

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
