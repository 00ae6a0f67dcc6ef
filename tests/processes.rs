//! How minishell drives processes, checked through the real binary: pipes
//! end when they must, descriptors do not leak into children, children are
//! reaped, statuses and signals are decoded, and the child does nothing
//! but descriptor moves between `fork` and `execve`.

mod common;

use std::collections::BTreeSet;

use common::{run_c, temp_dir};

#[test]
fn children_start_with_only_0_1_2_and_their_redirections() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("in"), "x\n").unwrap();
    // What any child of this test process starts with (a test runner may
    // itself have inherited descriptors); `ls` opens the directory it lists.
    let baseline = std::process::Command::new("ls")
        .arg("/proc/self/fd")
        .output()
        .unwrap();
    let baseline = String::from_utf8(baseline.stdout).unwrap();
    let expected: BTreeSet<&str> = baseline.lines().collect();
    assert!(expected.is_superset(&BTreeSet::from(["0", "1", "2", "3"])));
    for line in [
        "ls /proc/self/fd",
        "cat < in | ls /proc/self/fd",
        "ls /proc/self/fd < in 2>/dev/null | cat",
        "echo x > out; ls /proc/self/fd >> out; cat out",
    ] {
        let (out, err, status) = run_c(line, dir.path());
        let fds: BTreeSet<&str> = out.lines().filter(|l| *l != "x").collect();
        assert_eq!(fds, expected, "{line}: {err}");
        assert_eq!(status, 0);
    }
    let (out, _, _) = run_c("ls /proc/self/fd 5>five", dir.path());
    let mut with_five = expected.clone();
    with_five.insert("5");
    assert_eq!(out.lines().collect::<BTreeSet<_>>(), with_five);
}

#[test]
fn yes_into_head_ends_at_once() {
    // Needs SIGPIPE back at its default in the child: Rust ignores it, and
    // an ignored signal survives execve.
    let (out, _, status) = run_c("yes | head -n 3", temp_dir().path());
    assert_eq!(out, "y\ny\ny\n");
    assert_eq!(status, 0);
}

#[test]
fn a_200_stage_pipeline_works() {
    let line = format!("echo through{} | tr a-z A-Z", " | cat".repeat(200));
    let (out, _, status) = run_c(&line, temp_dir().path());
    assert_eq!(out, "THROUGH\n");
    assert_eq!(status, 0);
}

#[test]
fn two_10_mib_copies_through_7_stage_pipes_at_once() {
    let stage = "head -c 10485760 /dev/zero | cat | cat | cat | cat | cat | wc -c";
    let line = format!("{stage} > a & {stage} > b & wait; cat a b");
    let (out, _, status) = run_c(&line, temp_dir().path());
    assert_eq!(out, "10485760\n10485760\n");
    assert_eq!(status, 0);
}

#[test]
fn the_status_of_a_pipeline_is_its_last_stage() {
    assert_eq!(run_c("true | false", temp_dir().path()).2, 1);
    assert_eq!(run_c("false | true", temp_dir().path()).2, 0);
    assert_eq!(run_c("true | sh -c 'exit 7'", temp_dir().path()).2, 7);
}

#[test]
fn background_children_are_reaped_before_the_next_command() {
    // 50 children end while the shell sleeps; by the time `cat` runs they
    // must be reaped, so the shell's only child is `cat` itself. (`; true`
    // keeps `cat` from being the last command, which replaces the shell.)
    let line = format!(
        "{} sleep 0.3; cat /proc/$$/task/$$/children; true",
        "true & ".repeat(50)
    );
    let (out, _, status) = run_c(&line, temp_dir().path());
    assert_eq!(out.split_whitespace().count(), 1, "children left: {out}");
    assert_eq!(status, 0);
}

#[test]
fn wait_returns_a_background_childs_status() {
    let (out, _, _) = run_c("sh -c 'exit 3' & wait $!; echo $?", temp_dir().path());
    assert_eq!(out, "3\n");
    // Even when the child was reaped long before `wait`.
    let (out, _, _) = run_c(
        "sh -c 'exit 4' & sleep 0.2; true; wait $!; echo $?",
        temp_dir().path(),
    );
    assert_eq!(out, "4\n");
    let (out, err, _) = run_c("wait 1; echo $?", temp_dir().path());
    assert_eq!(out, "127\n");
    assert!(err.contains("pid 1 is not a child of this shell"), "{err}");
}

#[test]
fn a_background_list_runs_in_a_copy_of_the_shell() {
    let (out, _, status) = run_c("false || echo ran > f & wait; cat f", temp_dir().path());
    assert_eq!(out, "ran\n");
    assert_eq!(status, 0);
}

#[test]
fn death_by_signal_is_128_plus_n_in_bashs_words() {
    let (out, err, status) = run_c(
        "sh -c 'kill -SEGV $$'; echo $?; echo alive",
        temp_dir().path(),
    );
    assert_eq!(out, "139\nalive\n");
    assert!(err.contains("Segmentation fault"), "{err}");
    assert_eq!(status, 0);
    // Not the last command (`exit $?` is), so the shell forks and reports.
    let (_, err, status) = run_c("sh -c 'kill -KILL $$'; exit $?", temp_dir().path());
    assert_eq!(err, "Killed\n");
    assert_eq!(status, 137);
    // SIGPIPE and SIGINT are normal ends; bash says nothing.
    let (_, err, _) = run_c("sh -c 'kill -PIPE $$'", temp_dir().path());
    assert_eq!(err, "");
}

