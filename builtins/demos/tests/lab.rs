//! The lab binary on its own: how it finds the demo to run (by `argv[0]`,
//! or by its first argument when called `lab` or `minishell-lab`). Also
//! makes cargo build `minishell-lab`, which the shell's tests run.

use std::os::unix::process::CommandExt;
use std::process::Command;

fn lab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_minishell-lab"))
}

#[test]
fn alone_it_lists_every_demo() {
    let out = lab().output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for demo in minishell_demos::DEMOS {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(demo.name)),
            "{}: {text}",
            demo.name
        );
    }
}

#[test]
fn the_first_argument_or_argv0_names_the_demo() {
    let by_argument = lab().args(["create-process", "--json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&by_argument.stdout).contains("\"exit_code\":22"));
    let by_name = lab().arg0("create-process").arg("--json").output().unwrap();
    assert!(String::from_utf8_lossy(&by_name.stdout).contains("\"exit_code\":22"));
    let as_lab = lab()
        .arg0("lab")
        .args(["create-process", "--json"])
        .output()
        .unwrap();
    assert!(as_lab.status.success());
    assert!(String::from_utf8_lossy(&as_lab.stdout).contains("\"exit_code\":22"));
}

#[test]
fn an_unknown_name_is_refused() {
    let out = lab().arg("no-such-demo").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no demo named 'no-such-demo'"), "{err}");
}
