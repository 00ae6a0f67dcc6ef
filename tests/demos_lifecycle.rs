//! The process-lifecycle demos (`sleepy`, `wait-for-me`, `zombie`,
//! `orphan`, `ptree`) and their example scripts, checked through the real
//! binary: who is whose parent, when, and what /proc shows meanwhile.

mod common;

use common::{array, float, int, json, minishell, parse, run_c, run_example, temp_dir, text};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;

/// The integer `key` of each of `list`'s objects, in order.
fn each(list: &Value, key: &str) -> Vec<i64> {
    array(list).iter().map(|item| int(&item[key])).collect()
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
    let report = json("sleepy -n 3 --seconds 2 --wait --json");
    let demo = int(&report["demo_pid"]);
    let children = &report["children"];
    assert_eq!(each(children, "ppid"), vec![demo; 3], "{report}");
    assert_eq!(each(children, "pid").len(), 3, "{report}");
    assert_eq!(each(children, "exit_code"), vec![0; 3], "{report}");
    for child in array(children) {
        assert_eq!(child["command"], "sleep 2", "{report}");
    }
    assert_eq!(report["waited"], true);
    // Three sleeps of 2 s side by side take about 2 s, not 6.
    let waited = float(&report["waited_ms"]);
    assert!((1900.0..5000.0).contains(&waited), "{report}");
}

#[test]
fn sleepy_without_wait_leaves_orphans_that_are_adopted() {
    let dir = temp_dir();
    let (out, err, status) = run_c("sleepy -n 3 --seconds 30 --json", dir.path());
    assert_eq!(status, 0, "{err}");
    let report = parse(&out);
    let children = each(&report["children"], "pid");
    let _cleanup = KillOnDrop(children.clone());
    let demo = int(&report["demo_pid"]);
    assert_eq!(children.len(), 3, "{report}");
    // What the demo read just before it exited: itself.
    assert_eq!(each(&report["children"], "ppid"), vec![demo; 3], "{report}");
    assert_eq!(report["waited"], false);
    // The demo has exited: each sleep is alive, with another parent.
    let adopters: Vec<i64> = children
        .iter()
        .map(|pid| ppid_of(*pid).unwrap_or_else(|| panic!("sleep {pid} is gone")))
        .collect();
    assert!(
        adopters.iter().all(|ppid| *ppid != demo),
        "{adopters:?} {report}"
    );
    // ptree under the adopter lists them, with it as their parent: the
    // lab's `ps -e -H -o pid,ppid,cmd | grep sleep`.
    let adopter = adopters[0];
    let (tree, err, status) = run_c(&format!("ptree --json {adopter}"), dir.path());
    assert_eq!(status, 0, "{err}");
    let tree = parse(&tree);
    for pid in &children {
        let entry = array(&tree["processes"])
            .iter()
            .find(|p| p["pid"] == *pid)
            .unwrap_or_else(|| panic!("no {pid} in {tree}"));
        assert_eq!(entry["ppid"], adopter, "{tree}");
        assert_eq!(entry["state"], "S", "{tree}");
        assert_eq!(entry["command"], "sleep 30", "{tree}");
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
    let report = parse(&out);
    assert_eq!(report["waited"], false, "{report}");
    assert_eq!(report["error"], "ENOENT", "{report}");
    assert_eq!(report.get("message"), Some(&Value::Null), "{report}");
    // It waited afterwards, and then the file was there.
    assert_eq!(report["file_after_wait"], "written by the child\n");
    assert_eq!(int(&report["child_exit_code"]), 0);
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
    let report = parse(&out);
    assert_eq!(report["message"], "written by the child\n", "{report}");
    assert_eq!(report.get("error"), Some(&Value::Null), "{report}");
    // The parent read once waitpid had returned.
    assert!(
        float(&report["read_at_ms"]) >= float(&report["child_done_ms"]),
        "{report}"
    );
    assert_eq!(report["child_exit_code"], 0, "{report}");
}

/// The processes whose parent is `pid`, from /proc.
fn children_of(pid: i64) -> Vec<i64> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i64>().ok())
        .filter(|&child| ppid_of(child) == Some(pid))
        .collect()
}

