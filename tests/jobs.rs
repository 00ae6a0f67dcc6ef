//! Background jobs through the real binary, in scripts: every child is
//! reaped, statuses are never lost, `jobs`, `wait`, `kill` and job specs
//! behave as in bash, and nothing leaks (checked with valgrind, the way the
//! course grades a mini-shell).

mod common;

use common::{minishell, run_c, run_script, temp_dir};

#[test]
fn a_thousand_background_jobs_all_finish_and_leave_no_child() {
    let script =
        "true &\n".repeat(1000) + "wait\necho waited $?\ncat /proc/$$/task/$$/children\necho\n";
    let (out, err, status) = run_script(&script);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("waited 0"), "{err}");
    // The only child left is the `cat` reading the list.
    assert_eq!(lines.next().unwrap().split_whitespace().count(), 1, "{out}");
    assert_eq!(status, 0);
}

#[test]
fn wait_for_a_job_returns_its_status() {
    let (out, _, _) = run_c(
        "sh -c 'exit 3' & sleep 0.2 & wait %1; echo $?; wait %2; echo $?",
        temp_dir().path(),
    );
    assert_eq!(out, "3\n0\n");
    let (out, _, _) = run_c(
        "sh -c 'exit 5' | sh -c 'exit 6' & wait %%; echo $?",
        temp_dir().path(),
    );
    assert_eq!(out, "6\n");
    let (out, err, _) = run_c("wait %4; echo $?", temp_dir().path());
    assert_eq!(out, "127\n");
    assert!(err.contains("%4: no such job"), "{err}");
}

#[test]
fn kill_ends_a_background_job() {
    let (out, _, _) = run_c("sleep 100 & kill %1; wait %1; echo $?", temp_dir().path());
    assert_eq!(out, "143\n");
    let (out, _, _) = run_c(
        "sleep 100 & kill -KILL $!; wait $!; echo $?",
        temp_dir().path(),
    );
    assert_eq!(out, "137\n");
    let (out, _, _) = run_c(
        "sleep 100 & kill -s TERM %sleep; wait; echo done",
        temp_dir().path(),
    );
    assert_eq!(out, "done\n");
    let (_, err, status) = run_c("kill -NOPE 1", temp_dir().path());
    assert!(err.contains("NOPE: invalid signal specification"), "{err}");
    assert_eq!(status, 1);
}

#[test]
fn jobs_lists_running_and_finished_jobs_as_bash_does() {
    let (out, _, _) = run_c(
        "sleep 100 & sh -c 'exit 3' & sh -c \"while grep -qs '^State:.*[RSD]' /proc/$!/status; do sleep 0.01; done\"; jobs; kill %1; wait; jobs; echo end",
        temp_dir().path(),
    );
    assert_eq!(
        out,
        "[1]-  Running                 sleep 100 &\n\
         [2]+  Exit 3                  sh -c 'exit 3'\n\
         end\n"
    );
    let (out, _, _) = run_c(
        "sleep 100 | cat & jobs -p; jobs -l; kill %1",
        temp_dir().path(),
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].starts_with("[1]+ ") && lines[1].ends_with(" Running                 sleep 100"),
        "{out}"
    );
    assert!(lines[2].ends_with("| cat &"), "{out}");
    assert!(
        lines[1].contains(lines[0].trim()),
        "-p shows the leader's PID: {out}"
    );
}

#[test]
fn kill_l_names_signals() {
    let (out, _, _) = run_c("kill -l 9 15 137", temp_dir().path());
    assert_eq!(out, "KILL\nTERM\nKILL\n");
    let (out, _, _) = run_c("kill -l", temp_dir().path());
    assert!(out.starts_with(" 1) SIGHUP\t 2) SIGINT\t"), "{out}");
}

#[test]
fn fg_and_bg_need_job_control() {
    let (_, err, status) = run_c("sleep 1 & fg", temp_dir().path());
    assert!(err.contains("fg: no job control"), "{err}");
    assert_eq!(status, 1);
}

