//! The race and lock demos through the shell: `race-condition`,
//! `granularity`, `deadlock` and `tls`, each run as a user would run it,
//! with small sizes, its JSON report checked against what the lecture asks
//! the student to observe, and the example script that walks each one.

mod common;

use std::collections::HashSet;

use common::{array, json, json_with_status, run_c, run_example, temp_dir, uint};
use serde_json::Value;

// race-condition

#[test]
fn synchronized_counts_are_exact_for_2_4_and_8_threads() {
    for threads in [2u64, 4, 8] {
        let iterations = 20_000;
        let report = json(&format!(
            "race-condition --sync all -n {threads} --iterations {iterations} --json"
        ));
        let expected = threads * iterations;
        assert_eq!(uint(&report["expected"]), expected, "{report}");
        let runs = array(&report["runs"]);
        let methods: Vec<&str> = runs.iter().map(|r| r["sync"].as_str().unwrap()).collect();
        assert_eq!(methods, ["none", "atomic", "spinlock", "mutex"], "{report}");
        for run in runs {
            let var = uint(&run["var"]);
            assert_eq!(uint(&run["lost"]), expected - var, "{run}");
            assert!(run["time_ms"].as_f64().unwrap() >= 0.0, "{run}");
            check_spans(run, threads);
            if run["sync"] == "none" {
                // Usually short of the expected value, but a run in which
                // the threads never overlapped loses nothing: not asserted.
                assert!(var <= expected, "{run}");
                eprintln!(
                    "race-condition -n {threads}: none lost {} of {expected}",
                    expected - var
                );
            } else {
                assert_eq!(var, expected, "{threads} threads: {run}");
            }
        }
    }
}

/// Each thread's span lies inside the run's time, which starts with the
/// first thread's first increment; it counted for at most its span, and
/// the threads overlapped for at most the run's time.
fn check_spans(run: &Value, threads: u64) {
    let time = run["time_ms"].as_f64().unwrap();
    let spans = array(&run["spans"]);
    assert_eq!(spans.len() as u64, threads, "{run}");
    let mut first = f64::INFINITY;
    for (index, span) in spans.iter().enumerate() {
        assert_eq!(uint(&span["thread"]), index as u64 + 1, "{run}");
        let (began, ended) = (
            span["began_ms"].as_f64().unwrap(),
            span["ended_ms"].as_f64().unwrap(),
        );
        assert!(0.0 <= began && began <= ended && ended <= time, "{run}");
        let counting = span["counting_ms"].as_f64().unwrap();
        // (Up to rounding: the demo rounds each figure to the microsecond.)
        assert!(counting <= ended - began + 0.002, "{run}");
        let _ = uint(&span["interleaved"]);
        first = first.min(began);
    }
    assert_eq!(first, 0.0, "{run}");
    let overlap = run["overlap_ms"].as_f64().unwrap();
    assert!((0.0..=time + 0.002).contains(&overlap), "{run}");
    if threads == 1 {
        assert_eq!(overlap, 0.0, "one thread overlaps with none: {run}");
    }
}

#[test]
fn at_its_defaults_the_unsynchronized_race_loses_increments() {
    // Two threads, one CPU each, ten million increments each: whatever
    // else the machine runs, they count at the same moment for a while.
    // Only where there is a second CPU to race on.
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        return;
    }
    let report = json("race-condition --json");
    let run = &array(&report["runs"])[0];
    assert!(uint(&run["lost"]) > 0, "{run}");
    // A loss needs an overlap, and the threads saw each other's stores.
    assert!(run["overlap_ms"].as_f64().unwrap() > 0.0, "{run}");
    let spans = array(&run["spans"]);
    assert!(spans.iter().any(|s| uint(&s["interleaved"]) > 0), "{run}");
    let cpus: Vec<&Value> = spans.iter().map(|s| &s["cpu"]).collect();
    assert_ne!(cpus[0], cpus[1], "one CPU each: {run}");
}

#[test]
fn the_notes_explain_a_loss_only_when_there_was_one() {
    // One thread cannot lose an increment: the notes must not explain a
    // loss, with `none` alone or in the `all` table.
    let (out, err, status) = run_c("race-condition -n 1 --iterations 1000", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("sync = none: var = 1000; time = "), "{out}");
    assert!(out.contains("1 thread, counting alone\n"), "{out}");
    assert!(out.contains("-> `none` lost no increment"), "{out}");
    assert!(!out.contains("overwrites its increment"), "{out}");
    let (out, err, status) = run_c(
        "race-condition --sync all -n 1 --iterations 1000",
        temp_dir().path(),
    );
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("-> `none` lost no increment"), "{out}");
    assert!(!out.contains("only `none` lost increments"), "{out}");
    // Two threads may lose some or none; the notes follow what happened.
    for _ in 0..3 {
        let (out, err, status) = run_c("race-condition --iterations 200000", temp_dir().path());
        assert_eq!(status, 0, "{err}");
        assert!(
            out.contains("at least 2 of the 2 threads were counting at the same moment for "),
            "{out}"
        );
        let lost = !out.contains("var = 400000;");
        assert_eq!(out.contains("overwrites its increment"), lost, "{out}");
        assert_eq!(out.contains("lost no increment this time"), !lost, "{out}");
    }
}