/// Field 3 of /proc/PID/stat: R, S, Z...; `None` once it is gone.
fn state_of(pid: i64) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Polls `find` every 10 ms for up to 5 s.
fn wait_until<T>(mut find: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if let Some(found) = find() {
            return Some(found);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    None
}

/// Killed on its own (not with its child, as Ctrl-C would), the demo must
/// not leave its child to write FILE later: the child dies with it
/// (PR_SET_PDEATHSIG).
#[test]
fn wait_for_me_killed_alone_takes_its_child_with_it() {
    let dir = temp_dir();
    let mut shell = common::std_minishell()
        .arg("-c")
        // `; true`: the demo runs as a child of the shell, not in its place.
        .arg("wait-for-me --delay-ms 1000 msg.txt; true")
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let shell_pid = i64::from(shell.id());
    let demo = wait_until(|| children_of(shell_pid).first().copied());
    let writer = demo.and_then(|demo| wait_until(|| children_of(demo).first().copied()));
    let (Some(demo), Some(writer)) = (demo, writer) else {
        let _ = shell.kill();
        panic!("no demo or no writer under the shell {shell_pid}");
    };
    let _guard = KillOnDrop(vec![writer]);
    kill(Pid::from_raw(demo as i32), Signal::SIGKILL).unwrap();
    let _ = shell.wait();
    // Dead (a zombie, if no one reaps orphans here) or gone, long before
    // its 1000 ms were up.
    let ended = wait_until(|| matches!(state_of(writer), None | Some('Z')).then_some(()));
    assert!(ended.is_some(), "the writer {writer} outlived the demo");
    std::thread::sleep(std::time::Duration::from_millis(1200));
    assert!(
        !dir.path().join("msg.txt").exists(),
        "written after the demo died"
    );
}

#[test]
fn zombie_shows_state_z_then_no_child_after_waitpid() {
    let report = json("zombie --json");
    let parent = int(&report["parent_pid"]);
    let zombie = &report["zombie"];
    assert_eq!(zombie["state"], "Z", "{report}");
    assert_eq!(int(&zombie["ppid"]), parent);
    assert_eq!(int(&zombie["cmdline_bytes"]), 0);
    assert_eq!(zombie.get("vm_rss_kb"), Some(&Value::Null), "{report}");
    assert_eq!(int(&report["exit_code"]), 0);
    assert_eq!(report["proc_entry_after_wait"], false);
    assert_eq!(report["second_waitpid"], "ECHILD");
    let (out, _, _) = run_c("zombie", temp_dir().path());
    assert!(out.contains("state Z"), "{out}");
    assert!(out.contains("<defunct>"), "{out}");
}

#[test]
fn zombie_hold_keeps_it_a_zombie_that_ps_sees() {
    use std::io::{BufRead, BufReader, Read};
    let mut demo = common::lab("zombie")
        .args(["--hold", "30", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // With --json the hold's lines go to stderr: the commands to look with.
    let mut err = BufReader::new(demo.stderr.take().unwrap());
    let mut said = String::new();
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 {
        said.push_str(&line);
        if line.contains("cat /proc/") {
            break;
        }
        line.clear();
    }
    let parent = demo.id();
    assert!(
        said.contains(&format!("ps -o pid,ppid,stat,cmd --ppid {parent}")),
        "{said}"
    );
    let ps = std::process::Command::new("ps")
        .args(["-o", "stat=", "--ppid", &parent.to_string()])
        .output()
        .unwrap();
    let states = String::from_utf8_lossy(&ps.stdout);
    assert!(
        states.trim().starts_with('Z'),
        "ps sees the zombie: {states:?} {said}"
    );
    // A plain hold has no way out but its time or a signal.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(parent as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut out = String::new();
    demo.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = demo.wait();
}

#[test]
fn a_short_hold_reaps_the_zombie_afterwards() {
    let report = json("zombie --hold 0.2 --json");
    assert_eq!(report["state_before_wait"], "Z", "{report}");
    assert!(report["held_ms"].as_f64().is_some(), "{report}");
    assert_eq!(report["proc_entry_after_wait"], false, "{report}");
}

#[test]
fn orphan_is_adopted_by_another_parent() {
    // Through cat, the shell waits for the orphan's report (cat ends when
    // the orphan closes the pipe), so the lines after it come after it.
    let (out, err, status) = run_c("orphan --json | cat; echo after", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    let (report, after) = out.split_once('\n').unwrap();
    assert_eq!(after, "after\n");
    let report = parse(report);
    let before = int(&report["ppid_before"]);
    let adopter = int(&report["ppid_after"]);
    assert_ne!(adopter, before, "{report}");
    assert_ne!(int(&report["orphan_pid"]), before);
    assert!(!text(&report["adopter"]).is_empty(), "{report}");
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
    let tree = parse(lines.next().unwrap());
    assert_eq!(int(&tree["root"]).to_string(), shell);
    let (sleep_pid, shell_pid): (i64, i64) = (sleep.parse().unwrap(), shell.parse().unwrap());
    // The sleep's state is S once it sleeps; on a loaded machine it may
    // still be running (R) its start-up when ptree looks.
    let found = array(&tree["processes"]).iter().any(|p| {
        p["pid"] == sleep_pid
            && p["ppid"] == shell_pid
            && p["command"] == "sleep 5"
            && p["depth"] == 1
            && (p["state"] == "S" || p["state"] == "R")
    });
    assert!(found, "{tree}");
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
    let tree = parse(&out);
    let processes = array(&tree["processes"]);
    let zombie = processes
        .iter()
        .find(|p| p["pid"] == pid)
        .unwrap_or_else(|| panic!("no {pid} in {tree}"));
    assert_eq!(zombie["ppid"], me, "{tree}");
    assert_eq!(zombie["state"], "Z", "{tree}");
    assert_eq!(zombie["command"], "[true]", "{tree}");
    assert_eq!(zombie["depth"], 1, "{tree}");
    assert!(zombie["threads"].is_array(), "{tree}");
    // This test process has several threads; one LWP is its PID.
    let lwps: Vec<i64> = processes
        .iter()
        .flat_map(|p| each(&p["threads"], "lwp"))
        .collect();
    assert!(lwps.contains(&i64::from(me)), "{tree}");
    assert!(
        human.starts_with("    PID    PPID     LWP STAT CMD\n"),
        "{human}"
    );
    assert!(human.contains("[true] <defunct>"), "{human}");
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
    let (out, err, status) = run_example("sleepy.sh", &[]);
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
    let (tree, own) = second.split_once("the demo's own report").unwrap();
    let waiter = rows(tree, "sleepy -n 3 --seconds 3 --wait --quiet");
    assert_eq!(waiter.len(), 1, "{out}");
    let children = rows(tree, "sleep 3");
    assert_eq!(rows(own, "sleep 3"), children, "its table: {out}");
    assert_eq!(children.len(), 3, "{out}");
    assert!(
        children.iter().all(|(_, ppid)| *ppid == waiter[0].0),
        "{out}"
    );
    // The demo's own report: each waitpid as it returned.
    let reaped: Vec<i64> = own
        .lines()
        .filter_map(|l| l.strip_prefix("[sleepy] waitpid("))
        .filter(|l| l.contains("): exited with 0"))
        .filter_map(|l| l.split(')').next()?.parse().ok())
        .collect();
    let pids: Vec<i64> = children.iter().map(|(pid, _)| *pid).collect();
    assert_eq!(reaped, pids, "{out}");
}

#[test]
fn example_wait_for_me_fails_without_waiting_and_works_with_it() {
    let (out, err, status) = run_example("wait-for-me.sh", &[]);
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
    let (out, err, status) = run_example("zombie-orphan.sh", &[]);
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
    let (out, err, status) = run_example("ptree.sh", &[]);
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
