//! What `sum-array-bugs` prints for people, line by line as the run goes.

use super::{Kind, Mistake, Run};

/// The first line: who sums what, and which worker has the bug.
pub fn plan(run: &Run) -> String {
    let workers = match (run.kind, run.workers) {
        (Kind::Threads, 1) => "thread",
        (Kind::Threads, _) => "threads",
        (Kind::Processes, 1) => "child process",
        (Kind::Processes, _) => "child processes",
    };
    let bug = match (run.bug, run.buggy) {
        (Mistake::Segfault, _) => {
            format!("worker {} reads one element past the end", run.workers - 1)
        }
        (Mistake::Corruption, true) => "worker 0 first negates the other workers' parts".to_owned(),
        (Mistake::Corruption, false) => "no worker misbehaves".to_owned(),
    };
    format!(
        "[main] PID {}: {} {workers} sum {} ints (seed {}); {bug}",
        run.pid, run.workers, run.len, run.seed
    )
}

/// The right sum, once the main thread has it.
pub fn expected(run: &Run) -> String {
    format!(
        "expected sum, computed first by the main thread: {}",
        run.expected_sum
    )
}

/// How each worker ended, and the sum the main thread made of them.
pub fn ends(run: &Run) -> String {
    let mut text = String::new();
    for end in &run.ends {
        let pid = end.pid.map(|p| format!(" PID {p}")).unwrap_or_default();
        let how = match (end.exit_code, end.signal, end.signal_name) {
            (Some(code), _, _) => format!(" exited {code},"),
            (None, Some(signal), Some(name)) => format!(" killed by signal {signal} ({name}),"),
            _ => String::new(),
        };
        let partial = match end.partial_sum {
            Some(partial) => format!("partial sum {partial}"),
            None => "no sum".to_owned(),
        };
        text.push_str(&format!(
            "  worker {}{pid}: ints {}..{},{how} {partial}\n",
            end.index, end.start, end.end
        ));
    }
    let reported = run.ends.iter().filter(|e| e.partial_sum.is_some()).count();
    let obtained = run.obtained_sum.unwrap_or(0);
    text.push_str(&match run.bug {
        Mistake::Segfault => format!(
            "sum of the survivors: {obtained} from {reported} of {} workers; full sum {} ({:.1} ms)\n",
            run.workers, run.expected_sum, run.ms
        ),
        Mistake::Corruption => format!(
            "sum obtained: {obtained}; expected {}: {} ({:.1} ms)\n",
            run.expected_sum,
            if obtained == run.expected_sum {
                "right"
            } else {
                "wrong"
            },
            run.ms
        ),
    });
    text
}
