//! The `spawn` demo through the shell: each method runs the command, the
//! traced call shows the processes it created and what they exec'd, `all`
//! compares the four at two resident sizes, and a command that cannot run
//! is a failure, not a crash.

mod common;

use common::{array, float, int, json, parse, run_c, run_example, temp_dir, text};
use serde_json::{Value, json};

const METHODS: [&str; 4] = ["fork-exec", "vfork", "posix-spawn", "system"];

/// Runs `minishell -c LINE` and reads the JSON report, the last line of its
/// output (the command's own output comes before it). Returns the report
/// and the shell's status.
fn report(line: &str) -> (Value, String, i32) {
    let (out, err, status) = run_c(line, temp_dir().path());
    let last = out.lines().last().unwrap_or_default();
    (parse(last), err, status)
}

/// The one method's report in a single-method run.
fn only_method(report: &Value) -> &Value {
    assert_eq!(array(&report["methods"]).len(), 1, "{report}");
    &report["methods"][0]
}

/// The programs a traced process ran: the paths of its execve calls that
/// succeeded.
fn ran(process: &Value) -> Vec<&str> {
    array(&process["execve"])
        .iter()
        .filter(|e| e["error"].is_null())
        .map(|e| text(&e["path"]))
        .collect()
}

#[test]
fn each_method_runs_true_and_times_it() {
    for method in METHODS {
        let (report, err, status) = report(&format!(
            "spawn --method {method} --runs 3 --json /bin/true"
        ));
        assert_eq!(status, 0, "{method}: {err}");
        assert_eq!(report["ok"], true);
        let timing = &only_method(&report)["timings"][0];
        assert_eq!(int(&timing["runs"]), 3, "{method}");
        assert!(float(&timing["median_ms"]) > 0.0, "{method}: {timing}");
        assert!(float(&timing["min_ms"]) <= float(&timing["median_ms"]));
        assert!(int(&timing["rss_kib"]) > 0);
        assert!(timing["failure"].is_null(), "{timing}");
    }
}

#[test]
fn the_trace_shows_who_called_execve_with_what() {
    for method in METHODS {
        let (report, err, status) = report(&format!(
            "spawn --method {method} --runs 1 --json /bin/true"
        ));
        assert_eq!(status, 0, "{err}");
        let method_report = only_method(&report);
        let trace = &method_report["traced"];
        if trace.is_null() {
            // ptrace refused here (say, the tests run under strace): the
            // demo says so instead of guessing.
            assert!(!text(&method_report["not_observed"]).is_empty());
            continue;
        }
        let processes = array(&trace["processes"]);
        let first = &processes[0];
        assert_eq!(first["parent"], trace["caller"], "{method}: {trace}");
        assert_eq!(text(&first["ended"]), "exited with 0");
        if method == "system" {
            // system() execs the shell first, with the command as one word
            // for -c; the shell then runs /bin/true, in place or in a child.
            let exec = &first["execve"][0];
            assert!(text(&exec["path"]).ends_with("/sh"), "{trace}");
            assert_eq!(exec["argv"], json!(["sh", "-c", "/bin/true"]));
            let all: Vec<&str> = processes.iter().flat_map(ran).collect();
            assert!(all.contains(&"/bin/true"), "{trace}");
        } else {
            // The others exec the command directly, in their only child.
            assert_eq!(processes.len(), 1, "{method}: {trace}");
            assert_eq!(ran(first), ["/bin/true"], "{method}");
            assert_eq!(first["execve"][0]["argv"], json!(["/bin/true"]));
        }
        let created_by = text(&first["created_by"]);
        match method {
            "fork-exec" => assert!(!created_by.contains("CLONE_VM"), "{created_by}"),
            "vfork" => {
                assert!(created_by.starts_with("vfork") || created_by.contains("CLONE_VFORK"))
            }
            _ => assert!(
                created_by.contains("CLONE_VM|CLONE_VFORK"),
                "{method}: {created_by}"
            ),
        }
    }
}

