//! The scheduling demos through the shell: `schedule`'s timelines and
//! times against answers computed by hand, the lecture's round-robin
//! order, and `cooperative`'s lines with and without yields.

mod common;

use common::{json, run_c, run_example, temp_dir};
use serde_json::Value;

/// What a hand computation gives for one workload.
struct Expected<'a> {
    /// The Gantt chart's cells, left to right.
    order: &'a str,
    /// Each process's (waiting, turnaround), in the order given.
    times: &'a [(u64, u64)],
    average_waiting: f64,
    average_turnaround: f64,
}

/// Runs `schedule --json ARGS` and checks it against `expected`; returns
/// the report for further checks.
fn schedule(args: &str, expected: Expected) -> Value {
    let report = json(&format!("schedule --json {args}"));
    let order: Vec<&str> = report["gantt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bar| bar["process"].as_str().unwrap())
        .collect();
    assert_eq!(order.join(" "), expected.order, "{args}");
    let times: Vec<(u64, u64)> = report["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["waiting"].as_u64().unwrap(),
                p["turnaround"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(times, expected.times, "{args}");
    let close = |key: &str, want: f64| {
        let got = report[key].as_f64().unwrap();
        assert!((got - want).abs() < 0.01, "{args}: {key} {got} != {want}");
    };
    close("average_waiting", expected.average_waiting);
    close("average_turnaround", expected.average_turnaround);
    report
}

#[test]
fn fcfs_runs_the_bursts_in_the_order_given() {
    // P1 0-4, P2 4-7, P3 7-12.
    // waiting: P1 0, P2 4, P3 7 (avg 11/3); turnaround: 4, 7, 12 (avg 23/3).
    schedule(
        "--algo fcfs P1:4 P2:3 P3:5",
        Expected {
            order: "P1 P2 P3",
            times: &[(0, 4), (4, 7), (7, 12)],
            average_waiting: 11.0 / 3.0,
            average_turnaround: 23.0 / 3.0,
        },
    );
    // The convoy: P1 0-24, P2 24-27, P3 27-30.
    // waiting: 0, 24, 27 (avg 17); turnaround: 24, 27, 30 (avg 27).
    schedule(
        "--algo fcfs P1:24 P2:3 P3:3",
        Expected {
            order: "P1 P2 P3",
            times: &[(0, 24), (24, 27), (27, 30)],
            average_waiting: 17.0,
            average_turnaround: 27.0,
        },
    );
    // The long burst last: P2 0-3, P3 3-6, P1 6-30 (priorities ignored).
    // waiting: 0, 3, 6 (avg 3); turnaround: 3, 6, 30 (avg 13).
    schedule(
        "--algo fcfs P2:3:5 P3:3 P1:24:-5",
        Expected {
            order: "P2 P3 P1",
            times: &[(0, 3), (3, 6), (6, 30)],
            average_waiting: 3.0,
            average_turnaround: 13.0,
        },
    );
}

#[test]
fn rr_gives_the_lectures_order() {
    // The lecture's example, time slice 2: P1 0-2, P2 2-4, P3 4-6,
    // P1 6-8 (done), P2 8-9 (done), P3 9-11, P3 11-12 (done).
    // waiting = turnaround - burst: P1 8-4 = 4, P2 9-3 = 6, P3 12-5 = 7
    // (avg 17/3); turnaround: 8, 9, 12 (avg 29/3).
    let report = schedule(
        "--algo rr --quantum 2 P1:4 P2:3 P3:5",
        Expected {
            order: "P1 P2 P3 P1 P2 P3 P3",
            times: &[(4, 8), (6, 9), (7, 12)],
            average_waiting: 17.0 / 3.0,
            average_turnaround: 29.0 / 3.0,
        },
    );
    assert_eq!(report["quantum"], 2);
    assert_eq!(report["context_switches"], 5);
    // At time 6 the queue is back to P1 P2 P3, front first.
    let queue: Vec<&str> = report["gantt"][3]["ready"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["process"].as_str().unwrap())
        .collect();
    assert_eq!(queue, ["P1", "P2", "P3"]);
    // And rr with slice 2 is the default.
    let (out, _, status) = run_c("schedule P1:4 P2:3 P3:5", temp_dir().path());
    assert_eq!(status, 0);
    assert!(
        out.contains(
            "| P1  | P2  | P3  | P1  |P2| P3  |P3|\n\
             0     2     4     6     8  9     11 12\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("average             2.00     5.67        9.67"),
        "{out}"
    );
}

#[test]
fn rr_with_other_workloads_and_slices() {
    // P1:24 P2:3 P3:3, slice 4: P1 0-4, P2 4-7 (done), P3 7-10 (done), then
    // P1 alone: 10-14, 14-18, 18-22, 22-26, 26-30.
    // waiting: P1 30-24 = 6, P2 7-3 = 4, P3 10-3 = 7 (avg 17/3);
    // turnaround: 30, 7, 10 (avg 47/3).
    schedule(
        "--algo rr --quantum 4 P1:24 P2:3 P3:3",
        Expected {
            order: "P1 P2 P3 P1 P1 P1 P1 P1",
            times: &[(6, 30), (4, 7), (7, 10)],
            average_waiting: 17.0 / 3.0,
            average_turnaround: 47.0 / 3.0,
        },
    );
    // The lecture's example with slice 1: P1 P2 P3 P1 P2 P3 P1 P2 (P2 done
    // at 8), P3, P1 (done at 10), P3, P3 (done at 12).
    // waiting: P1 10-4 = 6, P2 8-3 = 5, P3 12-5 = 7 (avg 6);
    // turnaround: 10, 8, 12 (avg 10).
    schedule(
        "--algo rr --quantum 1 P1:4 P2:3 P3:5",
        Expected {
            order: "P1 P2 P3 P1 P2 P3 P1 P2 P3 P1 P3 P3",
            times: &[(6, 10), (5, 8), (7, 12)],
            average_waiting: 6.0,
            average_turnaround: 10.0,
        },
    );
}

#[test]
fn priority_runs_the_lowest_nice_value_first() {
    // P2 (1) 0-1, P5 (2) 1-6, P1 (3) 6-16, P3 (4) 16-18, P4 (5) 18-19.
    // waiting: P1 6, P2 0, P3 16, P4 18, P5 1 (avg 41/5 = 8.2);
    // turnaround: 16, 1, 18, 19, 6 (avg 60/5 = 12).
    schedule(
        "--algo priority P1:10:3 P2:1:1 P3:2:4 P4:1:5 P5:5:2",
        Expected {
            order: "P2 P5 P1 P3 P4",
            times: &[(6, 16), (0, 1), (16, 18), (18, 19), (1, 6)],
            average_waiting: 8.2,
            average_turnaround: 12.0,
        },
    );
    // Ties in the order given: P2 (-5) 0-3, P3 (-5) 3-8, P1 (0) 8-12.
    // waiting: P1 8, P2 0, P3 3 (avg 11/3); turnaround: 12, 3, 8 (avg 23/3).
    schedule(
        "--algo priority P1:4:0 P2:3:-5 P3:5:-5",
        Expected {
            order: "P2 P3 P1",
            times: &[(8, 12), (0, 3), (3, 8)],
            average_waiting: 11.0 / 3.0,
            average_turnaround: 23.0 / 3.0,
        },
    );
    // The ends of nice's range: P2 (-20) 0-2, P3 (0) 2-4, P1 (19) 4-6.
    // waiting: P1 4, P2 0, P3 2 (avg 2); turnaround: 6, 2, 4 (avg 4).
    schedule(
        "--algo priority P1:2:19 P2:2:-20 P3:2",
        Expected {
            order: "P2 P3 P1",
            times: &[(4, 6), (0, 2), (2, 4)],
            average_waiting: 2.0,
            average_turnaround: 4.0,
        },
    );
}

#[test]
fn priority_rr_serves_the_top_queue_round_robin() {
    // Queue -5 (P2, P3), slice 2: P2 0-2, P3 2-4, P2 4-6 (done),
    // P3 6-7 (done); then queue 0: P1 7-9, 9-10 (done).
    // waiting: P1 10-3 = 7, P2 6-4 = 2, P3 7-3 = 4 (avg 13/3);
    // turnaround: 10, 6, 7 (avg 23/3).
    schedule(
        "--algo priority-rr --quantum 2 P1:3:0 P2:4:-5 P3:3:-5",
        Expected {
            order: "P2 P3 P2 P3 P1 P1",
            times: &[(7, 10), (2, 6), (4, 7)],
            average_waiting: 13.0 / 3.0,
            average_turnaround: 23.0 / 3.0,
        },
    );
}

/// Each process's vruntime at the end, in time units.
fn vruntimes(report: &Value) -> Vec<f64> {
    report["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["vruntime"].as_f64().unwrap())
        .collect()
}

#[test]
fn cfs_with_equal_nice_values_takes_turns() {
    // Every nice value 0 (weight 1024): vruntime = time run. Slice 2.
    // t0: tree P1 0, P2 0, P3 0 (ties: the earlier in) -> P1 0-2, vr 2
    // t2: P2 0 -> P2 2-4, vr 2; t4: P3 0 -> P3 4-6, vr 2
    // t6: P1 2 (in first), P2 2, P3 2 -> P1 6-8 (done); P2 8-9 (done);
    // P3 9-11, vr 4; P3 11-12 (done).
    // As rr: waiting 4, 6, 7 (avg 17/3); turnaround 8, 9, 12 (avg 29/3).
    let report = schedule(
        "--algo cfs --quantum 2 P1:4 P2:3 P3:5",
        Expected {
            order: "P1 P2 P3 P1 P2 P3 P3",
            times: &[(4, 8), (6, 9), (7, 12)],
            average_waiting: 17.0 / 3.0,
            average_turnaround: 29.0 / 3.0,
        },
    );
    assert_eq!(vruntimes(&report), [4.0, 3.0, 5.0]);
}

#[test]
fn cfs_gives_a_lower_nice_value_more_turns() {
    // P1 nice -5 (weight 3121): 2 units add 2 * 1024 / 3121 = 0.656199
    // (rounded down in millionths); P2 nice 0 adds 2.0. Slice 2.
    // t0: P1 0, P2 0 -> P1 0-2, vr 0.656199
    // t2: P2 0 -> P2 2-4, vr 2
    // t4: P1 0.656 < 2 -> P1 4-6, vr 1.312398
    // t6: P1 1.312 < 2 -> P1 6-8 (done), vr 1.968597
    // t8: P2 8-10, 10-12 (done), vr 6.
    // waiting: P1 8-6 = 2, P2 12-6 = 6 (avg 4); turnaround: 8, 12 (avg 10).
    let report = schedule(
        "--algo cfs --quantum 2 P1:6:-5 P2:6:0",
        Expected {
            order: "P1 P2 P1 P1 P2 P2",
            times: &[(2, 8), (6, 12)],
            average_waiting: 4.0,
            average_turnaround: 10.0,
        },
    );
    assert_eq!(vruntimes(&report), [1.968597, 6.0]);
    // At time 6 the leftmost is P1 (1.312398), then P2 (2).
    let tree = &report["gantt"][3]["ready"];
    assert_eq!(tree[0]["process"], "P1");
    assert_eq!(tree[0]["vruntime"], 1.312398);
    assert_eq!(tree[1]["vruntime"], 2.0);
}

#[test]
fn cfs_makes_a_higher_nice_value_wait() {
    // P1 nice 5 (weight 335): 1 unit adds 1024 / 335 = 3.056716; P2, P3
    // nice 0 add 1.0. Slice 1.
    // t0: P1 0, P2 0, P3 0 -> P1 0-1, vr 3.056716
    // t1: P2 1-2, vr 1; t2: P3 2-3, vr 1; t3: P2 3-4, vr 2; t4: P3 4-5,
    // vr 2; t5: P2 5-6 (done); t6: P3 6-7 (done);
    // t7: P1 alone: 7-8, 8-9 (done), vr 3 * 3.056716 = 9.170148.
    // waiting: P1 9-3 = 6, P2 6-3 = 3, P3 7-3 = 4 (avg 13/3);
    // turnaround: 9, 6, 7 (avg 22/3).
    let report = schedule(
        "--algo cfs --quantum 1 P1:3:5 P2:3 P3:3",
        Expected {
            order: "P1 P2 P3 P2 P3 P2 P3 P1 P1",
            times: &[(6, 9), (3, 6), (4, 7)],
            average_waiting: 13.0 / 3.0,
            average_turnaround: 22.0 / 3.0,
        },
    );
    assert_eq!(vruntimes(&report), [9.170148, 3.0, 3.0]);
}

/// The lines `cooperative` prints for its tasks, without the summary and
/// the notes.
fn cooperative(args: &str) -> Vec<String> {
    let (out, err, status) = run_c(&format!("cooperative {args}"), temp_dir().path());
    assert_eq!(status, 0, "{err}");
    out.lines()
        .filter(|l| l.starts_with("Thread "))
        .map(String::from)
        .collect()
}

#[test]
fn cooperative_without_yield_runs_task_1_to_the_end_first() {
    assert_eq!(
        cooperative(""),
        [
            "Thread 1 created!",
            "Thread 1: step 0",
            "Thread 1: step 1",
            "Thread 1: step 2",
            "Thread 1 finished!",
            "Thread 2 created!",
            "Thread 2: step 0",
            "Thread 2: step 1",
            "Thread 2: step 2",
            "Thread 2 finished!",
        ]
    );
}

#[test]
fn cooperative_with_yield_alternates_the_steps() {
    assert_eq!(
        cooperative("--yield"),
        [
            "Thread 1 created!",
            "Thread 1: step 0",
            "Thread 2 created!",
            "Thread 2: step 0",
            "Thread 1: step 1",
            "Thread 2: step 1",
            "Thread 1: step 2",
            "Thread 2: step 2",
            "Thread 1 finished!",
            "Thread 2 finished!",
        ]
    );
    // The report records the (task, step) order as it ran.
    let report = json("cooperative --yield --json");
    let steps: Vec<(u64, u64)> = report["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "step")
        .map(|e| (e["task"].as_u64().unwrap(), e["step"].as_u64().unwrap()))
        .collect();
    assert_eq!(steps, [(1, 0), (2, 0), (1, 1), (2, 1), (1, 2), (2, 2)]);
    assert_eq!(report["context_switches"], 7);
}

#[test]
fn bare_it_runs_the_lectures_round_robin_example() {
    let bare = json("schedule --json");
    let given = json("schedule --json P1:4 P2:3 P3:5");
    assert_eq!(bare, given);
    assert_eq!(bare["algorithm"], "rr", "{bare}");
    assert_eq!(bare["quantum"], 2, "{bare}");
    let (out, _, status) = run_c("schedule --quiet", temp_dir().path());
    assert_eq!(status, 0);
    assert!(
        out.starts_with("the lecture's example: P1:4 P2:3 P3:5"),
        "{out}"
    );
}

#[test]
fn bad_workloads_are_refused_with_status_2() {
    let cases = [
        ("schedule P1:x", "the burst 'x' is not a whole number"),
        ("schedule P1:4 P1:3", "the name 'P1' is given twice"),
        ("schedule P1:4:20", "the priority '20' is not a nice value"),
        ("schedule P1", "expected NAME:BURST[:PRIORITY]"),
        ("schedule --algo sjf P1:4", "invalid value 'sjf'"),
        ("schedule --quantum 0 P1:4", "0 is not in 1..=1000"),
        ("cooperative --tasks 0", "0 is not in 1..=26"),
    ];
    for (line, message) in cases {
        let (out, err, status) = run_c(line, temp_dir().path());
        assert_eq!(status, 2, "{line}: {err}");
        assert!(err.contains(message), "{line}: {err}");
        assert_eq!(out, "", "{line}");
    }
}

#[test]
fn help_starts_with_the_usage() {
    let (out, _, status) = run_c("schedule --help", temp_dir().path());
    assert!(out.starts_with("schedule [--algo fcfs|rr|"), "{out}");
    assert_eq!(status, 0);
    let (out, _, status) = run_c("cooperative --help", temp_dir().path());
    assert!(out.starts_with("cooperative [--yield]"), "{out}");
    assert_eq!(status, 0);
    let (out, _, _) = run_c(
        "cooperative --yield --quiet; schedule --quiet A:1",
        temp_dir().path(),
    );
    assert!(!out.contains("->"), "--quiet drops the notes: {out}");
}

#[test]
fn the_schedule_example_walks_the_lecture() {
    let (out, err, status) = run_example("schedule.sh", &[]);
    assert_eq!(status, 0, "{err}");
    // The lecture's round-robin, step by step.
    assert!(
        out.contains("| P1  | P2  | P3  | P1  |P2| P3  |P3|"),
        "{out}"
    );
    assert!(out.contains("at   6: queue P1 P2 P3 -> P1 runs 2"), "{out}");
    // Slices of 1, 5 and FCFS: 10, 2 and 2 context switches.
    assert!(out.contains("context switches: 10"), "{out}");
    // CFS with P3 at nice -5 runs P3 three times in a row.
    assert!(
        out.contains("| P1  | P2  | P3  | P3  |P3| P1  |P2|"),
        "{out}"
    );
    assert!(
        out.contains("at   6: tree P3(0.656) P1(2.000) P2(2.000) -> P3 runs 2"),
        "{out}"
    );
    // Priority-based round-robin.
    assert!(
        out.contains("| P2  | P3  |P2| P3  |P3| P1  | P1  |"),
        "{out}"
    );
}

#[test]
fn the_cooperative_example_walks_the_lecture() {
    let (out, err, status) = run_example("cooperative.sh", &[]);
    assert_eq!(status, 0, "{err}");
    let nocoop = out.find("Thread 1 finished!\nThread 2 created!").unwrap();
    let coop = out
        .find("Thread 1 created!\nThread 1: step 0\nThread 2 created!")
        .unwrap();
    assert!(nocoop < coop, "{out}");
    assert!(
        out.contains("Thread 2: step 2\nThread 1 finished!\nThread 2 finished!"),
        "{out}"
    );
    assert!(
        out.contains("Thread 3: step 1\nThread 1 finished!"),
        "{out}"
    );
}
