//! The seven demos of issue 14 ("Lab demos II") through the real shell:
//! `sigchld`, `gil`, `create-cost`, `nice` (as `lab nice`), `broken-lock`,
//! `user-threads` and `exec-fds`. Each is checked on the facts of its
//! `--json` report, never on how long anything took; and each has its
//! help, its `--quiet`, its line in `help` and its lab script.

mod common;

use common::{array, json, run_c, run_example, temp_dir, uint};
use serde_json::Value;

/// The runs of a report, by the value of `key` in each.
fn run_of<'a>(report: &'a Value, key: &str, value: &str) -> &'a Value {
    array(&report["runs"])
        .iter()
        .find(|run| run[key] == value)
        .unwrap_or_else(|| panic!("no run with {key} = {value}: {report}"))
}

const NEW: [&str; 7] = [
    "sigchld",
    "gil",
    "create-cost",
    "nice",
    "broken-lock",
    "user-threads",
    "exec-fds",
];

#[test]
fn each_has_its_help_its_line_in_help_and_refuses_bad_options() {
    let (overview, _, _) = run_c("help", temp_dir().path());
    for name in NEW {
        let (out, err, status) = run_c(&format!("lab {name} --help"), temp_dir().path());
        assert_eq!(status, 0, "{name}: {err}");
        assert!(out.starts_with(&format!("{name} [")), "{name}: {out}");
        assert!(
            overview
                .lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} in help: {overview}"
        );
        let (_, err, status) = run_c(&format!("lab {name} --no-such-option"), temp_dir().path());
        assert_eq!(status, 2, "{name}: {err}");
    }
}

// sigchld

#[test]
fn the_sigchld_handler_reaps_every_child_while_the_parent_works() {
    let report = json("sigchld --parent handler -n 6 --json");
    let run = run_of(&report, "parent", "handler");
    assert_eq!(uint(&run["children"]), 6, "{run}");
    assert_eq!(
        uint(&run["reaped"]),
        6,
        "every child, coalesced or not: {run}"
    );
    let calls = uint(&run["handler_calls"]);
    assert!((1..=6).contains(&calls), "{run}");
    assert!(
        uint(&run["work_rounds"]) > 0,
        "the parent kept working: {run}"
    );
}

#[test]
fn a_parent_that_never_waits_leaves_zombies_and_one_that_blocks_does_no_work() {
    let report = json("sigchld -n 3 --json");
    let never = run_of(&report, "parent", "never");
    assert_eq!(uint(&never["zombies_seen"]), 3, "{never}");
    let block = run_of(&report, "parent", "block");
    assert_eq!(uint(&block["reaped"]), 3, "{block}");
    assert_eq!(uint(&block["work_rounds"]), 0, "{block}");
    assert_eq!(uint(&block["handler_calls"]), 0, "{block}");
    // No child is left behind: the demo reaped its zombies.
    let (out, _, status) = run_c("sigchld --parent never --quiet; echo $?", temp_dir().path());
    assert!(out.ends_with("0\n"), "{out}");
    assert_eq!(status, 0);
}

// gil

#[test]
fn a_lock_per_statement_always_ends_at_zero() {
    let report = json("gil --variant statement --iterations 20000 --json");
    let run = run_of(&report, "variant", "statement");
    assert_eq!(run["var"], 0, "{run}");
    assert_eq!(run["torn_statements"], 0, "{run}");
}

#[test]
fn handing_over_between_bytecodes_goes_wrong_only_inside_a_statement() {
    // Every 3 bytecodes is always between two statements: var is exact.
    let report = json("gil --variant bytecode --switch-every 3 --iterations 20000 --json");
    let run = run_of(&report, "variant", "bytecode");
    assert_eq!(run["torn_statements"], 0, "{run}");
    assert_eq!(run["var"], 0, "{run}");
    assert_eq!(run["switch_every"], 3, "{run}");
    // Every 100: a wrong var needs a hand-over inside a statement.
    let report = json("gil --variant bytecode --iterations 20000 --json");
    let run = run_of(&report, "variant", "bytecode");
    if run["var"] != 0 {
        assert!(uint(&run["torn_statements"]) > 0, "{run}");
    }
    let none = json("gil --variant none --iterations 1000 --json");
    assert_eq!(run_of(&none, "variant", "none")["hand_overs"], 0, "{none}");
}

// create-cost

