//! The fuzz targets' inputs, replayed on stable: every file under
//! `fuzz/corpus/TARGET/` (the seeds) and `fuzz/regressions/TARGET/` (each
//! input a fuzzer once broke the shell with, minimized) goes through the
//! same check as the target TARGET ([`minishell::fuzzing`]), so CI keeps
//! them passing without nightly or cargo-fuzz.

use std::path::Path;

/// The inputs of `dir`, sorted by name; none if it does not exist.
fn inputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let bytes = std::fs::read(e.path()).expect("a corpus file is readable");
            (e.path().display().to_string(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Runs the check of `target` on every input of its folders, and says
/// how many there were; a failure names the file. The checks run on a thread with a main thread's stack (8 MB
/// under Linux, where the fuzzer runs them), doubled for a debug build.
fn replay(target: &'static str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut all = inputs(&root.join("corpus").join(target));
    all.extend(inputs(&root.join("regressions").join(target)));
    let count = all.len();
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            for (name, bytes) in all {
                let outcome = std::panic::catch_unwind(|| check(&bytes));
                assert!(outcome.is_ok(), "{name} fails the {target} check");
            }
        })
        .expect("a thread starts")
        .join()
        .expect("every input passes");
    count
}

#[test]
fn parse_corpus_and_regressions() {
    assert!(replay("parse", minishell::fuzzing::parse) > 0);
}

#[test]
fn round_trip_corpus_and_regressions() {
    assert!(replay("round_trip", minishell::fuzzing::round_trip) > 0);
}

#[test]
fn expand_corpus_and_regressions() {
    assert!(replay("expand", minishell::fuzzing::expand) > 0);
}

#[test]
fn arith_corpus_and_regressions() {
    assert!(replay("arith", minishell::fuzzing::arith) > 0);
}
