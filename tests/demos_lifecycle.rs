//! The process-lifecycle demos (`sleepy`, `wait-for-me`, `zombie`,
//! `orphan`, `ptree`) and their example scripts, checked through the real
//! binary: who is whose parent, when, and what /proc shows meanwhile.
//!
//! The demos' `--json` is read here with the few helpers below rather than
//! serde_json, which only the builtins crate depends on: each report is
//! one line of flat keys, and these tests look up numbers, strings and
//! booleans by key.

mod common;

use std::path::Path;

use common::{minishell, run_c, temp_dir};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// Every number following `"key":` in a JSON text, in order.
fn numbers(json: &str, key: &str) -> Vec<i64> {
    let pattern = format!("\"{key}\":");
    json.match_indices(&pattern)
        .map(|(at, _)| {
            let rest = &json[at + pattern.len()..];
            let end = rest
                .find(|c: char| c != '-' && !c.is_ascii_digit())
                .unwrap_or(rest.len());
            rest[..end]
                .parse()
                .unwrap_or_else(|_| panic!("{key}: not a number in {json}"))
        })
        .collect()
}

/// The first number following `"key":`.
fn number(json: &str, key: &str) -> i64 {
    *numbers(json, key)
        .first()
        .unwrap_or_else(|| panic!("no {key} in {json}"))
}

/// The first value following `"key":` up to the next `,` or `}`, as
/// written: `"ENOENT"` with its quotes, `true`, `null`.
fn raw<'a>(json: &'a str, key: &str) -> &'a str {
    let pattern = format!("\"{key}\":");
    let at = json
        .find(&pattern)
        .unwrap_or_else(|| panic!("no {key} in {json}"));
    let rest = &json[at + pattern.len()..];
    if let Some(string) = rest.strip_prefix('"') {
        let end = string.find('"').unwrap_or(string.len());
        return &rest[..end + 2];
    }
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    &rest[..end]
}

/// Field 4 of /proc/PID/stat, as the test reads it itself.
fn ppid_of(pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(1)?.parse().ok()
}

/// Kills the listed processes when dropped, so a failed assertion leaves
/// no sleep behind.
struct KillOnDrop(Vec<i64>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for pid in &self.0 {
            let _ = kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
        }
    }
}

#[test]
fn every_demo_answers_help_with_its_usage() {
    for name in ["sleepy", "wait-for-me", "zombie", "orphan", "ptree"] {
        let (out, err, status) = run_c(&format!("{name} --help"), temp_dir().path());
        assert!(out.starts_with(name), "{name}: {out}{err}");
        assert_eq!(status, 0, "{name}");
        let (_, err, status) = run_c(&format!("{name} --no-such-option"), temp_dir().path());
        assert!(err.contains("--no-such-option"), "{name}: {err}");
        assert_eq!(status, 2, "{name}");
    }
}