#[test]
fn create_cost_times_four_ways_to_create_and_two_to_switch() {
    let report = json("create-cost --runs 10 --round-trips 100 --ballast 4 --json");
    let created: Vec<&str> = array(&report["create"])
        .iter()
        .map(|t| t["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        created,
        ["fork", "vfork", "clone CLONE_VM", "pthread_create"],
        "{report}"
    );
    let switched: Vec<&str> = array(&report["switch"])
        .iter()
        .map(|t| t["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        switched,
        ["1000 switches: threads", "1000 switches: processes"],
        "{report}"
    );
    for timing in array(&report["create"])
        .iter()
        .chain(array(&report["switch"]))
    {
        let (min, median, max) = (
            timing["min_ms"].as_f64().unwrap(),
            timing["median_ms"].as_f64().unwrap(),
            timing["max_ms"].as_f64().unwrap(),
        );
        assert!(min <= median && median <= max, "{timing}");
    }
    assert_eq!(uint(&array(&report["create"])[0]["runs"]), 10, "{report}");
    assert_eq!(uint(&report["ballast_mib"]), 4, "{report}");
}

// nice

#[test]
fn nice_runs_as_lab_nice_and_reads_the_nice_values_back() {
    // /usr/bin/nice, where there is one, keeps its name: `lab nice` is
    // the demo.
    let report = json("lab nice --nice 7 --seconds 0.3 --json");
    let competitors = array(&report["competitors"]);
    assert_eq!(competitors.len(), 2, "{report}");
    assert_eq!(
        competitors[0]["nice"], 0,
        "/proc/PID/stat field 19: {report}"
    );
    assert_eq!(competitors[1]["nice"], 7, "{report}");
    // sched_prio_to_weight: 1024 at nice 0, 215 at nice 7.
    assert_eq!(uint(&competitors[0]["weight"]), 1024, "{report}");
    assert_eq!(uint(&competitors[1]["weight"]), 215, "{report}");
    let predicted: f64 = competitors
        .iter()
        .map(|c| c["predicted_pct"].as_f64().unwrap())
        .sum();
    assert!((predicted - 100.0).abs() < 0.01, "{report}");
    let measured: f64 = competitors
        .iter()
        .map(|c| c["share_pct"].as_f64().unwrap())
        .sum();
    assert!((measured - 100.0).abs() < 0.01, "{report}");
}

#[test]
fn a_program_on_path_keeps_its_name_and_type_says_so() {
    let dir = temp_dir();
    let program = dir.path().join("pipe");
    std::fs::write(&program, "#!/bin/sh\necho the student pipe\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", dir.path().display());
    let line = format!("PATH={path}; export PATH; pipe; type pipe; lab pipe --nonblock --json");
    let (out, err, status) = run_c(&line, dir.path());
    assert_eq!(status, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("the student pipe"), "{out}");
    let typed = lines.next().unwrap();
    assert!(
        typed.ends_with("(the lab demo of that name: lab pipe)"),
        "{typed}"
    );
    assert!(
        common::parse(lines.next().unwrap())["nonblock"].is_object(),
        "{out}"
    );
}

// broken-lock

#[test]
fn test_and_set_never_lets_two_in_and_the_broken_lock_is_caught_when_it_does() {
    let report = json("broken-lock --iterations 100000 --json");
    let tas = run_of(&report, "lock", "tas");
    assert_eq!(tas["breaches"], 0, "{tas}");
    assert_eq!(tas["lost"], 0, "{tas}");
    assert_eq!(tas["counter"], tas["entries"], "{tas}");
    let broken = run_of(&report, "lock", "broken");
    assert_eq!(uint(&broken["entries"]), 200_000, "{broken}");
    assert_eq!(
        uint(&broken["counter"]) + uint(&broken["lost"]),
        uint(&broken["entries"]),
        "{broken}"
    );
    let by_thread: u64 = array(&broken["breaches_by_thread"]).iter().map(uint).sum();
    assert_eq!(by_thread, uint(&broken["breaches"]), "{broken}");
    // Increments are lost only while two threads are inside.
    if uint(&broken["lost"]) > 0 {
        assert!(uint(&broken["breaches"]) > 0, "{broken}");
    }
}

// user-threads

#[test]
fn a_blocking_read_stalls_every_user_level_thread() {
    let report = json("user-threads --block 100 --json");
    let user = run_of(&report, "model", "user");
    assert_eq!(uint(&user["kernel_threads"]), 1, "{user}");
    assert_eq!(uint(&user["steps_during_read"]), 0, "{user}");
    let kernel = run_of(&report, "model", "kernel");
    assert_eq!(uint(&kernel["kernel_threads"]), 3, "{kernel}");
    for run in [user, kernel] {
        assert!(
            run["read_began_ms"].as_f64() <= run["read_returned_ms"].as_f64(),
            "{run}"
        );
    }
}

// exec-fds

#[test]
fn execve_keeps_what_is_not_close_on_exec() {
    let report = json("exec-fds --json");
    let before = array(&report["before"]);
    let with: Vec<u64> = before
        .iter()
        .filter(|b| b["cloexec"] == true)
        .map(|b| uint(&b["fd"]))
        .collect();
    let without: Vec<u64> = before
        .iter()
        .filter(|b| b["cloexec"] == false)
        .map(|b| uint(&b["fd"]))
        .collect();
    assert_eq!(with.len(), 1, "{report}");
    assert_eq!(without.len(), 3, "a file and a pipe's two ends: {report}");
    let kept: Vec<u64> = array(&report["kept"]).iter().map(uint).collect();
    let closed: Vec<u64> = array(&report["closed"]).iter().map(uint).collect();
    assert_eq!(kept, without, "{report}");
    assert_eq!(closed, with, "{report}");
    // What /proc/self/fd showed after execve: the kept ones, same files.
    for fd in &kept {
        let held = array(&report["after"])
            .iter()
            .find(|a| uint(&a["fd"]) == *fd);
        let opened = before.iter().find(|b| uint(&b["fd"]) == *fd).unwrap();
        assert_eq!(
            held.map(|h| &h["target"]),
            Some(&opened["target"]),
            "{report}"
        );
    }
}

// the lab scripts

#[test]
fn the_lab_scripts_run() {
    for (script, expect) in [
        ("sigchld.sh", "the handler ran"),
        ("gil.sh", "statement  var =        0"),
        ("nice.sh", "the weights predict"),
        ("broken-lock.sh", "test-and-set"),
        ("user-threads.sh", "kernel threads"),
        ("exec-fds.sh", "[after execve]"),
    ] {
        let (out, err, status) = run_example(script, &[]);
        assert_eq!(status, 0, "{script}: {err}");
        assert!(out.contains(expect), "{script}: {out}");
    }
}
