//! The `sum-array` demo through the shell: every method gets the
//! sequential sum, with worker counts that do not divide the length, and
//! `all` reports medians with their spread.

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
    // First what it does before the clock starts, then the lab's lines.
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("making 1000 random ints"), "{out}");
    assert!(lines[1].starts_with("Array sum is "), "{out}");
    assert!(
        lines[2].starts_with("Time spent: ") && lines[2].ends_with(" ms"),
        "{out}"
    );
    assert_eq!(status, 0);
    assert_ne!(
        sum_of(&report("--len 1000 --seed 1")),
        sum_of(&report("--len 1000 --seed 2"))
    );
}

/// Each row of `all` is a median of its runs, shown with the fastest and
/// slowest, and its speedup is the loop's median over its own.
#[test]
fn all_rows_are_medians_with_their_spread() {
    let all = report("--len 100000 --method all --runs 3");
    assert_eq!(all["runs"], 3, "{all}");
    let sequential = all["sequential_ms"].as_f64().unwrap();
    for row in all["rows"].as_array().unwrap() {
        assert_eq!(row["runs"], 3, "{row}");
        let (min, ms, max) = (
            row["min_ms"].as_f64().unwrap(),
            row["ms"].as_f64().unwrap(),
            row["max_ms"].as_f64().unwrap(),
        );
        assert!(min <= ms && ms <= max, "{row}");
        let spread = row["spread_pct"].as_f64().unwrap();
        if ms > 0.0 {
            assert!((spread - 100.0 * (max - min) / ms).abs() < 0.01, "{row}");
            let speedup = row["speedup"].as_f64().unwrap();
            assert!((speedup - sequential / ms).abs() < 0.01, "{row}");
        }
    }
}

/// The lab's Python threads under the GIL still give the right sum.
#[test]
fn the_gil_gives_the_right_sum() {
    let sequential = report("--len 400000");
    let four = report("--len 400000 --method gil -n 4");
    assert_eq!(sum_of(&four), sum_of(&sequential));
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