#[test]
fn not_found_not_executable_and_directories() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("plain"), "echo hi\n").unwrap();
    let (_, err, status) = run_c("./plain", dir.path());
    assert_eq!(
        (err.as_str(), status),
        ("minishell: line 1: ./plain: Permission denied\n", 126)
    );
    let (_, err, status) = run_c("/tmp", dir.path());
    assert_eq!(
        (err.as_str(), status),
        ("minishell: line 1: /tmp: Is a directory\n", 126)
    );
    let (_, err, status) = run_c("./missing", dir.path());
    assert_eq!(
        (err.as_str(), status),
        (
            "minishell: line 1: ./missing: No such file or directory\n",
            127
        )
    );
    let (out, err, status) = run_c("nosuch 2>/dev/null; echo $?", dir.path());
    assert_eq!((out.as_str(), err.as_str(), status), ("127\n", "", 0));
}

#[test]
fn a_file_without_shebang_runs_as_a_minishell_script() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let script = dir.path().join("noshebang");
    std::fs::write(&script, "echo script got $1 and $#\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (out, _, status) = run_c("./noshebang one", dir.path());
    assert_eq!(out, "script got one and 1\n");
    assert_eq!(status, 0);
}

#[test]
fn a_failed_redirection_runs_nothing_and_the_shell_goes_on() {
    let dir = temp_dir();
    let (out, err, status) = run_c("cat < missing; echo status $?", dir.path());
    assert_eq!(out, "status 1\n");
    assert_eq!(
        err,
        "minishell: line 1: missing: No such file or directory\n"
    );
    assert_eq!(status, 0);
    let (out, err, _) = run_c("echo hi > /nonexistent/f; echo status $?", dir.path());
    assert_eq!(out, "status 1\n");
    assert!(
        err.contains("/nonexistent/f: No such file or directory"),
        "{err}"
    );
    // The error goes where the command's stderr was redirected before it.
    let (_, err, _) = run_c("cat 2>/dev/null < missing", dir.path());
    assert_eq!(err, "");
}

#[test]
fn write_both_opens_the_file_once() {
    let dir = temp_dir();
    let (_, _, status) = run_c(
        "sh -c 'echo out; echo err >&2; echo out2' &> both",
        dir.path(),
    );
    assert_eq!(status, 0);
    let both = std::fs::read_to_string(dir.path().join("both")).unwrap();
    assert_eq!(both, "out\nerr\nout2\n");
}

#[test]
fn the_shell_outlives_every_child() {
    let (out, _, status) = run_c(
        "sh -c 'kill -SEGV $$'; sh -c 'kill -ABRT $$'; sh -c 'kill -TERM $$'; echo still here",
        temp_dir().path(),
    );
    assert_eq!(out, "still here\n");
    assert_eq!(status, 0);
}

/// The child of a fork that goes on to `execve` may only move descriptors
/// and reset signals: every system call it makes before `execve` is one
/// of those. strace sees each child's calls from its first to its exec.
#[test]
fn between_fork_and_execve_the_child_only_moves_descriptors() {
    let dir = temp_dir();
    let trace = dir.path().join("trace");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .args([
            "-c",
            "echo x > f; cat < f | tr x y > g 2>&1; nosuch 2>/dev/null | true",
        ])
        .current_dir(dir.path())
        .status()
        .expect("strace is needed for this test (.ci/run installs it)");
    assert!(status.success());
    let text = std::fs::read_to_string(&trace).unwrap();
    let shell_pid = text
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let allowed = [
        "rt_sigaction",
        "rt_sigprocmask",
        "dup2",
        "fcntl",
        "close",
        "execve",
        "set_robust_list",
        "write",
        "exit_group",
    ];
    let mut children = 0;
    let mut before_exec: std::collections::HashMap<&str, bool> = Default::default();
    for line in text.lines() {
        let mut parts = line.splitn(2, char::is_whitespace);
        let (pid, call) = (
            parts.next().unwrap(),
            parts.next().unwrap_or("").trim_start(),
        );
        if pid == shell_pid || call.starts_with("+++") || call.starts_with("---") {
            continue;
        }
        // A call interrupted by another process's line resumes as
        // `<... name resumed>`.
        let name = match call.strip_prefix("<... ") {
            Some(rest) => rest.split_whitespace().next().unwrap_or(""),
            None => call.split('(').next().unwrap_or(""),
        };
        let still_before = before_exec.entry(pid).or_insert_with(|| {
            children += 1;
            true
        });
        if !*still_before {
            continue;
        }
        assert!(
            allowed.contains(&name),
            "child {pid} called {name} before execve: {call}"
        );
        if name == "execve" && !call.contains("= -1") {
            *still_before = false;
        }
    }
    assert!(
        children >= 4,
        "expected at least four children, saw {children}"
    );
}
