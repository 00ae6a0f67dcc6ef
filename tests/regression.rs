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
