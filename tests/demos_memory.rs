//! The memory and scheduling demos through the real shell: `cow`,
//! `clone`, `ctx-switch` and `pipe`, each run as a user would, with small
//! sizes, asserting on the `--json` report; and their lab scripts in
//! `examples/`.

mod common;

use common::{array, int, json, run_c, run_example, temp_dir, text};

/// Runs `minishell -c LINE` and returns its standard output, checking that
/// the line succeeded.
fn demo(line: &str) -> String {
    let dir = temp_dir();
    let (out, err, status) = run_c(line, dir.path());
    assert_eq!(status, 0, "{line}: {err}");
    out
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
    let report = json("cow --pages 1000 --json");
    assert_eq!(int(&report["pages"]), 1000, "{report}");
    let read = int(&report["read"]["minor_faults"]);
    let write = int(&report["write"]["minor_faults"]);
    assert!(read < 100, "read faults {read}: {report}");
    assert!(write >= 900, "write faults {write}: {report}");
    // The parent's first touch is demand paging: a fault per page too.
    assert!(int(&report["touch"]["minor_faults"]) >= 900, "{report}");
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
    let report = json("clone --share-vm --json");
    assert_eq!(report["flag_names"], "CLONE_VM|SIGCHLD", "{report}");
    assert_eq!(report["shared"], true, "{report}");
    assert_eq!(int(&report["before"]), 0, "{report}");
    assert_eq!(int(&report["child_sees"]), 42, "{report}");
    assert_eq!(int(&report["parent_sees"]), 42, "{report}");
}

#[test]
fn clone_without_share_vm_does_not_see_it() {
    let report = json("clone --json");
    assert_eq!(report["flag_names"], "SIGCHLD", "{report}");
    assert_eq!(report["shared"], false, "{report}");
    // The child did write, into its own copy.
    assert_eq!(int(&report["child_sees"]), 42, "{report}");
    assert_eq!(int(&report["parent_sees"]), 0, "{report}");
}

#[test]
fn clone_traces_the_flags_of_fork_and_of_pthread_create() {
    let report = json("clone --json");
    // Where ptrace is refused (under strace, say) there is no trace.
    if !report["fork"]["not_observed"].is_null() {
        return;
    }
    let flags = |call: &str| -> Vec<String> {
        text(&report[call]["flags"])
            .split('|')
            .map(str::to_owned)
            .collect()
    };
    let fork = flags("fork");
    let thread = flags("pthread_create");
    assert!(fork.contains(&"SIGCHLD".to_owned()), "{report}");
    assert!(!fork.contains(&"CLONE_VM".to_owned()), "{report}");
    for shared in [
        "CLONE_VM",
        "CLONE_FS",
        "CLONE_FILES",
        "CLONE_SIGHAND",
        "CLONE_THREAD",
    ] {
        assert!(thread.contains(&shared.to_owned()), "{shared}: {report}");
    }
}

#[test]
fn ctx_switch_io_waits_and_cpu_is_preempted() {
    let io = json("ctx-switch io --seconds 0.5 --json")["runs"][0].clone();
    let cpu = json("ctx-switch cpu --seconds 0.5 --json")["runs"][0].clone();
    let (io_voluntary, io_nonvoluntary) = (
        int(&io["difference"]["voluntary"]),
        int(&io["difference"]["nonvoluntary"]),
    );
    // About one wait per byte, a byte a millisecond: hundreds. Leave room
    // for a loaded machine, where the feeder may fall behind.
    assert!(io_voluntary >= 50, "{io}");
    assert!(io_voluntary > io_nonvoluntary, "{io}");
    // The loop shares its CPU with a rival, so the scheduler must take it
    // away every time slice (a few ms): dozens in half a second, while the
    // waiting loop is hardly ever preempted.
    let cpu_nonvoluntary = int(&cpu["difference"]["nonvoluntary"]);
    assert!(cpu_nonvoluntary > io_nonvoluntary, "cpu {cpu}\nio {io}");
    assert!(int(&cpu["rounds"]) > 0, "{cpu}");
}