#[test]
fn execvp_tries_each_path_entry_in_turn() {
    let (report, err, status) =
        report("PATH=/no/such/dir:/usr/bin:/bin spawn --method fork-exec --runs 1 --json true");
    assert_eq!(status, 0, "{err}");
    let trace = &only_method(&report)["traced"];
    if trace.is_null() {
        return;
    }
    let execs = array(&trace["processes"][0]["execve"]);
    assert_eq!(text(&execs[0]["path"]), "/no/such/dir/true");
    assert_eq!(text(&execs[0]["error"]), "ENOENT");
    let last = execs.last().unwrap();
    assert!(text(&last["path"]).ends_with("/true"), "{execs:?}");
    assert!(last["error"].is_null(), "{last}");
    assert_eq!(last["argv"], json!(["true"]));
}

#[test]
fn words_after_the_command_are_its_own() {
    let (out, err, status) = run_c(
        "spawn --method posix-spawn --runs 1 --json /bin/echo --runs 'a b'",
        temp_dir().path(),
    );
    assert_eq!(status, 0, "{err}");
    // Once traced and once timed.
    assert!(out.starts_with("--runs a b\n--runs a b\n"), "{out}");
    let report = parse(out.lines().last().unwrap());
    assert_eq!(report["command"], json!(["/bin/echo", "--runs", "a b"]));
}

#[test]
fn all_compares_the_four_methods_at_two_resident_sizes() {
    let (report, err, status) =
        report("spawn --method all --runs 3 --large-ballast 16 --json /bin/true");
    assert_eq!(status, 0, "{err}");
    let methods = array(&report["methods"]);
    let names: Vec<&str> = methods.iter().map(|m| text(&m["method"])).collect();
    assert_eq!(names, METHODS);
    assert_eq!(report["ballast_mib"], json!([0, 16]));
    for phase in 0..2 {
        let ratios: Vec<f64> = methods
            .iter()
            .map(|m| float(&m["timings"][phase]["ratio_to_fastest"]))
            .collect();
        assert!(ratios.iter().all(|r| *r >= 1.0), "{ratios:?}");
        assert!(ratios.contains(&1.0), "the fastest is 1: {ratios:?}");
    }
    for method in methods {
        let small = int(&method["timings"][0]["rss_kib"]);
        let large = int(&method["timings"][1]["rss_kib"]);
        assert!(
            large >= small + 15 * 1024,
            "the ballast is resident: {small} {large}"
        );
        assert!(float(&method["timings"][1]["median_ms"]) > 0.0);
    }
}

#[test]
fn the_table_names_every_method() {
    let (out, err, status) = run_c(
        "spawn --method all --runs 3 --large-ballast 8 /bin/true",
        temp_dir().path(),
    );
    assert_eq!(status, 0, "{err}");
    let table = &out[out.find("time per call").expect("a table")..];
    assert!(table.contains("ballast 0 MiB"), "{table}");
    assert!(table.contains("ballast 8 MiB"), "{table}");
    for method in METHODS {
        let row = table.lines().find(|l| l.starts_with(method)).expect(method);
        // RSS, median and ratio at each of the two sizes.
        assert_eq!(row.split_whitespace().count(), 7, "{row}");
    }
    assert!(out.contains("-> "), "notes without --quiet");
}

#[test]
fn a_command_that_cannot_run_is_a_failure_not_a_crash() {
    let (report, err, status) =
        report("spawn --method all --runs 3 --large-ballast 0 --json /nonexistent");
    assert_eq!(status, 1, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("minishell: spawn: posix-spawn: run 1: posix_spawnp: ENOENT"),
        "{err}"
    );
    assert_eq!(report["ok"], false);
    for method in array(&report["methods"]) {
        let timing = &method["timings"][0];
        assert!(text(&timing["failure"]).starts_with("run 1: "), "{timing}");
        assert_eq!(int(&timing["runs"]), 0);
        assert!(timing["median_ms"].is_null(), "{timing}");
        let trace = &method["traced"];
        if !trace.is_null() {
            let failed = array(&trace["processes"])
                .iter()
                .flat_map(|p| array(&p["execve"]))
                .any(|e| text(&e["path"]) == "/nonexistent" && text(&e["error"]) == "ENOENT");
            assert!(failed, "{trace}");
        }
    }
    // The demo's own status reaches the shell; the shell goes on.
    let (out, _, status) = run_c(
        "spawn --method vfork --runs 2 --quiet /nonexistent; echo status $?",
        temp_dir().path(),
    );
    assert!(out.contains("failed at run 1: exited with 127"), "{out}");
    assert!(out.ends_with("status 1\n"), "{out}");
    assert_eq!(status, 0);
}

