//! The synchronization demos through the real shell: `condition`,
//! `barrier`, `semaphore`, `shared-memory` and `reentrancy`, each run as a
//! user would, with small sizes, asserting on the `--json` report; and
//! their lecture and lab scripts in `examples/`.

mod common;

use std::time::Duration;

use common::{array, float, int, json, run_c, run_example, temp_dir};
use serde_json::Value;

// --- condition --------------------------------------------------------------

#[test]
fn condition_with_a_short_timer_wakes_once() {
    let report = json("condition --after 0.3 --json");
    assert_eq!(report["trigger"], "timer");
    assert_eq!(float(&report["after_ms"]), 300.0);
    // The predicate loop: false before waiting, true after the one wakeup.
    assert_eq!(report["wakeups"], 1, "{report}");
    let checks = array(&report["checks"]);
    let seen: Vec<&Value> = checks.iter().map(|c| &c["notified"]).collect();
    assert_eq!(seen, [false, true], "{report}");
    assert!(float(&report["latency_ms"]) >= 0.0, "{report}");
    assert!(float(&checks[1]["at_ms"]) >= float(&report["notified_ms"]));
}

#[test]
fn condition_false_alarms_send_the_loop_back_to_waiting() {
    let report = json("condition --after 0.3 --false-alarms 3 --json");
    let checks = array(&report["checks"]);
    let wakeups = int(&report["wakeups"]);
    assert!(wakeups >= 3, "each false alarm woke the thread: {report}");
    assert_eq!(checks.len() as i64, wakeups + 1, "{report}");
    let (last, earlier) = checks.split_last().unwrap();
    assert_eq!(last["notified"], true, "{report}");
    assert!(earlier.iter().all(|c| c["notified"] == false), "{report}");
}

#[test]
fn condition_notified_before_the_wait_does_not_hang() {
    // Whether or not the thread was already waiting, it ends: the
    // predicate, unlike the notification, is not lost.
    let report = json("condition --after 0 --json");
    let checks = array(&report["checks"]);
    assert_eq!(checks.last().unwrap()["notified"], true, "{report}");
    assert_eq!(checks.len() as i64, int(&report["wakeups"]) + 1);
}

#[test]
fn condition_away_from_a_terminal_uses_the_timer() {
    let report = json("condition --json < /dev/null");
    assert_eq!(report["trigger"], "timer");
    assert_eq!(float(&report["after_ms"]), 1000.0);
    let (out, _, status) = run_c("condition --after 0.1", temp_dir().path());
    assert_eq!(status, 0);
    assert!(
        out.contains("Waiting thread: notified by main thread"),
        "{out}"
    );
    assert!(out.contains("wait() returned 1 time"), "{out}");
}

