//! The thread demos through the shell: `multithreaded`, `thread-attrs`,
//! `thread-stacks` and `sum-array-bugs`, each run as a user would run it,
//! with small sizes, its JSON report checked against what the lab asks the
//! student to observe.

mod common;

use std::collections::HashSet;

use common::{array, int, json, parse, run_c, run_example, temp_dir};
use serde_json::Value;

// multithreaded

#[test]
fn four_threads_each_report_their_own_tid() {
    let report = json("multithreaded -n 4 --seconds 0.1 --json");
    let finished = array(&report["finished"]);
    assert_eq!(finished.len(), 4);
    let tids: HashSet<i64> = finished.iter().map(|f| int(&f["tid"])).collect();
    assert_eq!(tids.len(), 4, "distinct TIDs: {report}");
    assert!(!tids.contains(&int(&report["pid"])), "{report}");
    assert_eq!(report["main_tid"], report["pid"]);
    let indexes: HashSet<i64> = finished.iter().map(|f| int(&f["index"])).collect();
    assert_eq!(indexes, HashSet::from([0, 1, 2, 3]));
    // Each was handed its own copy of the argument: 100 ms.
    assert!(finished.iter().all(|f| f["asked_ms"] == 100.0), "{report}");
}

#[test]
fn with_vary_each_thread_sleeps_its_own_time_and_the_first_ends_last() {
    let report = json("multithreaded -n 3 --seconds 0.6 --vary --json");
    let finished = array(&report["finished"]);
    // Thread i sleeps 0.6 * (3 - i) / 3 s: 600, 400, 200 ms, 200 ms apart.
    let order: Vec<i64> = finished.iter().map(|f| int(&f["index"])).collect();
    assert_eq!(order, [2, 1, 0], "{report}");
    let asked: Vec<f64> = finished
        .iter()
        .map(|f| f["asked_ms"].as_f64().unwrap())
        .collect();
    for (got, want) in asked.iter().zip([200.0, 400.0, 600.0]) {
        assert!((got - want).abs() < 1.0, "{asked:?}");
    }
}

#[test]
fn multithreaded_says_when_each_thread_starts_and_when_it_is_done() {
    let (out, _, status) = run_c("multithreaded -n 2 --seconds 0 --quiet", temp_dir().path());
    assert_eq!(status, 0);
    assert_eq!(out.matches("[thread ").count(), 4, "{out}");
    // Each thread says it started before it says it is done.
    for thread in ["[thread 0]", "[thread 1]"] {
        let started = out.find(&format!("{thread} TID ")).unwrap();
        let done = out.rfind(thread).unwrap();
        assert!(
            out[started..].starts_with(thread) && started < done,
            "{out}"
        );
        assert!(
            out[started..]
                .lines()
                .next()
                .unwrap()
                .contains(": started "),
            "{out}"
        );
        assert!(
            out[done..].lines().next().unwrap().contains(": done, "),
            "{out}"
        );
    }
    assert!(out.starts_with("[main] PID "), "{out}");
    assert!(out.contains("[thread 0] TID "), "{out}");
    assert!(out.contains("[thread 1] TID "), "{out}");
    assert!(!out.contains("->"), "--quiet drops the notes: {out}");
}

// thread-attrs

#[test]
fn threads_share_the_pid_the_directory_and_the_descriptors() {
    let dir = temp_dir();
    let (out, err, status) = run_c("thread-attrs --json", dir.path());
    assert_eq!(status, 0, "{err}");
    let report = parse(&out);
    let threads = array(&report["threads"]);
    assert_eq!(threads.len(), 3);
    let pid = int(&threads[0]["pid"]);
    let tids: HashSet<i64> = threads.iter().map(|t| int(&t["tid"])).collect();
    assert_eq!(tids.len(), 3, "distinct TIDs: {report}");
    assert!(tids.contains(&pid), "the main thread's TID is the PID");
    let start = dir.path().canonicalize().unwrap();
    let moved_to = threads[1]["after"]["cwd"].as_str().unwrap().to_owned();
    assert!(
        moved_to.ends_with(&format!("thread-attrs.{pid}")),
        "{moved_to}"
    );
    for t in threads {
        assert_eq!(int(&t["pid"]), pid, "one PID: {report}");
        assert_eq!(t["ppid"], threads[0]["ppid"]);
        assert_eq!(
            t["before"]["cwd"].as_str().unwrap(),
            start.to_str().unwrap()
        );
        // Thread 1's chdir and open reached every thread.
        assert_eq!(t["after"]["cwd"].as_str().unwrap(), moved_to, "{report}");
        assert_eq!(
            int(&t["after"]["open_fds"]),
            int(&t["before"]["open_fds"]) + 1,
            "{report}"
        );
    }
    // The demo cleaned up after itself.
    assert!(!std::path::Path::new(&moved_to).exists());
}