#[test]
fn ctx_switch_bare_runs_the_cpu_loop_then_the_io_loop() {
    let report = json("ctx-switch --seconds 0.1 --json");
    let modes: Vec<&str> = array(&report["runs"])
        .iter()
        .map(|run| run["mode"].as_str().unwrap())
        .collect();
    assert_eq!(modes, ["cpu", "io"], "{report}");
    // The cpu run's rival shared its CPU; the io run is no longer held there.
    assert!(report["runs"][0]["cpu"].is_u64(), "{report}");
    assert!(report["runs"][1]["cpu"].is_null(), "{report}");
}

#[test]
fn ctx_switch_reads_both_counters_before_and_after() {
    let out = demo("ctx-switch cpu --alone --seconds 0.1");
    assert!(out.contains("voluntary_ctxt_switches"), "{out}");
    assert!(out.contains("nonvoluntary_ctxt_switches"), "{out}");
    assert!(out.contains("no rival process"), "{out}");
}

/// The "what to notice" lines follow the numbers: `--alone` on a busy
/// machine once showed 503 nonvoluntary switches under a notice that said
/// there were few.
#[test]
fn ctx_switch_notices_state_the_switches_measured() {
    for line in [
        "ctx-switch cpu --alone --seconds 0.2",
        "ctx-switch io --seconds 0.2",
    ] {
        let out = demo(line);
        let difference = |name: &str| {
            out.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().last())
                .unwrap_or_else(|| panic!("no {name} row: {out}"))
                .to_owned()
        };
        let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("-> ")).collect();
        assert_eq!(notes.len(), 2, "{out}");
        let (voluntary, nonvoluntary) = (
            difference("voluntary_ctxt_switches"),
            difference("nonvoluntary_ctxt_switches"),
        );
        let first = if line.contains("cpu") {
            format!("-> {nonvoluntary} ")
        } else {
            format!("-> {voluntary} voluntary switches")
        };
        assert!(notes[0].starts_with(&first), "{first}: {out}");
        assert!(!out.contains("there are few"), "{out}");
    }
}

#[test]
fn pipe_nonblock_reports_eagain_then_poll_waits_for_the_byte() {
    let report = json("pipe --nonblock --delay 100 --json");
    let nonblock = &report["nonblock"];
    assert_eq!(nonblock["errno"], "EAGAIN", "{report}");
    assert_eq!(
        int(&nonblock["errno_number"]),
        i64::from(libc::EAGAIN),
        "{report}"
    );
    assert_eq!(nonblock["byte"], "a", "{report}");
    assert!(text(&nonblock["revents"]).starts_with("POLLIN"), "{report}");
}

#[test]
fn pipe_writes_up_to_pipe_buf_never_interleave() {
    for size in [512, 4096] {
        let report = json(&format!("pipe --atomic --size {size} --json"));
        assert_eq!(int(&report["pipe_buf"]), 4096, "{report}");
        let run = &report["atomic"][0];
        assert_eq!(int(&run["interleaved"]), 0, "{report}");
        // 4 writers, 64 records each, all read back whole.
        assert_eq!(int(&run["intact"]), 256, "{report}");
    }
}

#[test]
fn pipe_writes_of_64_kib_interleave() {
    let report = json("pipe --atomic --size 65536 --json");
    let run = &report["atomic"][0];
    assert_eq!(int(&run["bytes"]), 4 * 64 * 65536, "{report}");
    assert!(int(&run["interleaved"]) > 0, "{report}");
}

#[test]
fn pipe_without_options_runs_both_parts() {
    let report = json("pipe --delay 10 --records 8 --json");
    assert_eq!(report["nonblock"]["errno"], "EAGAIN", "{report}");
    // Two runs: PIPE_BUF, then 64 KiB.
    let sizes: Vec<i64> = array(&report["atomic"])
        .iter()
        .map(|run| int(&run["size"]))
        .collect();
    assert_eq!(sizes, [4096, 65536], "{report}");
}

#[test]
fn example_cow_shows_one_write_fault_per_page() {
    let (out, err, status) = run_example("cow.sh", &[]);
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
    let (out, err, status) = run_example("clone.sh", &[]);
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
    let (out, err, status) = run_example("ctx-switch.sh", &[]);
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
    let (out, err, status) = run_example("pipe.sh", &[]);
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
