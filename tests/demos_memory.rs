//! The memory and scheduling demos through the real shell: `cow`,
//! `clone`, `ctx-switch` and `pipe`, each run as a user would, with small
//! sizes, asserting on the `--json` report; and their lab scripts in
//! `examples/`.

mod common;

use common::{minishell, run_c, temp_dir};

/// The number after `"key":` in `json`, searching from the end of the
/// previous key of `path`: `number(json, &["read", "minor_faults"])` is
/// the `minor_faults` that follows `"read":`. Enough for the flat reports
/// of these demos, whose keys come in a fixed order.
fn number(json: &str, path: &[&str]) -> f64 {
    let text = raw(json, path);
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+')))
        .unwrap_or(text.len());
    text[..end]
        .parse()
        .unwrap_or_else(|_| panic!("{path:?} is not a number in {json}"))
}

/// The text right after `"key":` for the last key of `path`.
fn raw<'a>(json: &'a str, path: &[&str]) -> &'a str {
    let mut at = 0;
    for key in path {
        let pattern = format!("\"{key}\":");
        let found = json[at..]
            .find(&pattern)
            .unwrap_or_else(|| panic!("no {key} in {json}"));
        at += found + pattern.len();
    }
    &json[at..]
}

/// Runs `minishell -c LINE` and returns its standard output, checking that
/// the line succeeded.
fn demo(line: &str) -> String {
    let dir = temp_dir();
    let (out, err, status) = run_c(line, dir.path());
    assert_eq!(status, 0, "{line}: {err}");
    out
}