#[test]
fn each_method_alone_prints_var_and_time_like_the_lecture() {
    for method in ["atomic", "spinlock", "mutex"] {
        let (out, err, status) = run_c(
            &format!("race-condition --sync {method} --iterations 5000"),
            temp_dir().path(),
        );
        assert_eq!(status, 0, "{err}");
        assert!(out.contains("expected var = 10000"), "{out}");
        assert!(
            out.contains(&format!("sync = {method}: var = 10000; time = ")),
            "{out}"
        );
        assert!(out.contains(" ms\n"), "{out}");
        assert!(out.contains("\n-> "), "what to notice: {out}");
    }
    let report = json("race-condition --iterations 5000 --json");
    let runs = array(&report["runs"]);
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0]["sync"], "none",
        "the default is the lecture's first program"
    );
    assert_eq!(uint(&report["threads"]), 2, "the lecture's two threads");
}

#[test]
fn race_condition_defaults_to_two_threads_of_ten_million() {
    let (out, _, status) = run_c("race-condition --help", temp_dir().path());
    assert_eq!(status, 0);
    assert!(out.starts_with("race-condition [--sync none|atomic|spinlock|mutex|all]"));
    assert!(out.contains("default 2"), "{out}");
    assert!(out.contains("default 10000000"), "{out}");
}

#[test]
fn race_condition_rejects_bad_options() {
    for line in [
        "race-condition -n 0",
        "race-condition --sync sometimes",
        "race-condition --iterations -3",
    ] {
        let (out, err, status) = run_c(line, temp_dir().path());
        assert_eq!(status, 2, "{line}: {out}{err}");
        assert!(out.is_empty(), "{line}: {out}");
        assert!(err.contains("error"), "{line}: {err}");
    }
}

// granularity

#[test]
fn coarse_and_fine_granularity_are_both_exact() {
    let iterations = 50_000;
    for (granularity, locks) in [("coarse", 1), ("fine", iterations)] {
        let report = json(&format!(
            "granularity {granularity} --iterations {iterations} --json"
        ))["runs"][0]
            .clone();
        assert_eq!(report["granularity"], granularity);
        assert_eq!(uint(&report["var"]), 2 * iterations, "{report}");
        assert_eq!(uint(&report["expected"]), 2 * iterations, "{report}");
        let spans = array(&report["spans"]);
        assert_eq!(spans.len(), 2, "{report}");
        for span in spans {
            assert_eq!(uint(&span["locks"]), locks, "{span}");
            let first = span["first_lock_ms"].as_f64().unwrap();
            let last = span["last_unlock_ms"].as_f64().unwrap();
            assert!(first <= last, "{span}");
        }
    }
}

