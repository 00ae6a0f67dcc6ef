//! The `sum-array` demo through the shell: every method gets the
//! sequential sum, with worker counts that do not divide the length; the
//! GIL variant is right but no faster than one worker.

mod common;

use common::{json, run_c, temp_dir};
use serde_json::Value;

/// The report of `sum-array --json ARGS`.
fn report(args: &str) -> Value {
    json(&format!("sum-array --json {args}"))
}

fn sum_of(report: &Value) -> i64 {
    report["rows"][0]["sum"].as_i64().unwrap()
}

#[test]
fn every_method_agrees_with_the_sequential_sum() {
    for len in [1, 999, 100_003] {
        let expected = sum_of(&report(&format!("--len {len} --seed 5")));
        for method in ["threads", "processes", "rayon", "gil"] {
            for workers in [1, 2, 3, 8] {
                let got = sum_of(&report(&format!(
                    "--len {len} --seed 5 --method {method} -n {workers}"
                )));
                assert_eq!(got, expected, "{method} x{workers}, len {len}");
            }
        }
    }
}

#[test]
fn all_runs_every_method_and_draws_the_table() {
    let all = report("--len 200000 --method all");
    let rows = all["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1 + 4 * 4);
    let first = rows[0]["sum"].as_i64();
    assert!(rows.iter().all(|r| r["sum"].as_i64() == first));
    let (out, _, _) = run_c("sum-array --len 200000 --method all", temp_dir().path());
    assert!(out.contains("speedup"), "{out}");
    assert!(out.contains("gil x8 |#"), "{out}");
}

#[test]
fn the_lab_lines_and_the_seed_are_kept() {
    let (out, _, status) = run_c("sum-array --len 1000 --seed 1 --quiet", temp_dir().path());
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("Array sum is "), "{out}");
    assert!(
        lines[1].starts_with("Time spent: ") && lines[1].ends_with(" ms"),
        "{out}"
    );
    assert_eq!(status, 0);
    assert_ne!(
        sum_of(&report("--len 1000 --seed 1")),
        sum_of(&report("--len 1000 --seed 2"))
    );
}

/// The lab's finding about Python threads: under one global lock, four
/// threads are no faster than one. (Compared generously: this is a
/// behaviour check on a noisy machine, not a benchmark.)
#[test]
fn the_gil_gives_the_right_sum_and_no_speedup() {
    let sequential = report("--len 4000000");
    let four = report("--len 4000000 --method gil -n 4");
    assert_eq!(sum_of(&four), sum_of(&sequential));
    // The fastest of three runs each, so that a busy machine slowing one
    // run does not decide the comparison.
    let fastest = |args: &str| {
        (0..3)
            .map(|_| report(args)["rows"][0]["ms"].as_f64().unwrap())
            .fold(f64::MAX, f64::min)
    };
    let one = fastest("--len 4000000 --method gil -n 1");
    let four = fastest("--len 4000000 --method gil -n 4");
    assert!(four > 0.6 * one, "gil x4 {four} ms vs x1 {one} ms");
}

#[test]
fn odd_sizes_are_refused_not_crashed_on() {
    for args in ["-n 0", "-n 300", "--len 2000000000", "--method nope"] {
        let (_, err, status) =
            common::run_c(&format!("sum-array {args}"), common::temp_dir().path());
        assert_eq!(status, 2, "{args}: {err}");
        assert!(err.starts_with("error: "), "{args}: {err}");
    }
}