#[test]
fn each_thread_has_its_own_signal_mask_and_errno() {
    let report = json("thread-attrs --json");
    let threads = array(&report["threads"]);
    let blocked: Vec<&Value> = threads.iter().map(|t| &t["after"]["blocked"]).collect();
    assert_eq!(blocked[0], &Value::from(Vec::<String>::new()), "{report}");
    assert_eq!(blocked[1], &Value::from(Vec::<String>::new()), "{report}");
    assert_eq!(blocked[2], &Value::from(vec!["SIGUSR1"]), "{report}");
    for t in threads {
        assert_eq!(t["before"]["blocked"], Value::from(Vec::<String>::new()));
    }
    let errnos: Vec<&str> = threads
        .iter()
        .map(|t| t["errno"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(errnos, ["ENOENT", "EBADF", "EEXIST"], "{report}");
    let places: HashSet<&str> = threads
        .iter()
        .map(|t| t["errno"]["address"].as_str().unwrap())
        .collect();
    assert_eq!(places.len(), 3, "one errno per thread: {report}");
}

#[test]
fn thread_attrs_shows_each_step_for_people() {
    let (out, _, status) = run_c("thread-attrs", temp_dir().path());
    assert_eq!(status, 0);
    for step in ["step 1, before:", "step 2:", "step 3, after:", "step 4"] {
        assert!(out.contains(step), "{out}");
    }
    assert!(out.contains("blocked SIGUSR1"), "{out}");
    assert!(out.contains("errno 2 (ENOENT)"), "{out}");
}

// thread-stacks

#[test]
fn each_new_thread_maps_one_stack_with_a_guard_page_below() {
    let report = json("thread-stacks -n 3 --json");
    let threads = array(&report["threads"]);
    assert_eq!(threads.len(), 3);
    let mut stacks = HashSet::new();
    let mut total = int(&report["total_kib_before"]);
    for t in threads {
        let new = array(&t["new"]);
        let stack: Vec<&Value> = new.iter().filter(|m| m["role"] == "stack").collect();
        assert_eq!(stack.len(), 1, "one new stack region: {t}");
        let stack = stack[0];
        assert_eq!(stack["perms"], "rw-p");
        let local = common::hex(&t["local"]);
        assert!(common::hex(&stack["start"]) <= local && local < common::hex(&stack["end"]));
        assert!(
            stacks.insert(common::hex(&stack["start"])),
            "a region of its own"
        );
        let stack_kib = int(&t["stack_kib"]);
        // glibc sizes a default stack by RLIMIT_STACK, when there is one.
        if let Some(limit) = report["rlimit_stack_kib"].as_i64() {
            assert_eq!(stack_kib, limit, "{t}");
        }
        let guard: Vec<&Value> = new.iter().filter(|m| m["role"] == "guard").collect();
        assert_eq!(guard.len(), 1, "a guard page: {t}");
        assert_eq!(guard[0]["perms"], "---p");
        assert_eq!(guard[0]["end"], stack["start"], "just below the stack");
        assert!(int(&t["guard_kib"]) >= 4);
        // The virtual size grew by at least the stack and its guard.
        assert_eq!(int(&t["total_kib_before"]), total);
        total = int(&t["total_kib_after"]);
        assert!(total - int(&t["total_kib_before"]) >= stack_kib + int(&t["guard_kib"]));
    }
    let tids: HashSet<i64> = threads.iter().map(|t| int(&t["tid"])).collect();
    assert_eq!(tids.len(), 3);
}

#[test]
fn thread_stacks_names_the_regions_for_people() {
    let (out, _, status) = run_c("thread-stacks -n 1", temp_dir().path());
    assert_eq!(status, 0);
    assert!(out.contains("rw-p  its stack"), "{out}");
    assert!(out.contains("---p  guard page"), "{out}");
    assert!(out.contains("thread 1 (TID "), "{out}");
}

// sum-array-bugs segfault

/// The one run of a `sum-array-bugs` report given one bug and one kind.
fn one_run(line: &str) -> Value {
    let report = json(line);
    let runs = array(&report["runs"]);
    assert_eq!(runs.len(), 1, "{report}");
    runs[0].clone()
}

#[test]
fn a_segfault_in_one_thread_kills_the_whole_process() {
    let dir = temp_dir();
    let (out, err, status) = run_c(
        // `; exit $?`: the shell forks and reports the signal (as the last
        // command, the demo would replace the shell, and no one says it).
        "sum-array-bugs segfault --threads -n 4 --len 1000; exit $?",
        dir.path(),
    );
    assert_eq!(status, 139, "{out}{err}");
    assert!(err.contains("Segmentation fault"), "{err}");
    assert!(
        out.contains("worker 3 reads one element past the end"),
        "{out}"
    );
    assert!(
        !out.contains("sum of the survivors"),
        "nothing summed: {out}"
    );
    // The watcher still reports, as JSON too; the shell goes on, and $?
    // is 128 + SIGSEGV.
    let (out, _, status) = run_c(
        "sum-array-bugs segfault --threads --len 1000 --json; echo $?",
        dir.path(),
    );
    assert_eq!(status, 0);
    let (json_line, rest) = out.split_once('\n').unwrap();
    assert_eq!(rest, "139\n", "{out}");
    let run = &common::parse(json_line)["runs"][0];
    assert_eq!(run["process"]["signal"], 11, "{run}");
    assert_eq!(run["process"]["signal_name"], "SIGSEGV", "{run}");
    assert!(
        run["obtained_sum"].is_null(),
        "the main thread added nothing: {run}"
    );
    assert_ne!(run["process"]["pid"], Value::Null, "{run}");
    // Core dumps were off for the crash: no core file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_segfault_in_one_child_kills_only_that_child() {
    let report = one_run("sum-array-bugs segfault --processes -n 4 --len 1000 --json");
    let ends = array(&report["ends"]);
    assert_eq!(ends.len(), 4);
    let pids: HashSet<i64> = ends.iter().map(|e| int(&e["pid"])).collect();
    assert_eq!(pids.len(), 4, "{report}");
    for end in &ends[..3] {
        assert_eq!(end["exit_code"], 0, "{report}");
        assert!(end["signal"].is_null());
        assert!(end["partial_sum"].is_i64());
    }
    let dead = &ends[3];
    assert_eq!(dead["buggy"], true);
    assert_eq!(dead["signal"], 11, "{report}");
    assert_eq!(dead["signal_name"], "SIGSEGV");
    assert!(dead["exit_code"].is_null() && dead["partial_sum"].is_null());
    let survivors: i64 = ends[..3].iter().map(|e| int(&e["partial_sum"])).sum();
    assert_eq!(int(&report["obtained_sum"]), survivors);
    assert!(int(&report["obtained_sum"]) < int(&report["expected_sum"]));
}

#[test]
fn the_parent_reports_each_child_by_pid_and_signal() {
    let (out, _, status) = run_c(
        "sum-array-bugs segfault --processes -n 2 --len 100",
        temp_dir().path(),
    );
    assert_eq!(status, 0, "the demo itself succeeded");
    assert!(out.contains("killed by signal 11 (SIGSEGV)"), "{out}");
    assert!(out.contains("sum of the survivors: "), "{out}");
    assert!(out.contains("from 1 of 2 workers"), "{out}");
}

#[test]
fn bare_it_runs_the_segfault_with_threads_then_processes() {
    let (out, err, status) = run_c("sum-array-bugs --len 1000 --json", temp_dir().path());
    assert_eq!(status, 0, "{err}");
    let report = common::parse(&out);
    let runs = array(&report["runs"]);
    let kinds: Vec<&str> = runs.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["threads", "processes"], "{report}");
    assert!(runs.iter().all(|r| r["bug"] == "segfault"), "{report}");
    assert_eq!(runs[0]["process"]["signal_name"], "SIGSEGV", "{report}");
    let dead = array(&runs[1]["ends"])
        .iter()
        .filter(|e| e["signal"] == 11)
        .count();
    assert_eq!(dead, 1, "{report}");
}

// sum-array-bugs corruption

#[test]
fn corruption_changes_the_threads_sum() {
    let clean = one_run("sum-array-bugs corruption --threads -n 4 --len 10000 --json");
    assert_eq!(clean["obtained_sum"], clean["expected_sum"], "{clean}");
    let report = one_run("sum-array-bugs corruption --threads -n 4 --len 10000 --corrupt --json");
    assert_eq!(report["expected_sum"], clean["expected_sum"]);
    assert_ne!(report["obtained_sum"], report["expected_sum"], "{report}");
    let ends = array(&report["ends"]);
    assert_eq!(ends[0]["buggy"], true);
    // The others summed the negated numbers.
    for end in &ends[1..] {
        assert!(int(&end["partial_sum"]) <= 0, "{report}");
    }
}

#[test]
fn corruption_leaves_the_processes_sum_right() {
    for corrupt in ["", "--corrupt"] {
        let report = one_run(&format!(
            "sum-array-bugs corruption --processes -n 4 --len 10000 {corrupt} --json"
        ));
        assert_eq!(report["obtained_sum"], report["expected_sum"], "{report}");
        for end in array(&report["ends"]) {
            assert_eq!(end["exit_code"], 0, "{report}");
            assert!(int(&end["partial_sum"]) > 0, "{report}");
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_expected_sum_whichever_workers() {
    let threads = one_run("sum-array-bugs corruption --threads -n 3 --len 1001 --seed 7 --json");
    let processes =
        one_run("sum-array-bugs corruption --processes -n 2 --len 1001 --seed 7 --json");
    assert_eq!(threads["expected_sum"], processes["expected_sum"]);
    assert_eq!(threads["obtained_sum"], threads["expected_sum"]);
}

// help and mistakes

#[test]
fn help_starts_with_the_usage_and_bad_options_are_refused() {
    for name in [
        "multithreaded",
        "thread-attrs",
        "thread-stacks",
        "sum-array-bugs",
    ] {
        let (out, _, status) = run_c(&format!("{name} --help"), temp_dir().path());
        assert!(out.starts_with(&format!("{name} ")), "{out}");
        assert_eq!(status, 0);
        let (_, err, status) = run_c(&format!("{name} --nope"), temp_dir().path());
        assert!(err.contains("--nope"), "{err}");
        assert_eq!(status, 2, "{name}");
    }
    for line in [
        "sum-array-bugs segfault --threads --processes",
        "sum-array-bugs segfault --threads --corrupt",
        "sum-array-bugs corruption --threads --corrupt -n 1 --len 10",
        "sum-array-bugs segfault --processes -n 8 --len 4",
        "multithreaded -n 0",
        "multithreaded --seconds -1",
        "thread-stacks -n 0",
    ] {
        let (_, err, status) = run_c(line, temp_dir().path());
        assert_eq!(status, 2, "{line}: {err}");
    }
}

/// Sizes and times too large to work with are clap errors, status 2:
/// `--len 4611686018427387905` once wrapped `len * 4` around to a
/// one-page mapping and crashed, `--seconds 1e30` once panicked in
/// `Duration::from_secs_f64`.
#[test]
fn huge_lengths_times_and_counts_are_refused_not_a_crash() {
    for line in [
        "sum-array-bugs corruption --processes --corrupt --len 4611686018427387905",
        "sum-array-bugs segfault --processes --len 1000000001",
        "sum-array-bugs corruption --threads --len 18446744073709551615",
        "multithreaded --seconds 1e30",
        "multithreaded --seconds 3600.5",
        "multithreaded --seconds NaN",
        "multithreaded -n 4097",
        "multithreaded -n 18446744073709551615",
    ] {
        let (out, err, status) = run_c(line, temp_dir().path());
        assert_eq!(status, 2, "{line}: {out}{err}");
        assert!(err.starts_with("error: invalid value"), "{line}: {err}");
        assert!(!err.contains("panicked"), "{line}: {err}");
    }
    // The bounds themselves are fine.
    let report = json("sum-array-bugs corruption --processes -n 1 --len 1 --json");
    assert_eq!(report["obtained_sum"], report["expected_sum"]);
}

// the lab examples

#[test]
fn the_multithreaded_example_walks_the_lab_task() {
    let (out, err, status) = run_example("multithreaded.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(
        out.matches("[main] joined all 5 threads").count(),
        2,
        "{out}"
    );
    // With --vary the first thread started is the last to end.
    let vary = out.split("2. ").nth(1).unwrap();
    let last = vary.lines().rfind(|l| l.starts_with("[thread")).unwrap();
    assert!(last.starts_with("[thread 0]"), "{vary}");
}

#[test]
fn the_thread_attrs_example_walks_the_lesson() {
    let (out, err, status) = run_example("thread-attrs.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("blocked SIGUSR1"), "{out}");
    assert!(out.contains("EBADF"), "{out}");
    // The shell's own directory did not change.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], *lines.last().unwrap(), "{out}");
}

#[test]
fn the_thread_stacks_example_walks_the_lab_task() {
    let (out, err, status) = run_example("thread-stacks.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert_eq!(
        out.matches("its stack: the local variable is inside")
            .count(),
        3,
        "{out}"
    );
    assert_eq!(out.matches("\"stack_kib\":").count(), 3, "{out}");
}

#[test]
fn the_sum_array_bugs_example_walks_the_lab_task() {
    let (out, err, status) = run_example("sum-array-bugs.sh", &[]);
    assert_eq!(status, 0, "{err}");
    assert!(err.contains("Segmentation fault"), "{err}");
    assert!(out.contains("exit status 139 = 128 + 11"), "{out}");
    assert!(out.contains("killed by signal 11 (SIGSEGV)"), "{out}");
    assert_eq!(out.matches(": wrong").count(), 1, "{out}");
    assert_eq!(out.matches(": right").count(), 2, "{out}");
}
