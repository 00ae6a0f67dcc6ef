//! One test per bug that was found, named after the issue that reported it,
//! so that a bug fixed once stays fixed.

mod common;

use common::{minishell, temp_dir};

/// Issue 11: a `for` loop split over lines must not run its body as plain
/// commands: `rm -rf out/$f` with an empty `$f` would delete all of `out/`.
#[test]
fn issue_11_a_loop_body_never_runs_on_its_own() {
    let script = "for f in a.tmp b.tmp\ndo\n  rm -rf out/$f\ndone\necho after\n";
    for as_file in [false, true] {
        let dir = temp_dir();
        std::fs::create_dir_all(dir.path().join("out/keep")).unwrap();
        let out = if as_file {
            std::fs::write(dir.path().join("s.sh"), script).unwrap();
            minishell()
                .arg("s.sh")
                .current_dir(dir.path())
                .output()
                .unwrap()
        } else {
            minishell()
                .write_stdin(script)
                .current_dir(dir.path())
                .output()
                .unwrap()
        };
        assert!(
            dir.path().join("out/keep").is_dir(),
            "out/ was deleted (as file: {as_file})"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("after"));
    }
}

/// Issue 11: `if`/`then`/`fi` on separate lines must not run the `then`
/// part whatever the condition.
#[test]
fn issue_11_then_never_runs_unconditionally() {
    let out = minishell()
        .write_stdin("if false\nthen\necho RAN-THEN\nfi\necho after\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("RAN-THEN"), "{stdout}");
    assert!(stdout.contains("after"), "{stdout}");
}

/// `-O NAME` and `+O NAME` on the command line set shopt options, as
/// bash's do (`sh -O nullglob -c …`).
#[test]
fn shopt_options_on_the_command_line() {
    let dir = common::temp_dir();
    for (flag, expected) in [("-O", "words:\n"), ("+O", "words: *.nomatch\n")] {
        let out = minishell()
            .args([flag, "nullglob", "-c", "echo words: *.nomatch"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "{flag}");
    }
}

/// A lone `-` ends the options, as `--` does (`sh -x - script`, `sh -c -
/// 'line'`), instead of being taken for a script named `-`.
#[test]
fn a_lone_dash_ends_the_options() {
    let dir = common::temp_dir();
    std::fs::write(dir.path().join("s.sh"), "echo from-script\n").unwrap();
    let out = minishell()
        .args(["-", "s.sh"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "from-script\n");
    let out = minishell().args(["-c", "-", "echo one"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "one\n");
}

/// The process calls strace sees `minishell ARGS` make, or `None` where
/// strace is missing or cannot trace here (the test then has nothing to
/// check).
fn process_calls(args: &[&str]) -> Option<(String, String)> {
    let dir = temp_dir();
    let trace = dir.path().join("trace");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=process", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .ok()?;
    let text = std::fs::read_to_string(&trace).ok()?;
    if !text.contains("execve(") {
        return None;
    }
    Some((text, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Whether a trace shows a new process made (fork, vfork or clone).
fn forks(trace: &str) -> usize {
    trace
        .lines()
        .filter(|line| {
            ["fork(", "vfork(", "clone(", "clone3("]
                .iter()
                .any(|c| line.contains(c))
        })
        .count()
}

/// Issue 16: the last command of `-c` replaces the shell with `execve`, as
/// in bash and dash, when nothing is left to do after it; likewise the last
/// command of a subshell. An EXIT trap keeps the fork.
#[test]
fn issue_16_the_last_command_of_c_is_execed_without_a_fork() {
    let Some((trace, _)) = process_calls(&["-c", "/bin/true"]) else {
        eprintln!("strace cannot trace here: skipped");
        return;
    };
    assert_eq!(forks(&trace), 0, "{trace}");
    let (trace, out) = process_calls(&["-c", "echo a; /bin/echo b"]).unwrap();
    assert_eq!((forks(&trace), out.as_str()), (0, "a\nb\n"), "{trace}");
    // The subshell forks once; its last command is execed in that child.
    let (trace, out) = process_calls(&["-c", "(/bin/echo c); echo d"]).unwrap();
    assert_eq!((forks(&trace), out.as_str()), (1, "c\nd\n"), "{trace}");
    let (trace, out) = process_calls(&["-c", "trap 'echo bye' EXIT; /bin/echo t"]).unwrap();
    assert_eq!((forks(&trace), out.as_str()), (1, "t\nbye\n"), "{trace}");
    // Not the last command: the shell still has `echo` to run.
    let (trace, _) = process_calls(&["-c", "/bin/true; echo x"]).unwrap();
    assert_eq!(forks(&trace), 1, "{trace}");
}
