//! The lab scripts in `examples/` run through minishell and show what the
//! lab asks the student to observe.

mod common;

use common::run_example;

#[test]
fn exit_status_decodes_codes_and_signals() {
    let (out, err, status) = run_example("exit-status.sh", &[]);
    assert!(out.contains("child exited with code 22"), "{out}");
    assert!(out.contains("status 139 = 128 + 11"), "{out}");
    assert!(out.contains("status 137 = 128 + 9"), "{out}");
    assert!(out.contains("status 127 (127: not found)"), "{out}");
    // A script names where it failed, as bash does (the course's wording
    // is for commands on stdin).
    assert!(
        err.contains("exit-status.sh: line 21: no-such-program-here: command not found"),
        "{err}"
    );
    assert_eq!(status, 0);
}

#[test]
fn system_dissected_shows_clone_execve_wait4() {
    let (out, err, status) = run_example("system-dissected.sh", &[]);
    assert_eq!(status, 0, "{err}");
    let clone = out.find("clone").expect("a clone line");
    let exec = out
        .find("execve(\"/usr/bin/sleep\"")
        .or_else(|| out.find("execve(\"/bin/sleep\""))
        .expect("sleep's execve");
    let wait = out.find("wait4").expect("a wait4 line");
    assert!(clone < exec && clone < wait, "{out}");
}