/// 200 rounds of start, kill, wait: every status arrives, and afterwards
/// the shell has no child and holds the same descriptors as it started with.
#[test]
fn two_hundred_jobs_started_killed_and_waited() {
    let round = "sleep 100 &\nkill $!\nwait $!\necho $?\n";
    let script = format!(
        "ls -l /proc/$$/fd > fds-before\n{}ls -l /proc/$$/fd > fds-after\ncat /proc/$$/task/$$/children\necho\n",
        round.repeat(200)
    );
    let dir = temp_dir();
    let path = dir.path().join("stress.sh");
    std::fs::write(&path, script).unwrap();
    let out = minishell()
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let statuses: Vec<&str> = stdout.lines().take(200).collect();
    assert_eq!(statuses, vec!["143"; 200]);
    assert_eq!(
        stdout.lines().nth(200).unwrap().split_whitespace().count(),
        1,
        "only cat is left"
    );
    // Each listing is of the shell's descriptors while `ls` runs. The
    // shell opens the listing's own file for `ls` and closes its copy once
    // `ls` has started, so whether that file shows up depends on which of
    // the two ran first: it is left out. Everything else must be the same
    // descriptor pointing at the same thing.
    let held = |name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let mut held: Vec<String> = text
            .lines()
            .filter_map(|line| line.rsplit_once(" -> "))
            .filter(|(_, target)| {
                !target.ends_with("/fds-before") && !target.ends_with("/fds-after")
            })
            .map(|(left, target)| {
                let fd = left.rsplit(' ').next().unwrap_or_default();
                format!("{fd} -> {target}")
            })
            .collect();
        held.sort();
        held
    };
    let (before, after) = (held("fds-before"), held("fds-after"));
    assert!(
        !before.is_empty(),
        "the listing shows the standard descriptors"
    );
    assert_eq!(before, after);
}

/// The course's check: under `valgrind --track-fds=yes`, a script with
/// pipes, redirections and background jobs leaks no descriptor and makes
/// no invalid access. (See tests/valgrind-static.supp for why memcheck
/// needs suppressions for a statically linked glibc.)
#[test]
fn valgrind_finds_no_leaked_descriptor_and_no_error() {
    let dir = temp_dir();
    let script = dir.path().join("graded.sh");
    std::fs::write(
        &script,
        "echo one > a\necho two >> a\ncat < a | sort | wc -l > b\nsleep 0.1 &\nsh -c 'exit 3' &\nwait\nnosuch 2> c\ncat a b c > d 2>&1\n",
    )
    .unwrap();
    let supp = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/valgrind-static.supp");
    let out = std::process::Command::new("valgrind")
        .arg(format!("--suppressions={supp}"))
        .args([
            "--track-fds=yes",
            "--child-silent-after-fork=yes",
            "--error-exitcode=99",
        ])
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .expect("valgrind is needed for this test (.ci/run installs it)");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("ERROR SUMMARY: 0 errors"), "{report}");
    // Every descriptor still open at exit came from the test runner.
    let opened: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("Open file descriptor"))
        .collect();
    let inherited = report.matches("<inherited from parent>").count();
    assert_eq!(opened.len(), inherited, "{report}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b")).unwrap(),
        "2\n"
    );
}

/// A stage whose redirection fails is still a real process, as in bash:
/// `$!` names it, and `kill $!` cannot reach the shell's own group.
#[test]
fn a_stage_that_fails_to_start_is_a_real_process() {
    let (out, err, status) = run_c(
        "cat < /nonexistent & echo $!; kill $! 2>/dev/null; wait; echo alive",
        temp_dir().path(),
    );
    let pid: i64 = out.lines().next().unwrap().parse().unwrap();
    assert!(pid > 0, "{out}");
    assert!(out.ends_with("alive\n"), "{out}");
    assert!(
        err.contains("/nonexistent: No such file or directory"),
        "{err}"
    );
    assert_eq!(status, 0);
}

#[test]
fn jobs_in_a_pipeline_still_lists_the_shells_jobs() {
    let (out, _, _) = run_c(
        "sleep 100 & jobs | cat; jobs -p | wc -l; kill %1",
        temp_dir().path(),
    );
    assert_eq!(out, "[1]+  Running                 sleep 100 &\n1\n");
}
