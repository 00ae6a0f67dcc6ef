//! Issue 13: the defects hostile input found, each run through minishell
//! and through bash on the same input, so a defect fixed once stays fixed
//! and stays bash's behaviour.

mod common;

use std::path::Path;
use std::process::Output;

use common::{minishell, temp_dir};

/// Runs `shell ARGS…` in `dir` with a clean environment.
fn run(shell: &str, args: &[&str], dir: &Path) -> Output {
    let mut command = if shell == "bash" {
        let mut bash = assert_cmd::Command::new("bash");
        bash.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LC_ALL", "C");
        bash
    } else {
        minishell()
    };
    command.args(args).current_dir(dir).output().unwrap()
}

/// Runs both shells on the same arguments, each in a fresh directory holding
/// `files`, and checks that stdout and status agree. Returns minishell's
/// output and bash's standard error, for the message checks.
fn same_as_bash(args: &[&str], files: &[(&str, &[u8])]) -> (Output, String) {
    let mut outputs = Vec::new();
    for shell in ["bash", "minishell"] {
        let dir = temp_dir();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
            std::fs::set_permissions(&path, mode).unwrap();
        }
        outputs.push(run(shell, args, dir.path()));
    }
    let minishell = outputs.pop().unwrap();
    let bash = outputs.pop().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&minishell.stdout),
        String::from_utf8_lossy(&bash.stdout),
        "stdout of {args:?}; minishell's stderr: {}",
        String::from_utf8_lossy(&minishell.stderr)
    );
    assert_eq!(
        minishell.status.code(),
        bash.status.code(),
        "status of {args:?}; minishell's stderr: {}",
        String::from_utf8_lossy(&minishell.stderr)
    );
    (
        minishell,
        String::from_utf8_lossy(&bash.stderr).into_owned(),
    )
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const BINARY: &[u8] = b"\0\0\0\0\necho BINARY-RAN\n";

/// Item 2: a file `execve` refuses (ENOEXEC) whose first line holds NUL
/// bytes is a binary, not a script: bash's message and 126, and none of
/// its lines run.
#[test]
fn issue_13_binary_file_is_not_run_as_a_script() {
    for line in ["./b", "./b; echo $?", "exec ./b"] {
        let (out, bash) = same_as_bash(&["-c", line], &[("b", BINARY)]);
        assert!(
            stderr(&out).contains("./b: cannot execute binary file: Exec format error"),
            "{line}: {} (bash: {bash})",
            stderr(&out)
        );
    }
    // A script without `#!` still runs as one.
    same_as_bash(&["-c", "./s; echo $?"], &[("s", b"echo SCRIPT-RAN\n")]);
}

/// Item 2: `minishell FILE` where FILE's first line holds NUL bytes.
#[test]
fn issue_13_binary_script_file_is_refused() {
    let (out, bash) = same_as_bash(&["b"], &[("b", BINARY)]);
    assert!(
        stderr(&out).contains("b: b: cannot execute binary file"),
        "{} (bash: {bash})",
        stderr(&out)
    );
    // A NUL after the first line is no binary.
    same_as_bash(&["s"], &[("s", b"echo first\n\0\n")]);
}
