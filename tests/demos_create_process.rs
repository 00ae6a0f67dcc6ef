//! The `create-process` demo through the shell: the lab's fork, exit code
//! 22 and waitpid, and the grandchild's parentage.

mod common;

use common::{json, parse, run_c, run_example, temp_dir};

#[test]
fn the_child_exits_22_and_the_parent_decodes_it() {
    let report = json("create-process --json");
    assert_eq!(report["exited"], true);
    assert_eq!(report["exit_code"], 22);
    assert_eq!(report["child"]["ppid"], report["parent"]["pid"]);
    assert!(report["grandchild"].is_null());
}

#[test]
fn fork_returns_the_childs_pid_in_the_parent_and_0_in_the_child() {
    let report = json("create-process --json");
    assert_eq!(
        report["parent"]["fork_returned"], report["child"]["pid"],
        "{report}"
    );
    assert_eq!(report["child"]["fork_returned"], 0, "{report}");
    let (out, _, _) = run_c("create-process --quiet", temp_dir().path());
    assert!(out.contains("fork() returned 0 here"), "{out}");
    assert!(out.contains("here: the new child's PID"), "{out}");
}

#[test]
fn the_demo_itself_succeeds_whatever_code_the_child_chose() {
    let (out, _, status) = run_c(
        "create-process --exit-code 3 --quiet; echo status $?",
        temp_dir().path(),
    );
    assert!(out.contains("WEXITSTATUS = 3"), "{out}");
    assert!(out.ends_with("status 0\n"), "{out}");
    assert!(!out.contains("->"), "--quiet drops the notes: {out}");
    assert_eq!(status, 0);
}

#[test]
fn the_grandchilds_parent_is_the_child() {
    let report = json("create-process --grandchild --json");
    assert_eq!(report["grandchild"]["ppid"], report["child"]["pid"]);
    assert_eq!(report["child_fork_returned"], report["grandchild"]["pid"]);
    assert_eq!(report["grandchild"]["fork_returned"], 0);
    assert_eq!(report["child"]["ppid"], report["parent"]["pid"]);
}

#[test]
fn the_demo_runs_in_its_own_process_under_its_name() {
    // The demo's parent is the shell: its PPID is the shell's PID.
    let (out, _, _) = run_c("echo $$; create-process --json; true", temp_dir().path());
    let mut lines = out.lines();
    let shell_pid: i64 = lines.next().unwrap().parse().unwrap();
    let report = parse(lines.next().unwrap());
    assert_eq!(report["parent"]["ppid"], shell_pid);
    // It composes like any command.
    let (out, _, status) = run_c(
        "create-process --quiet | grep -c PID && echo ok",
        temp_dir().path(),
    );
    assert_eq!((out.as_str(), status), ("2\nok\n", 0));
}

#[test]
fn help_and_bad_options() {
    let (out, _, status) = run_c("create-process --help", temp_dir().path());
    assert!(out.starts_with("create-process [--exit-code N]"), "{out}");
    assert_eq!(status, 0);
    let (_, err, status) = run_c("create-process --nope", temp_dir().path());
    assert!(err.contains("unexpected argument '--nope'"), "{err}");
    assert_eq!(status, 2);
}

#[test]
fn the_example_walks_the_lab_task() {
    let (out, _, status) = run_example("create-process.sh", &[]);
    assert!(out.contains("WEXITSTATUS = 22"), "{out}");
    assert!(out.contains("[grandchild] PID = "), "{out}");
    assert!(out.contains("WEXITSTATUS = 3"), "{out}");
    assert_eq!(status, 0);
}