#[test]
fn condition_at_a_terminal_waits_for_typed_notify() {
    common::build_lab();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_minishell"));
    command
        .args(["-c", "condition --quiet"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm");
    let mut session = expectrl::Session::spawn(command).expect("spawn on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session.expect("type \"notify\"").unwrap();
    // The prompt comes once the waiting thread is started; type once it
    // is inside wait(), as a person typing would be slow enough to.
    common::pty::wait_for_a_thread_blocked_on_a_futex(&session);
    session.send_line("something else").unwrap();
    session.send_line("notify").unwrap();
    let rest = session.expect(expectrl::Eof).unwrap();
    let rest = String::from_utf8_lossy(rest.as_bytes());
    assert!(rest.contains("(typed notify)"), "{rest:?}");
    assert!(rest.contains("notified by main thread"), "{rest:?}");
}

// --- barrier ----------------------------------------------------------------

#[test]
fn with_the_barrier_every_before_precedes_every_after_in_20_rounds() {
    for threads in [2, 3, 8] {
        let report = json(&format!(
            "barrier -n {threads} --use-barrier --rounds 20 --json"
        ));
        assert_eq!(report["use_barrier"], true);
        assert_eq!(report["rounds_before_all_first"], 20, "{report}");
        for round in array(&report["rounds"]) {
            let lines = array(&round["lines"]);
            assert_eq!(lines.len(), 2 * threads, "{round}");
            let last_before = lines.iter().rposition(|l| l["kind"] == "before").unwrap();
            let first_after = lines.iter().position(|l| l["kind"] == "after").unwrap();
            assert!(last_before < first_after, "{round}");
            assert_eq!(last_before, threads - 1, "{round}");
        }
    }
}

#[test]
fn without_the_barrier_each_thread_still_says_before_then_after() {
    let report = json("barrier --rounds 5 --json");
    assert_eq!(report["use_barrier"], false);
    for round in array(&report["rounds"]) {
        let lines = array(&round["lines"]);
        assert_eq!(lines.len(), 6);
        let seqs: Vec<i64> = lines.iter().map(|l| int(&l["seq"])).collect();
        assert_eq!(seqs, [0, 1, 2, 3, 4, 5], "printed in counter order");
        for thread in 0..3 {
            let place = |kind: &str| {
                lines
                    .iter()
                    .position(|l| l["thread"] == thread && l["kind"] == kind)
                    .unwrap()
            };
            assert!(place("before") < place("after"), "{round}");
        }
    }
    let (out, _, status) = run_c("barrier --use-barrier", temp_dir().path());
    assert_eq!(status, 0);
    assert_eq!(
        out.matches("Before barrier: thread name = thread-").count(),
        3
    );
    assert!(out.contains("ahead of every \"after\" line: yes"), "{out}");
}

// --- semaphore --------------------------------------------------------------

#[test]
fn never_more_requests_inside_than_permits() {
    for (permits, workers) in [(1, 4), (2, 6), (3, 5), (4, 4), (2, 10)] {
        let report = json(&format!(
            "semaphore --permits {permits} -n {workers} --serve 50 --json"
        ));
        let max = int(&report["max_inside"]);
        assert!(
            (1..=permits).contains(&max),
            "P={permits} W={workers}: {report}"
        );
        let events = array(&report["events"]);
        assert_eq!(events.len() as i64, 2 * workers, "{report}");
        assert!(events.iter().all(|e| int(&e["inside"]) <= permits));
        assert_eq!(int(&events.last().unwrap()["inside"]), 0);
        let requests = array(&report["requests"]);
        assert_eq!(requests.len() as i64, workers);
        for r in requests {
            assert!(float(&r["entered_ms"]) >= float(&r["arrived_ms"]), "{r}");
            assert!(float(&r["left_ms"]) >= float(&r["entered_ms"]), "{r}");
        }
    }
}

#[test]
fn with_one_permit_the_requests_go_one_at_a_time() {
    let report = json("semaphore --permits 1 -n 3 --serve 50 --json");
    assert_eq!(report["max_inside"], 1);
    // One at a time: each entered after the one before had left.
    let mut requests: Vec<(f64, f64)> = array(&report["requests"])
        .iter()
        .map(|r| (float(&r["entered_ms"]), float(&r["left_ms"])))
        .collect();
    requests.sort_by(|a, b| a.0.total_cmp(&b.0));
    for pair in requests.windows(2) {
        assert!(pair[1].0 >= pair[0].1, "{report}");
    }
    let (out, _, status) = run_c("semaphore -n 3 --serve 20", temp_dir().path());
    assert_eq!(status, 0);
    assert_eq!(out.matches(" enters (").count(), 3, "{out}");
    assert!(out.contains("largest number inside at once: "), "{out}");
    assert!(out.contains(" (permits 2)"), "{out}");
}

// --- shared-memory ----------------------------------------------------------

#[test]
fn shared_mapping_shows_the_childs_value() {
    // A generous timeout: on a busy machine the child may start late.
    let report = json("shared-memory --delay 50 --timeout 10000 --json");
    assert_eq!(report["mapping"], "MAP_SHARED");
    assert_eq!(report["before"], 0);
    assert_eq!(report["child_sees"], 42);
    assert_eq!(report["wait"], "posted", "{report}");
    assert_eq!(report["parent_sees_after_wait"], 42);
    assert_eq!(report["parent_sees_after_exit"], 42);
    assert_eq!(report["shared"], true);
}

#[test]
fn shared_mapping_whose_wait_times_out_is_still_shared() {
    // The wait ends long before the child writes: the read right after it
    // still finds 0, but the read after waitpid finds the child's 42.
    let report = json("shared-memory --delay 1000 --timeout 50 --json");
    assert_eq!(report["mapping"], "MAP_SHARED");
    assert_eq!(report["wait"], "timed_out", "{report}");
    assert_eq!(report["parent_sees_after_wait"], 0, "{report}");
    assert_eq!(report["parent_sees_after_exit"], 42, "{report}");
    assert_eq!(report["shared"], true, "{report}");
    let (out, err, status) = run_c("shared-memory --delay 300 --timeout 0", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("42 after waitpid"), "{out}");
    assert!(
        out.contains("-> MAP_SHARED: parent and child map the same page"),
        "{out}"
    );
    assert!(
        out.contains("--timeout 0 ms is shorter than --delay 300 ms"),
        "{out}"
    );
    assert!(!out.contains("MAP_PRIVATE"), "{out}");
}

#[test]
fn private_mapping_hides_the_childs_value_and_its_post() {
    let report = json("shared-memory --private --delay 50 --timeout 300 --json");
    assert_eq!(report["mapping"], "MAP_PRIVATE");
    // The child wrote and read back its own copy...
    assert_eq!(report["child_sees"], 42);
    // ...which the parent never sees, nor the child's sem_post.
    assert_eq!(report["wait"], "timed_out", "{report}");
    assert_eq!(report["parent_sees_after_wait"], 0);
    assert_eq!(report["parent_sees_after_exit"], 0);
    assert_eq!(report["shared"], false);
}

// --- reentrancy -------------------------------------------------------------

#[test]
fn reentrancy_tells_thread_safety_from_reentrancy() {
    let report = json("reentrancy -n 4 --ms 250 --json");
    let variants = array(&report["variants"]);
    let find = |name: &str| {
        variants
            .iter()
            .find(|v| v["variant"] == name)
            .unwrap_or_else(|| panic!("no {name} in {report}"))
    };
    let wrong = |name: &str, setting: &str| int(&find(name)[setting]["wrong"]);
    // Not thread-safe, not reentrant.
    assert!(wrong("global_temporary", "threads") > 0, "{report}");
    assert!(wrong("global_temporary", "handler") > 0, "{report}");
    // Its result never reads tmp: right in both settings.
    assert_eq!(wrong("global_write_only", "threads"), 0, "{report}");
    assert_eq!(wrong("global_write_only", "handler"), 0, "{report}");
    // Thread-safe, not reentrant.
    assert_eq!(wrong("thread_local", "threads"), 0, "{report}");
    assert!(wrong("thread_local", "handler") > 0, "{report}");
    // Both.
    assert_eq!(wrong("no_temporary", "threads"), 0, "{report}");
    assert_eq!(wrong("no_temporary", "handler"), 0, "{report}");
    for v in variants {
        assert!(int(&v["threads"]["calls"]) > 0, "{v}");
        assert!(int(&v["handler"]["interrupts"]) > 0, "{v}");
        // Nothing interrupts the handler itself.
        assert_eq!(int(&v["handler"]["handler_wrong"]), 0, "{v}");
    }
}

#[test]
fn reentrancy_quiet_prints_the_table_without_notes() {
    let (out, err, status) = run_c("reentrancy --quiet", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    for name in ["global tmp", "thread_local tmp", "no tmp"] {
        assert!(out.contains(name), "{out}");
    }
    assert!(!out.contains("->"), "--quiet drops the notes: {out}");
}

// --- help, options, examples ------------------------------------------------

#[test]
fn help_and_bad_options() {
    for (name, usage) in [
        ("condition", "condition [--after S]"),
        ("barrier", "barrier [-n N] [--use-barrier]"),
        ("semaphore", "semaphore [-n WORKERS] [--permits P]"),
        ("shared-memory", "shared-memory [--private]"),
        ("reentrancy", "reentrancy [-n THREADS]"),
    ] {
        let (out, _, status) = run_c(&format!("{name} --help"), temp_dir().path());
        assert!(out.starts_with(usage), "{out}");
        assert_eq!(status, 0);
        let (_, err, status) = run_c(&format!("{name} --nope"), temp_dir().path());
        assert!(err.contains("unexpected argument '--nope'"), "{err}");
        assert_eq!(status, 2);
    }
    let (_, err, status) = run_c("reentrancy -n 1", temp_dir().path());
    assert_eq!(status, 2, "one thread cannot race: {err}");
    let (_, _, status) = run_c("semaphore --permits 0", temp_dir().path());
    assert_eq!(status, 2);
}

#[test]
fn example_condition() {
    let (out, err, status) = run_example("condition.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("(timer after 1 s)"), "{out}");
    assert!(out.contains("notified by main thread"), "{out}");
    assert!(out.contains("notified = false: waits again"), "{out}");
}

#[test]
fn example_barrier() {
    let (out, err, status) = run_example("barrier.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("line: yes"), "{out}");
    assert!(
        out.contains("in 20 of 20 rounds (with the barrier)"),
        "{out}"
    );
}

#[test]
fn example_semaphore() {
    let (out, err, status) = run_example("semaphore.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(
        out.contains("largest number inside at once: 2 (permits 2)"),
        "{out}"
    );
    assert!(
        out.contains("largest number inside at once: 1 (permits 1)"),
        "{out}"
    );
}

#[test]
fn example_shared_memory() {
    let (out, err, status) = run_example("shared-memory.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("reads value = 42 after the wait"), "{out}");
    assert!(out.contains("ETIMEDOUT"), "{out}");
    assert!(out.contains("reads value = 0 after the wait"), "{out}");
}

#[test]
fn example_reentrancy() {
    let (out, err, status) = run_example("reentrancy.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(out.matches("thread_local tmp").count(), 3, "{out}");
    assert!(out.contains("(--window 0)"), "{out}");
}
