//! How `schedule`'s results look for people: the header, the Gantt
//! chart, every decision with `--steps`, and the table of times.

use std::fmt::Write as _;

use super::{Algo, Report, gantt};

/// The report for people; with `steps`, one line per dispatch: what the
/// scheduler held, in the order it picks, and who ran for how long.
pub fn human(report: &Report, steps: bool) -> String {
    let algo = report.algorithm;
    let mut text = String::from(algo.title());
    if let Some(quantum) = report.quantum {
        let _ = write!(text, ", time slice {quantum}");
    }
    text.push_str("; every process arrives at time 0\n");
    let cells: Vec<(&str, u32, u32)> = report
        .gantt
        .iter()
        .map(|bar| (bar.process.as_str(), bar.start, bar.end))
        .collect();
    text.push_str(&gantt::chart(&cells));
    if steps {
        text.push('\n');
        for bar in &report.gantt {
            let _ = write!(text, "at {:>3}: {}", bar.start, algo.holder());
            for entry in &bar.ready {
                let _ = match (algo, entry.vruntime) {
                    (_, Some(vruntime)) => write!(text, " {}({vruntime:.3})", entry.process),
                    (Algo::Priority | Algo::PriorityRr, None) => {
                        let nice = report.processes.iter().find(|r| r.name == entry.process);
                        write!(
                            text,
                            " {}({})",
                            entry.process,
                            nice.map_or(0, |r| r.priority)
                        )
                    }
                    _ => write!(text, " {}", entry.process),
                };
            }
            let _ = writeln!(text, " -> {} runs {}", bar.process, bar.end - bar.start);
        }
    }
    text.push('\n');
    text.push_str(&table(report));
    let _ = writeln!(text, "context switches: {}", report.context_switches);
    text
}

/// The per-process table and the averages.
fn table(report: &Report) -> String {
    let width = report
        .processes
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max("average".len());
    let nice = report.algorithm != Algo::Fcfs && report.algorithm != Algo::Rr;
    let cfs = report.algorithm == Algo::Cfs;
    let mut text = format!("{:<width$}  burst", "process");
    if nice {
        text.push_str("  nice");
    }
    text.push_str("  response  waiting  turnaround");
    if cfs {
        text.push_str("  vruntime");
    }
    text.push('\n');
    for row in &report.processes {
        let _ = write!(text, "{:<width$}  {:>5}", row.name, row.burst);
        if nice {
            let _ = write!(text, "  {:>4}", row.priority);
        }
        let _ = write!(
            text,
            "  {:>8}  {:>7}  {:>10}",
            row.response, row.waiting, row.turnaround
        );
        if let Some(vruntime) = row.vruntime {
            let _ = write!(text, "  {vruntime:>8.3}");
        }
        text.push('\n');
    }
    let pad = if nice { 6 } else { 0 };
    let _ = writeln!(
        text,
        "{:<width$}  {:>5}{:pad$}  {:>8.2}  {:>7.2}  {:>10.2}",
        "average",
        "",
        "",
        report.average_response,
        report.average_waiting,
        report.average_turnaround
    );
    text
}
