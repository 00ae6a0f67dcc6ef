//! The sum-array benchmark: every method of the `sum-array` demo at the
//! lab's length, next to this machine's memory read bandwidth and to the
//! lab's C OpenMP reduction compiled with the strongest flags a C user
//! would reach for (`-O3 -march=native -fopenmp`).
//!
//! `cargo bench --bench sum_array` runs it; `SUM_ARRAY_LEN=N` and
//! `SUM_ARRAY_RUNS=R` shrink it. Reported times are medians of R runs.
//! Bars (printed, never asserted): the best method with all cores reaches
//! 90% of the all-core read bandwidth, and threads and rayon are no slower
//! than the C reference at any worker count.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use minishell_demos::threads::array::{LAB_LEN, random_ints, split};
use minishell_demos::threads::sum_array::{Method, sum_with};

const WORKERS: [usize; 4] = [1, 2, 4, 8];

fn main() {
    let len = env_number("SUM_ARRAY_LEN", LAB_LEN);
    let runs = env_number("SUM_ARRAY_RUNS", 7).max(1);
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    eprintln!("generating {len} ints...");
    let array = random_ints(len, 42);
    let bytes = (len * std::mem::size_of::<i32>()) as f64;
    let gbps = |ms: f64| bytes / (ms / 1000.0) / 1e9;

    let bandwidth_one = median(runs, || time_ms(|| stream_read(&array, 1)));
    let bandwidth_all = median(runs, || time_ms(|| stream_read(&array, cpus)));
    let reference = c_reference(&array, runs);

    println!(
        "sum-array, {len} ints ({:.0} MB), median of {runs} runs, {cpus} CPUs",
        bytes / 1e6
    );
    println!(
        "memory read bandwidth (streaming read): {:.1} GB/s with 1 thread, {:.1} GB/s with {cpus}\n",
        gbps(bandwidth_one),
        gbps(bandwidth_all)
    );
    println!(
        "{:<11} {:>7} {:>9} {:>7} {:>9} {:>10}  bar",
        "method", "workers", "ms", "GB/s", "C omp ms", "ratio/C"
    );
    let mut best_all_cores = f64::MAX;
    for method in Method::ALL {
        let counts: &[usize] = if method == Method::Sequential {
            &[1]
        } else {
            &WORKERS
        };
        for &workers in counts {
            eprint!("\r{:<11} x{workers}   ", method.name());
            let ms = median(runs, || {
                let start = Instant::now();
                let sum = sum_with(&array, method, workers).expect("sum");
                std::hint::black_box(sum);
                start.elapsed().as_secs_f64() * 1000.0
            });
            if workers >= cpus {
                best_all_cores = best_all_cores.min(ms);
            }
            let c_ms = reference
                .as_ref()
                .and_then(|r| r.iter().find(|(w, _)| *w == workers))
                .map(|(_, ms)| *ms);
            let (c_text, ratio, bar) = match c_ms {
                Some(c) => {
                    let ratio = ms / c;
                    let bar = match method {
                        Method::Threads | Method::Rayon => {
                            if ratio <= 1.0 {
                                "<=1.00 yes"
                            } else {
                                "<=1.00 no"
                            }
                        }
                        _ => "",
                    };
                    (format!("{c:.1}"), format!("{ratio:.2}x"), bar)
                }
                None => ("-".into(), "-".into(), ""),
            };
            println!(
                "{:<11} {:>7} {:>9.1} {:>7.1} {:>9} {:>10}  {bar}",
                method.name(),
                workers,
                ms,
                gbps(ms),
                c_text,
                ratio
            );
        }
    }
    eprintln!();
    let share = bandwidth_all / best_all_cores;
    println!(
        "\nbest method with all cores: {:.1} GB/s = {:.0}% of the read bandwidth (bar >= 90%: {})",
        gbps(best_all_cores),
        share * 100.0,
        if share >= 0.9 { "yes" } else { "no" }
    );
    if reference.is_none() {
        println!("(no C reference: `cc -fopenmp` is not available)");
    }
}

/// The machine's read bandwidth as the cheapest loop sees it: XOR every
/// 64-bit word of the array, split over `threads` threads.
fn stream_read(array: &[i32], threads: usize) -> u64 {
    // SAFETY: any 8 aligned bytes of i32s are a valid u64; align_to hands
    // the unaligned ends back as i32 slices, which are folded in too.
    let (head, words, tail) = unsafe { array.align_to::<u64>() };
    let edges = head.iter().chain(tail).fold(0u64, |acc, &x| acc ^ x as u64);
    std::thread::scope(|scope| {
        let handles: Vec<_> = split(words.len(), threads)
            .into_iter()
            .map(|part| scope.spawn(move || words[part].iter().fold(0u64, |acc, &w| acc ^ w)))
            .collect();
        handles
            .into_iter()
            .fold(edges, |acc, h| acc ^ h.join().unwrap_or(0))
    })
}

/// The lab's OpenMP reduction in C, compiled here when `cc` can, run on the
/// very same ints (written to a file it reads), with each worker count.
/// `None` when there is no compiler with OpenMP.
fn c_reference(array: &[i32], runs: usize) -> Option<Vec<(usize, f64)>> {
    let dir = tempfile_dir()?;
    let source = dir.join("sum.c");
    std::fs::write(&source, C_SOURCE).ok()?;
    let binary = dir.join("sum");
    let compiled = Command::new("cc")
        .args(["-O3", "-march=native", "-fopenmp", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .ok()?;
    if !compiled.success() {
        return None;
    }
    let data = dir.join("ints");
    let mut file = std::fs::File::create(&data).ok()?;
    // SAFETY: i32s are plain bytes; the slice's memory is valid for its length.
    let raw = unsafe {
        std::slice::from_raw_parts(array.as_ptr().cast::<u8>(), std::mem::size_of_val(array))
    };
    file.write_all(raw).ok()?;
    drop(file);
    let mut results = Vec::new();
    for workers in WORKERS {
        eprint!("\rC OpenMP    x{workers}   ");
        let out = Command::new(&binary)
            .arg(&data)
            .arg(array.len().to_string())
            .arg(workers.to_string())
            .arg(runs.to_string())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut times: Vec<f64> = text
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1)?.parse().ok())
            .collect();
        times.sort_by(f64::total_cmp);
        results.push((workers, *times.get(times.len() / 2)?));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Some(results)
}

/// The reference as a C user writes it: one `parallel for` with a `+`
/// reduction into a `long long`.
const C_SOURCE: &str = r#"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long n = atol(argv[2]);
    int threads = atoi(argv[3]), runs = atoi(argv[4]);
    int *a = malloc(n * sizeof(int));
    FILE *f = fopen(argv[1], "rb");
    if (!a || !f || fread(a, sizeof(int), n, f) != (size_t)n) return 1;
    omp_set_num_threads(threads);
    for (int r = 0; r < runs; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long long sum = 0;
        #pragma omp parallel for reduction(+:sum)
        for (long i = 0; i < n; i++) sum += a[i];
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%lld %.3f\n", sum, (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
    return 0;
}
"#;

fn tempfile_dir() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("sum-array-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

fn time_ms<T>(f: impl FnOnce() -> T) -> f64 {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed().as_secs_f64() * 1000.0
}

fn median(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    let mut times: Vec<f64> = (0..runs).map(|_| f()).collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