/// A command that leaves a process running in the background: the trace
/// lets go of it when the call returns, instead of following it to its
/// end (`sleep 2 &` once took the demo 2 s per traced call, and a daemon
/// for ever), and it runs on, neither stopped nor killed.
#[test]
fn a_background_grandchild_is_left_alone_when_the_call_returns() {
    let (report, err, status) = report(
        "spawn --method all --runs 1 --large-ballast 0 --json sh -c 'sleep 2 >/dev/null 2>&1 &'",
    );
    assert_eq!(status, 0, "{err}");
    for method in array(&report["methods"]) {
        let trace = &method["traced"];
        if trace.is_null() {
            continue; // ptrace refused: "not observed"
        }
        let left = array(&trace["left_alone"]);
        assert_eq!(left.len(), 1, "{trace}");
        assert!(array(&trace["killed"]).is_empty(), "{trace}");
        let pid = int(&left[0]);
        let process = array(&trace["processes"])
            .iter()
            .find(|p| int(&p["pid"]) == pid)
            .unwrap_or_else(|| panic!("{pid} not among the processes: {trace}"));
        assert!(process["ended"].is_null(), "{process}");
        // Still running, and not stopped: the SIGSTOP that let the tracer
        // detach was swallowed.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(')').next().unwrap_or_default().trim_start();
        assert!(
            state.starts_with('S') || state.starts_with('R'),
            "{pid}: {stat}"
        );
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

#[test]
fn a_ballast_the_allocator_refuses_is_an_error_not_an_abort() {
    // Under a 2 GiB address-space limit 4 GiB cannot be had.
    common::build_lab();
    let line = "spawn --ballast 4096 --method vfork --runs 1 /bin/true";
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 2097152 && exec "$0" -c "$1""#)
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .arg(line)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("minishell: spawn: ballast 4096 MiB: "),
        "{err}"
    );
    assert!(!err.contains("memory allocation"), "{err}");
}

#[test]
fn bare_it_runs_bin_true_with_every_method() {
    let report = json("spawn --runs 2 --large-ballast 0 --json");
    assert_eq!(
        report["command"],
        serde_json::json!(["/bin/true"]),
        "{report}"
    );
    let methods: Vec<&str> = array(&report["methods"])
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["fork-exec", "vfork", "posix-spawn", "system"],
        "{report}"
    );
    assert_eq!(report["ok"], true, "{report}");
}

#[test]
fn help_and_bad_options() {
    let (out, _, status) = run_c("spawn --help", temp_dir().path());
    assert!(
        out.starts_with("spawn [--method fork-exec|vfork|posix-spawn|system|all]"),
        "{out}"
    );
    assert_eq!(status, 0);
    for line in [
        "spawn --method nope /bin/true",
        "spawn --runs 0 /bin/true",
        // Once an abort: 10^6 MiB could not be allocated.
        "spawn --ballast 1000000 /bin/true",
        "spawn --large-ballast 16385 /bin/true",
        "spawn --ballast 18446744073709551615 /bin/true",
    ] {
        let (_, err, status) = run_c(line, temp_dir().path());
        assert_eq!(status, 2, "{line}: {err}");
        assert!(err.contains("error:"), "{line}: {err}");
    }
}

#[test]
fn the_example_walks_the_lab_task() {
    let (out, err, status) = run_example("spawn.sh", &[]);
    assert_eq!(status, 0, "{err}");
    if !out.contains("not observed") {
        assert!(
            out.contains(r#"execve("/bin/sh", ["sh", "-c", "sleep 0.01"]) = 0"#),
            "{out}"
        );
        assert!(
            out.contains(r#"execve("/no/such/dir/true", ["true"]) = -1 ENOENT"#),
            "{out}"
        );
        assert!(out.contains("CLONE_VM|CLONE_VFORK"), "{out}");
    }
    assert!(out.contains("ballast 128 MiB"), "{out}");
    for method in METHODS {
        assert!(
            out.lines().any(|l| l.starts_with(method)),
            "{method}: {out}"
        );
    }
}