#[test]
fn sleepy_with_wait_keeps_the_sleeps_as_its_children() {
    let (out, err, status) = run_c("sleepy -n 3 --seconds 2 --wait --json", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    let demo = number(&out, "demo_pid");
    assert_eq!(numbers(&out, "ppid"), vec![demo; 3], "{out}");
    assert_eq!(numbers(&out, "pid").len(), 3, "{out}");
    assert_eq!(numbers(&out, "exit_code"), vec![0; 3], "{out}");
    assert_eq!(out.matches("\"command\":\"sleep 2\"").count(), 3, "{out}");
    assert_eq!(raw(&out, "waited"), "true");
    // Three sleeps of 2 s side by side take about 2 s, not 6.
    let waited = number(&out, "waited_ms");
    assert!((1900..5000).contains(&waited), "{out}");
}

#[test]
fn sleepy_without_wait_leaves_orphans_that_are_adopted() {
    let dir = temp_dir();
    let (out, err, status) = run_c("sleepy -n 3 --seconds 30 --json", dir.path());
    assert_eq!(status, 0, "{err}");
    let children = numbers(&out, "pid");
    let _cleanup = KillOnDrop(children.clone());
    let demo = number(&out, "demo_pid");
    assert_eq!(children.len(), 3, "{out}");
    // What the demo read just before it exited: itself.
    assert_eq!(numbers(&out, "ppid"), vec![demo; 3], "{out}");
    assert_eq!(raw(&out, "waited"), "false");
    // The demo has exited: each sleep is alive, with another parent.
    let adopters: Vec<i64> = children
        .iter()
        .map(|pid| ppid_of(*pid).unwrap_or_else(|| panic!("sleep {pid} is gone")))
        .collect();
    assert!(
        adopters.iter().all(|ppid| *ppid != demo),
        "{adopters:?} {out}"
    );
    // ptree under the adopter lists them, with it as their parent: the
    // lab's `ps -e -H -o pid,ppid,cmd | grep sleep`.
    let adopter = adopters[0];
    let (tree, err, status) = run_c(&format!("ptree --json {adopter}"), dir.path());
    assert_eq!(status, 0, "{err}");
    for pid in &children {
        let entry =
            format!("{{\"pid\":{pid},\"ppid\":{adopter},\"state\":\"S\",\"command\":\"sleep 30\"");
        assert!(tree.contains(&entry), "{entry} in {tree}");
    }
}

#[test]
fn sleepy_reports_a_missing_sleep_instead_of_inventing_children() {
    let out = minishell()
        .arg("-c")
        .arg("sleepy -n 2 --seconds 1")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("execvp sleep: No such file or directory (ENOENT)"),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn wait_for_me_without_waiting_loses_the_race_with_enoent() {
    let dir = temp_dir();
    // A stale file must not hide the race: the demo removes it first.
    std::fs::write(dir.path().join("msg.txt"), "stale\n").unwrap();
    let (out, err, status) = run_c("wait-for-me --no-wait --json msg.txt", dir.path());
    assert_eq!(status, 1, "{out}{err}");
    assert!(
        err.contains("wait-for-me: msg.txt: No such file or directory (ENOENT)"),
        "{err}"
    );
    assert_eq!(raw(&out, "waited"), "false");
    assert_eq!(raw(&out, "error"), "\"ENOENT\"");
    assert_eq!(raw(&out, "message"), "null");
    // It waited afterwards, and then the file was there.
    assert_eq!(raw(&out, "file_after_wait"), "\"written by the child\\n\"");
    assert_eq!(number(&out, "child_exit_code"), 0);
}

#[test]
fn wait_for_me_with_waiting_reads_the_message() {
    let dir = temp_dir();
    let (out, err, status) = run_c("wait-for-me --delay-ms 20 msg.txt", dir.path());
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("exited with 0"), "{out}");
    assert!(
        out.contains("after waiting: \"written by the child\""),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("msg.txt")).unwrap(),
        "written by the child\n"
    );
    let (out, _, status) = run_c("wait-for-me --json msg.txt", dir.path());
    assert_eq!(status, 0);
    assert_eq!(raw(&out, "message"), "\"written by the child\\n\"");
    assert_eq!(raw(&out, "error"), "null");
    // The parent read after the child's 100 ms, once waitpid returned.
    assert!(number(&out, "read_at_ms") >= 100, "{out}");
}