#[test]
fn coarse_threads_hold_the_lock_one_after_the_other() {
    // Mutual exclusion itself, not a timing: the second thread cannot take
    // the lock before the first one lets it go after its whole loop.
    let report = json("granularity coarse --iterations 100000 --json")["runs"][0].clone();
    assert_eq!(report["overlap_ms"].as_f64(), Some(0.0), "{report}");
    let mut spans: Vec<(f64, f64)> = array(&report["spans"])
        .iter()
        .map(|s| {
            (
                s["first_lock_ms"].as_f64().unwrap(),
                s["last_unlock_ms"].as_f64().unwrap(),
            )
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(spans[0].1 <= spans[1].0, "{report}");
}

#[test]
fn granularity_takes_coarse_or_fine_or_runs_both() {
    let (_, err, status) = run_c("granularity medium", temp_dir().path());
    assert_eq!(status, 2, "{err}");
    let report = json("granularity --iterations 1000 --json");
    let kinds: Vec<&str> = array(&report["runs"])
        .iter()
        .map(|run| run["granularity"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["fine", "coarse"], "{report}");
    let (out, _, status) = run_c(
        "granularity fine --iterations 1000 --quiet",
        temp_dir().path(),
    );
    assert_eq!(status, 0);
    assert!(out.contains("var = 2000; time = "), "{out}");
    assert!(!out.contains("-> "), "--quiet: {out}");
}

// deadlock

/// The two links of the cycle, as (thread, holds, waits_for, held_by),
/// sorted by thread.
fn links(report: &Value) -> Vec<(u64, Vec<u64>, u64, u64)> {
    let mut links: Vec<_> = array(&report["waits"])
        .iter()
        .map(|link| {
            (
                uint(&link["thread"]),
                array(&link["holds"]).iter().map(uint).collect(),
                uint(&link["waits_for"]),
                uint(&link["held_by"]),
            )
        })
        .collect();
    links.sort();
    links
}

#[test]
fn deadlock_is_seen_by_the_watcher_with_both_threads_asleep_in_futex() {
    let report = json_with_status("deadlock --timeout 0.2 --json", 1);
    assert_eq!(report["deadlock"], true, "{report}");
    assert!(report["detected_ms"].as_f64().is_some(), "{report}");
    assert_eq!(report["interrupted"], false, "{report}");
    assert_eq!(
        links(&report),
        [(1, vec![1], 2, 2), (2, vec![2], 1, 1)],
        "thread 1 holds 1 and waits for 2, held by 2; and the other way: {report}"
    );
    assert_eq!(array(&report["finished"]).len(), 0, "{report}");
    // Each waits in the kernel on the mutex: asleep, inside futex().
    let pid = uint(&report["pid"]);
    for stuck in array(&report["waits"]) {
        let task = &stuck["task"];
        assert_eq!(task["state"], "S", "{report}");
        assert_eq!(task["syscall"], "futex", "{report}");
        assert_ne!(
            uint(&task["tid"]),
            pid,
            "a thread, not the main one: {report}"
        );
    }
    // Both asked for their second lock and never got it.
    let waiting: Vec<u64> = array(&report["events"])
        .iter()
        .filter(|e| e["step"] == "waiting")
        .map(|e| uint(&e["resource"]))
        .collect();
    assert_eq!(waiting.len(), 4, "{report}");
    let locked = array(&report["events"])
        .iter()
        .filter(|e| e["step"] == "locked")
        .count();
    assert_eq!(locked, 2, "{report}");
}

#[test]
fn ctrl_c_shows_where_the_deadlocked_threads_are_stuck() {
    use std::io::{BufRead, BufReader, Read};
    let mut demo = common::lab("deadlock")
        .args(["--hold", "60", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The hold prints its commands on stderr (stdout is the JSON's).
    let mut err = BufReader::new(demo.stderr.take().unwrap());
    let mut line = String::new();
    while err.read_line(&mut line).unwrap() > 0 && !line.contains("holding") {
        line.clear();
    }
    let pid = nix::unistd::Pid::from_raw(demo.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let mut out = String::new();
    demo.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let status = demo.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{out}");
    let report = common::parse(&out);
    assert_eq!(report["deadlock"], true, "{report}");
    assert_eq!(report["interrupted"], true, "{report}");
}

#[test]
fn deadlock_prints_the_lectures_lines_and_names_the_cycle() {
    let (out, err, status) = run_c("deadlock --timeout 0.2", temp_dir().path());
    assert_eq!(status, 1, "{err}");
    assert!(out.contains("asleep in the kernel (futex)"), "{out}");
    assert!(out.contains("in the futex system call"), "{out}");
    assert!(
        out.contains("Thread 1: locked resource 1. Waiting for resource 2...\n"),
        "{out}"
    );
    assert!(
        out.contains("Thread 2: locked resource 2. Waiting for resource 1...\n"),
        "{out}"
    );
    assert!(
        out.contains("thread 1 holds resource 1 and waits for resource 2, held by thread 2"),
        "{out}"
    );
    assert!(
        out.contains("thread 2 holds resource 2 and waits for resource 1, held by thread 1"),
        "{out}"
    );
    assert!(
        out.contains("cycle: thread 1 -> resource 2 -> thread 2 -> resource 1 -> thread 1")
            || out.contains("cycle: thread 2 -> resource 1 -> thread 1 -> resource 2 -> thread 2"),
        "{out}"
    );
}

#[test]
fn the_shell_goes_on_after_a_deadlocked_demo() {
    let (out, _, status) = run_c(
        "deadlock --timeout 0.3 --quiet > /dev/null; echo status $?",
        temp_dir().path(),
    );
    assert_eq!(status, 0);
    assert_eq!(out, "status 1\n");
}

#[test]
fn deadlock_fix_takes_one_order_and_finishes() {
    let report = json("deadlock --fix --json");
    assert_eq!(report["deadlock"], false, "{report}");
    assert_eq!(array(&report["waits"]).len(), 0, "{report}");
    let finished: HashSet<u64> = array(&report["finished"]).iter().map(uint).collect();
    assert_eq!(finished, HashSet::from([1, 2]), "{report}");
    for order in array(&report["orders"]) {
        assert_eq!(order, &serde_json::json!([1, 2]), "{report}");
    }
    // Each thread locked and unlocked both resources.
    let events = array(&report["events"]);
    for thread in [1u64, 2] {
        for step in ["locked", "unlocked"] {
            let count = events
                .iter()
                .filter(|e| uint(&e["thread"]) == thread && e["step"] == step)
                .count();
            assert_eq!(count, 2, "thread {thread} {step}: {report}");
        }
    }
}

// tls

#[test]
fn tls_gives_every_thread_exactly_n_in_a_copy_of_its_own() {
    let (threads, iterations) = (4u64, 30_000u64);
    let report = json(&format!(
        "tls -n {threads} --iterations {iterations} --json"
    ));
    let copies = array(&report["copies"]);
    assert_eq!(copies.len() as u64, threads, "{report}");
    for copy in copies {
        assert_eq!(uint(&copy["var"]), iterations, "{copy}");
    }
    assert_eq!(uint(&report["sum"]), threads * iterations, "{report}");
    assert_eq!(uint(&report["main"]["var"]), 0, "main's copy: {report}");
    let mut addresses: HashSet<u64> = copies.iter().map(|c| common::hex(&c["address"])).collect();
    addresses.insert(common::hex(&report["main"]["address"]));
    assert_eq!(
        addresses.len() as u64,
        threads + 1,
        "one copy each: {report}"
    );
    let tids: HashSet<u64> = copies.iter().map(|c| uint(&c["tid"])).collect();
    assert_eq!(tids.len() as u64, threads, "{report}");
}

#[test]
fn tls_prints_each_threads_value_and_address() {
    let (out, err, status) = run_c("tls -n 3 --iterations 1000", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    for thread in 1..=3 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("thread {thread} (TID ")))
            .unwrap_or_else(|| panic!("thread {thread}: {out}"));
        assert!(line.contains("var = 1000 at 0x"), "{line}");
    }
    assert!(out.contains("var = 0 at 0x"), "main's copy: {out}");
    assert!(out.contains("the copies add up to 3000"), "{out}");
    assert!(out.contains("would need an atomic or a lock"), "{out}");
}

// help texts

#[test]
fn each_demo_explains_itself() {
    for (name, usage) in [
        ("race-condition", "race-condition [--sync "),
        ("granularity", "granularity [coarse|fine] "),
        ("deadlock", "deadlock [--fix] [--timeout S]"),
        ("tls", "tls [-n THREADS]"),
    ] {
        let (out, _, status) = run_c(&format!("{name} --help"), temp_dir().path());
        assert_eq!(status, 0, "{name}");
        assert!(out.starts_with(usage), "{name}: {out}");
        let (help, _, _) = run_c(&format!("help {name}"), temp_dir().path());
        assert!(help.starts_with(usage), "{name}: {help}");
    }
}

// the lecture's tasks, as example scripts

#[test]
fn example_race_condition_walks_the_four_programs() {
    let (out, err, status) = run_example("race-condition.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.matches("sync = none: var = ").count(), 2, "{out}");
    for method in ["atomic ", "spinlock ", "mutex "] {
        let rows: Vec<&str> = out.lines().filter(|l| l.starts_with(method)).collect();
        assert_eq!(rows.len(), 2, "{method}: {out}");
        for row in rows {
            assert!(row.contains(" 2000000 "), "exact: {row}");
        }
    }
}

#[test]
fn example_granularity_runs_fine_then_coarse() {
    let (out, err, status) = run_example("granularity.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out.matches("var = 2000000; time = ").count(), 2, "{out}");
    let fine = out.find("one lock per increment").expect("fine");
    let coarse = out
        .find("one lock around each thread's whole loop")
        .expect("coarse");
    assert!(fine < coarse, "{out}");
    assert!(out.contains("thread 2: 1 lock, "), "{out}");
    assert!(out.contains("thread 2: 1000000 locks, "), "{out}");
}

#[test]
fn example_deadlock_detects_then_fixes() {
    let (out, err, status) = run_example("deadlock.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("a deadlock of 2 threads"), "{out}");
    assert!(out.contains("exit status 1: "), "{out}");
    assert!(out.contains("no deadlock: threads [1, 2]"), "{out}");
    assert!(out.contains("   exit status 0\n"), "{out}");
}

#[test]
fn example_tls_contrasts_the_shared_and_the_thread_local_counter() {
    let (out, err, status) = run_example("tls.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("sync = none: var = "), "{out}");
    assert_eq!(out.matches(": var = 1000000 at 0x").count(), 2, "{out}");
    assert_eq!(out.matches(": var = 500000 at 0x").count(), 4, "{out}");
    assert_eq!(
        out.matches("the copies add up to 2000000").count(),
        2,
        "{out}"
    );
}
