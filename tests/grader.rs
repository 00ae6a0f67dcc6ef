//! The course grades a mini-shell with a bash script (functions, `source`,
//! `[ ]`, `command -v`, `&>`, `$( )`, `for`, `exec`, pipes into `tee`,
//! `printf`, awk). `tests/grader/` is a grader of our own in that shape:
//! interpreted by minishell it must print what bash prints, grading
//! minishell as the shell under test, full marks included.

mod common;

use std::path::Path;
use std::process::Command;

use common::temp_dir;

/// Runs `tests/grader/run_all.sh` with `interpreter` in a fresh copy of the
/// directory, minishell as the shell under test; returns stdout.
fn grade(interpreter: &Path, under_test: &Path) -> String {
    let dir = temp_dir();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/grader");
    for file in ["lib.sh", "run_all.sh"] {
        std::fs::copy(source.join(file), dir.path().join(file)).unwrap();
    }
    let out = Command::new(interpreter)
        .arg("run_all.sh")
        .current_dir(dir.path())
        .env("SHELL_UNDER_TEST", under_test)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_grader_script_gives_the_same_marks_under_minishell_as_under_bash() {
    let minishell = Path::new(env!("CARGO_BIN_EXE_minishell"));
    let by_bash = grade(Path::new("bash"), minishell);
    let by_minishell = grade(minishell, minishell);
    assert_eq!(by_minishell, by_bash);
    assert!(by_bash.contains("Total:  [50/50]"), "{by_bash}");
    assert!(by_bash.ends_with("graded 5 of 5\n"), "{by_bash}");
}

#[test]
fn the_grader_fails_a_shell_that_does_not_run_commands() {
    // `cat` echoes its input instead of running it: every case must fail,
    // whoever interprets the grader.
    let minishell = Path::new(env!("CARGO_BIN_EXE_minishell"));
    let cat = Path::new("/bin/cat");
    let by_minishell = grade(minishell, cat);
    assert_eq!(by_minishell, grade(Path::new("bash"), cat));
    assert!(by_minishell.contains("Total:  [00/50]"), "{by_minishell}");
}