#[test]
fn zombie_shows_state_z_then_no_child_after_waitpid() {
    let (out, err, status) = run_c("zombie --json", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    let parent = number(&out, "parent_pid");
    assert_eq!(raw(&out, "state"), "\"Z\"");
    assert_eq!(number(&out, "ppid"), parent);
    assert_eq!(number(&out, "cmdline_bytes"), 0);
    assert_eq!(raw(&out, "vm_rss_kb"), "null");
    assert_eq!(number(&out, "exit_code"), 0);
    assert_eq!(raw(&out, "proc_entry_after_wait"), "false");
    assert_eq!(raw(&out, "second_waitpid"), "\"ECHILD\"");
    let (out, _, _) = run_c("zombie", temp_dir().path());
    assert!(out.contains("state Z"), "{out}");
    assert!(out.contains("<defunct>"), "{out}");
}

#[test]
fn orphan_is_adopted_by_another_parent() {
    // Through cat, the shell waits for the orphan's report (cat ends when
    // the orphan closes the pipe), so the lines after it come after it.
    let (out, err, status) = run_c("orphan --json | cat; echo after", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    let (report, after) = out.split_once('\n').unwrap();
    assert_eq!(after, "after\n");
    let before = number(report, "ppid_before");
    let adopter = number(report, "ppid_after");
    assert_ne!(adopter, before, "{report}");
    assert_ne!(number(report, "orphan_pid"), before);
    assert_ne!(raw(report, "adopter"), "\"\"");
    let (out, _, _) = run_c("orphan | cat", temp_dir().path());
    assert!(out.contains("adopted by PID"), "{out}");
}

#[test]
fn ptree_lists_a_background_sleep_under_the_shell() {
    let (out, err, status) = run_c(
        "sleep 5 & echo $! $$; ptree --json; ptree --quiet; kill %1",
        temp_dir().path(),
    );
    assert_eq!(status, 0, "{err}");
    let mut lines = out.lines();
    let ids: Vec<&str> = lines.next().unwrap().split(' ').collect();
    let (sleep, shell) = (ids[0], ids[1]);
    let json = lines.next().unwrap();
    assert_eq!(number(json, "root").to_string(), shell);
    assert!(
        json.contains(&format!("{{\"pid\":{sleep},\"ppid\":{shell},\"state\":\"S\",\"command\":\"sleep 5\",\"depth\":1}}")),
        "{json}"
    );
    // For people: the shell at the left, its children indented under it.
    let header = lines.next().unwrap();
    let cmd = header.find("CMD").unwrap();
    let shell_line = lines.next().unwrap();
    assert!(shell_line.trim_start().starts_with(shell), "{out}");
    assert!(!shell_line[cmd..].starts_with(' '), "{out}");
    let sleep_line = lines
        .find(|l| l.trim_start().starts_with(sleep))
        .unwrap_or_else(|| panic!("no sleep in {out}"));
    let fields: Vec<&str> = sleep_line.split_whitespace().collect();
    assert_eq!(fields[1..4], [shell, "S", "sleep"], "{out}");
    assert_eq!(&sleep_line[cmd..], "  sleep 5", "{out}");
}

#[test]
fn ptree_shows_a_zombie_and_the_threads_of_each_process() {
    // A child of this test that exits and is not waited for yet.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    let stat = format!("/proc/{pid}/stat");
    let start = std::time::Instant::now();
    while !std::fs::read_to_string(&stat).unwrap().contains(") Z ") {
        assert!(start.elapsed().as_secs() < 5, "true never became a zombie");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let me = std::process::id();
    let (out, err, status) = run_c(&format!("ptree -T --json {me}"), temp_dir().path());
    let (human, _, _) = run_c(&format!("ptree -T --quiet {me}"), temp_dir().path());
    child.wait().unwrap();
    assert_eq!(status, 0, "{err}");
    assert!(
        out.contains(&format!("{{\"pid\":{pid},\"ppid\":{me},\"state\":\"Z\",\"command\":\"[true]\",\"depth\":1,\"threads\":[")),
        "{out}"
    );
    // This test process has several threads; one LWP is its PID.
    assert!(numbers(&out, "lwp").contains(&i64::from(me)), "{out}");
    assert!(
        human.starts_with("    PID    PPID     LWP STAT CMD\n"),
        "{human}"
    );
    assert!(human.contains("[true] <defunct>"), "{human}");
}

/// Runs `minishell examples/NAME` in a temporary directory.
fn example(name: &str) -> (String, String, i32) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let dir = temp_dir();
    let out = minishell()
        .arg(path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The PID and PPID columns of the table lines that end with `command`.
fn rows(out: &str, command: &str) -> Vec<(i64, i64)> {
    out.lines()
        .filter(|l| l.trim_end().ends_with(command))
        .filter_map(|l| {
            let mut fields = l.split_whitespace();
            Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
        })
        .collect()
}

#[test]
fn example_sleepy_shows_orphans_adopted_then_children_waited_for() {
    let (out, err, status) = example("sleepy.sh");
    assert_eq!(status, 0, "{err}");
    let (first, second) = out.split_once("2. ").unwrap();
    // Part 1: the demo's table, then the same sleeps under their adopter.
    let demo: i64 = first
        .split("[sleepy] PID = ")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap()
        .parse()
        .unwrap();
    let sleeps = rows(first, "sleep 2");
    let (by_demo, adopted): (Vec<_>, Vec<_>) = sleeps.iter().partition(|(_, ppid)| *ppid == demo);
    assert_eq!(by_demo.len(), 3, "{out}");
    for (pid, _) in &by_demo {
        assert!(
            adopted.iter().any(|(p, ppid)| p == pid && *ppid != demo),
            "sleep {pid} not listed as adopted: {out}"
        );
    }
    // Part 2: sleepy --wait, seen by ptree, with its sleeps under it.
    let waiter = rows(second, "sleepy -n 3 --seconds 3 --wait --quiet");
    assert_eq!(waiter.len(), 1, "{out}");
    let children = rows(second, "sleep 3");
    assert_eq!(children.len(), 3, "{out}");
    assert!(
        children.iter().all(|(_, ppid)| *ppid == waiter[0].0),
        "{out}"
    );
    let reported = rows(second, "exited with 0");
    assert_eq!(reported, children, "{out}");
}

#[test]
fn example_wait_for_me_fails_without_waiting_and_works_with_it() {
    let (out, err, status) = example("wait-for-me.sh");
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("without waiting: ENOENT"), "{out}");
    assert!(out.contains("wait-for-me failed with status 1"), "{out}");
    assert!(err.contains("No such file or directory (ENOENT)"), "{err}");
    assert!(
        out.contains("after waiting: \"written by the child\""),
        "{out}"
    );
}

#[test]
fn example_zombie_orphan_shows_both_in_order() {
    let (out, err, status) = example("zombie-orphan.sh");
    assert_eq!(status, 0, "{err}");
    let zombie = out.find("state Z").expect("a zombie");
    let reaped = out.find("is gone").expect("reaped");
    let adopted = out.find("adopted by PID").expect("an orphan");
    let end = out.find("both stories end").expect("the last lines");
    assert!(
        zombie < reaped && reaped < adopted && adopted < end,
        "{out}"
    );
}

#[test]
fn example_ptree_shows_the_shell_its_jobs_and_an_adopted_orphan() {
    let (out, err, status) = example("ptree.sh");
    assert_eq!(status, 0, "{err}");
    let shell: i64 = out
        .split("the shell (PID ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .parse()
        .unwrap();
    let (tree, rest) = out.split_once("2. ").unwrap();
    let (threads, orphans) = rest.split_once("3. ").unwrap();
    assert_eq!(rows(tree, "sleep 3").len(), 2, "{out}");
    assert!(
        rows(tree, "sleep 3").iter().all(|(_, ppid)| *ppid == shell),
        "{out}"
    );
    assert_eq!(
        rows(tree, "cat"),
        vec![(rows(tree, "cat")[0].0, shell)],
        "{out}"
    );
    assert!(threads.contains("LWP"), "{out}");
    let adopted = rows(orphans, "sleep 4");
    assert!(!adopted.is_empty(), "{out}");
    assert!(adopted.iter().all(|(_, ppid)| *ppid != shell), "{out}");
}