/// Runs `minishell examples/NAME` in a temporary directory.
fn example(name: &str) -> (String, String, i32) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let dir = temp_dir();
    let out = minishell()
        .arg(path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// The minor faults of a `cow` phase in its human output: the number
/// before "minor faults" on the line naming the phase.
fn faults_on(line: &str) -> i64 {
    let before = line.split("minor faults").next().unwrap();
    before
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no fault count in {line:?}"))
}

#[test]
fn every_demo_here_answers_help_and_rejects_bad_options() {
    for name in ["cow", "clone", "ctx-switch", "pipe"] {
        let out = demo(&format!("{name} --help"));
        assert!(out.starts_with(name), "{out}");
    }
    let dir = temp_dir();
    for line in [
        "cow --pages 0",
        "ctx-switch",
        "ctx-switch disk",
        "ctx-switch io --seconds 0",
        "pipe --atomic --size 0",
        "clone --no-such-option",
    ] {
        let (out, err, status) = run_c(line, dir.path());
        assert_eq!(status, 2, "{line}: {out}{err}");
        assert!(err.contains("error:"), "{line}: {err}");
    }
}

#[test]
fn cow_reads_fault_almost_never_and_writes_once_per_page() {
    let json = demo("cow --pages 1000 --json");
    assert_eq!(number(&json, &["pages"]), 1000.0, "{json}");
    let read = number(&json, &["read", "minor_faults"]);
    let write = number(&json, &["write", "minor_faults"]);
    assert!(read < 100.0, "read faults {read}: {json}");
    assert!(write >= 900.0, "write faults {write}: {json}");
    // The parent's first touch is demand paging: a fault per page too.
    assert!(number(&json, &["touch", "minor_faults"]) >= 900.0, "{json}");
    assert!(number(&json, &["write", "ms"]) > 0.0, "{json}");
}

#[test]
fn cow_prints_its_phases_and_quiet_drops_the_notice() {
    let out = demo("cow --pages 500");
    let write = out.lines().find(|l| l.contains("write")).unwrap();
    assert!(faults_on(write) >= 450, "{out}");
    assert!(out.contains("\n-> "), "{out}");
    let quiet = demo("cow --pages 500 --quiet");
    assert!(!quiet.contains("-> "), "{quiet}");
}

#[test]
fn clone_with_share_vm_sees_the_childs_write() {
    let json = demo("clone --share-vm --json");
    assert!(
        json.contains("\"flag_names\":\"CLONE_VM|SIGCHLD\""),
        "{json}"
    );
    assert!(json.contains("\"shared\":true"), "{json}");
    assert_eq!(number(&json, &["before"]), 0.0, "{json}");
    assert_eq!(number(&json, &["child_sees"]), 42.0, "{json}");
    assert_eq!(number(&json, &["parent_sees"]), 42.0, "{json}");
}

#[test]
fn clone_without_share_vm_does_not_see_it() {
    let json = demo("clone --json");
    assert!(json.contains("\"flag_names\":\"SIGCHLD\""), "{json}");
    assert!(json.contains("\"shared\":false"), "{json}");
    // The child did write, into its own copy.
    assert_eq!(number(&json, &["child_sees"]), 42.0, "{json}");
    assert_eq!(number(&json, &["parent_sees"]), 0.0, "{json}");
    assert!(
        json.contains("CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"),
        "the lab's fork flags: {json}"
    );
}

#[test]
fn ctx_switch_io_waits_and_cpu_is_preempted() {
    let io = demo("ctx-switch io --seconds 0.5 --json");
    let cpu = demo("ctx-switch cpu --seconds 0.5 --json");
    let (io_voluntary, io_nonvoluntary) = (
        number(&io, &["difference", "voluntary"]),
        number(&io, &["difference", "nonvoluntary"]),
    );
    // About one wait per byte, a byte a millisecond: hundreds. Leave room
    // for a loaded machine, where the feeder may fall behind.
    assert!(io_voluntary >= 50.0, "{io}");
    assert!(io_voluntary > io_nonvoluntary, "{io}");
    // The loop shares its CPU with a rival, so the scheduler must take it
    // away every time slice (a few ms): dozens in half a second, while the
    // waiting loop is hardly ever preempted.
    let cpu_nonvoluntary = number(&cpu, &["difference", "nonvoluntary"]);
    assert!(cpu_nonvoluntary > io_nonvoluntary, "cpu {cpu}\nio {io}");
    assert!(number(&cpu, &["rounds"]) > 0.0, "{cpu}");
}

#[test]
fn ctx_switch_reads_both_counters_before_and_after() {
    let out = demo("ctx-switch cpu --alone --seconds 0.1");
    assert!(out.contains("voluntary_ctxt_switches"), "{out}");
    assert!(out.contains("nonvoluntary_ctxt_switches"), "{out}");
    assert!(out.contains("no rival process"), "{out}");
}

#[test]
fn pipe_nonblock_reports_eagain_then_poll_waits_for_the_byte() {
    let json = demo("pipe --nonblock --delay 100 --json");
    assert!(json.contains("\"errno\":\"EAGAIN\""), "{json}");
    assert_eq!(
        number(&json, &["errno_number"]),
        f64::from(libc::EAGAIN),
        "{json}"
    );
    assert!(json.contains("\"byte\":\"a\""), "{json}");
    assert!(raw(&json, &["revents"]).starts_with("\"POLLIN"), "{json}");
    // The writer sleeps 100 ms before writing: poll waited about that long.
    assert!(number(&json, &["waited_ms"]) >= 50.0, "{json}");
}

#[test]
fn pipe_writes_up_to_pipe_buf_never_interleave() {
    for size in [512, 4096] {
        let json = demo(&format!("pipe --atomic --size {size} --json"));
        assert_eq!(number(&json, &["pipe_buf"]), 4096.0, "{json}");
        assert_eq!(number(&json, &["interleaved"]), 0.0, "{json}");
        // 4 writers, 64 records each, all read back whole.
        assert_eq!(number(&json, &["intact"]), 256.0, "{json}");
    }
}

#[test]
fn pipe_writes_of_64_kib_interleave() {
    let json = demo("pipe --atomic --size 65536 --json");
    assert_eq!(number(&json, &["bytes"]), (4 * 64 * 65536) as f64, "{json}");
    assert!(number(&json, &["interleaved"]) > 0.0, "{json}");
}

#[test]
fn pipe_without_options_runs_both_parts() {
    let json = demo("pipe --delay 10 --records 8 --json");
    assert!(json.contains("\"errno\":\"EAGAIN\""), "{json}");
    // Two runs: PIPE_BUF, then 64 KiB.
    assert!(
        raw(&json, &["atomic"]).starts_with("[{\"size\":4096"),
        "{json}"
    );
    assert!(json.contains("\"size\":65536"), "{json}");
}

#[test]
fn example_cow_shows_one_write_fault_per_page() {
    let (out, err, status) = example("cow.sh");
    assert_eq!(status, 0, "{err}");
    let writes: Vec<i64> = out
        .lines()
        .filter(|l| l.contains(" write ") && l.contains("minor faults"))
        .map(faults_on)
        .collect();
    let reads: Vec<i64> = out
        .lines()
        .filter(|l| l.contains(" read ") && l.contains("minor faults"))
        .map(faults_on)
        .collect();
    assert_eq!(writes.len(), 3, "{out}");
    assert!(writes[0] >= 131072 * 9 / 10, "{out}");
    assert!(writes[1] >= 900 && writes[2] >= 9000, "{out}");
    assert!(reads.iter().all(|&r| r < 100), "{out}");
}

#[test]
fn example_clone_shows_the_write_seen_only_with_clone_vm() {
    let (out, err, status) = example("clone.sh");
    assert_eq!(status, 0, "{err}");
    let seen = out.find("the child's write is seen").expect("seen");
    let unseen = out.find("the child's write is not seen").expect("not seen");
    assert!(unseen < seen, "{out}");
    // strace: the shell's fork has the lab's fork flags; the demo's clone
    // has exactly the flags it printed.
    assert!(
        out.contains("flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"),
        "{out}"
    );
    assert!(out.contains("flags=CLONE_VM|SIGCHLD)"), "{out}");
}

#[test]
fn example_ctx_switch_io_is_voluntary() {
    let (out, err, status) = example("ctx-switch.sh");
    assert_eq!(status, 0, "{err}");
    // The difference column of each table, in order: cpu, io, cpu alone.
    let differences = |name: &str| -> Vec<i64> {
        out.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.split_whitespace().nth(3)?.parse().ok())
            .collect()
    };
    let voluntary = differences("voluntary_ctxt_switches ");
    let nonvoluntary = differences("nonvoluntary_ctxt_switches ");
    assert_eq!((voluntary.len(), nonvoluntary.len()), (3, 3), "{out}");
    assert!(voluntary[1] > nonvoluntary[1], "io: {out}");
    assert!(nonvoluntary[0] > nonvoluntary[1], "cpu against io: {out}");
    // The lecture's way: the counters of the running demo, from /proc.
    assert!(out.contains("voluntary_ctxt_switches:\t"), "{out}");
}

#[test]
fn example_pipe_shows_eagain_and_where_writes_mix() {
    let (out, err, status) = example("pipe.sh");
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("errno = EAGAIN (11)"), "{out}");
    let interleaved = |size: &str| -> i64 {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("records of {size} bytes")))
            .unwrap_or_else(|| panic!("no {size} line in {out}"));
        let before = line.split(" interleaved").next().unwrap();
        before.split_whitespace().last().unwrap().parse().unwrap()
    };
    assert_eq!(interleaved("512"), 0, "{out}");
    assert_eq!(interleaved("4096"), 0, "{out}");
    assert!(interleaved("65536") > 0, "{out}");
    assert!(out.trim_end().ends_with("4096"), "getconf: {out}");
}
