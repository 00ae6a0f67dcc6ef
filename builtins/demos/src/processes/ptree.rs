//! `ptree`: the process tree under the shell, or under any PID, read from
//! `/proc` as `ps -e -H -o pid,ppid,stat,cmd` reads it. Also the one place
//! the process demos parse `/proc/PID/stat`.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::Path;

use clap::Parser;
use nix::unistd::getppid;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, options};

const HELP: &str = include_str!("ptree.txt");

#[derive(Parser)]
#[command(name = "ptree", override_help = HELP)]
struct Options {
    #[arg(short = 'T')]
    threads: bool,
    pid: Option<i32>,
    #[command(flatten)]
    output: Output,
}

/// The fields of `/proc/PID/stat` the process demos read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stat {
    pub pid: i32,
    /// The name in parentheses: the executable's name, or what prctl set.
    pub comm: String,
    /// R, S, D, T, Z…
    pub state: char,
    pub ppid: i32,
}

impl Stat {
    /// Reads `/proc/PID/stat`, or `/proc/PID/task/TID/stat` for a thread.
    pub fn read(path: &Path) -> io::Result<Stat> {
        let text = std::fs::read_to_string(path)?;
        Stat::parse(&text).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad stat"))
    }

    /// `PID (COMM) STATE PPID …`. COMM may itself hold spaces and `)`, so
    /// it ends at the last `)`.
    fn parse(text: &str) -> Option<Stat> {
        let open = text.find('(')?;
        let close = text.rfind(')')?;
        let mut rest = text.get(close + 1..)?.split_whitespace();
        Some(Stat {
            pid: text[..open].trim().parse().ok()?,
            comm: text.get(open + 1..close)?.to_owned(),
            state: rest.next()?.chars().next()?,
            ppid: rest.next()?.parse().ok()?,
        })
    }

    /// The stat of process `pid`.
    pub fn of(pid: i32) -> io::Result<Stat> {
        Stat::read(Path::new(&format!("/proc/{pid}/stat")))
    }
}

/// A process's command line as ps prints it: the arguments joined by
/// spaces, or `[comm]` when it has none (kernel threads, zombies).
pub(super) fn command_line(pid: i32, comm: &str) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let words: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    if words.is_empty() {
        format!("[{comm}]")
    } else {
        words.join(" ")
    }
}

#[derive(Debug, Serialize)]
struct Report {
    root: i32,
    /// Depth-first, each process before its children, siblings by PID.
    processes: Vec<Process>,
}

#[derive(Debug, Serialize)]
struct Process {
    pid: i32,
    ppid: i32,
    state: char,
    command: String,
    /// 0 for the root, 1 for its children…
    depth: usize,
    /// With -T: every task of the process, the first one's LWP = PID.
    #[serde(skip_serializing_if = "Option::is_none")]
    threads: Option<Vec<Thread>>,
}

#[derive(Debug, Serialize)]
struct Thread {
    lwp: i32,
    state: char,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let root = options.pid.unwrap_or_else(|| getppid().as_raw());
    let report = match measure(root, options.threads) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice: [&str; 2] = if options.threads {
        [
            "each thread is a task of its own with its own LWP id; the first one's LWP is the PID",
            "the threads of a process share its PID, PPID and command line",
        ]
    } else {
        [
            "each process is indented under its parent: its PPID is that line's PID",
            "Z: exited but not yet waited for; orphans are listed under their adopter (ptree 1)",
        ]
    };
    emit(
        io,
        &options.output,
        &report,
        |r| human(r, options.threads),
        &notice,
    )
}

/// One snapshot of `/proc`, then a walk down from `root`.
fn measure(root: i32, threads: bool) -> Result<Report, String> {
    let all =
        snapshot().map_err(|e| format!("/proc: {}", minishell_builtins::errors::plain(&e)))?;
    if !all.contains_key(&root) {
        return Err(format!("{root}: no such process"));
    }
    let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
    for stat in all.values() {
        children.entry(stat.ppid).or_default().push(stat.pid);
    }
    let mut processes = Vec::new();
    // A PID reused while /proc was read could make a loop; visit each once.
    let mut seen = BTreeSet::new();
    let mut stack = vec![(root, 0)];
    while let Some((pid, depth)) = stack.pop() {
        let Some(stat) = all.get(&pid) else { continue };
        if !seen.insert(pid) {
            continue;
        }
        processes.push(Process {
            pid,
            ppid: stat.ppid,
            state: stat.state,
            command: command_line(pid, &stat.comm),
            depth,
            threads: threads.then(|| tasks(pid)),
        });
        // Pushed in reverse so the lowest PID comes out first.
        for child in children.get(&pid).into_iter().flatten().rev() {
            stack.push((*child, depth + 1));
        }
    }
    Ok(Report { root, processes })
}

/// Every process's stat, by PID. One that ends while we read is skipped.
fn snapshot() -> io::Result<BTreeMap<i32, Stat>> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if let Ok(stat) = Stat::read(&entry.path().join("stat")) {
            all.insert(pid, stat);
        }
    }
    Ok(all)
}

/// The threads of `pid`, from `/proc/PID/task`, by LWP id.
fn tasks(pid: i32) -> Vec<Thread> {
    let mut threads: Vec<Thread> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Stat::read(&entry.path().join("stat")).ok())
        .map(|stat| Thread {
            lwp: stat.pid,
            state: stat.state,
        })
        .collect();
    threads.sort_by_key(|t| t.lwp);
    threads
}

fn human(report: &Report, threads: bool) -> String {
    let mut text = if threads {
        format!("{:>7} {:>7} {:>7} STAT CMD\n", "PID", "PPID", "LWP")
    } else {
        format!("{:>7} {:>7} STAT CMD\n", "PID", "PPID")
    };
    for p in &report.processes {
        let indent = "  ".repeat(p.depth);
        let defunct = if p.state == 'Z' { " <defunct>" } else { "" };
        let command = format!("{indent}{}{defunct}", p.command);
        match &p.threads {
            // A process that ended after the snapshot has no tasks left.
            Some(tasks) if tasks.is_empty() => text.push_str(&format!(
                "{:>7} {:>7} {:>7} {:<4} {command}\n",
                p.pid, p.ppid, "-", p.state
            )),
            Some(tasks) => {
                for t in tasks {
                    text.push_str(&format!(
                        "{:>7} {:>7} {:>7} {:<4} {command}\n",
                        p.pid, p.ppid, t.lwp, t.state
                    ));
                }
            }
            _ => text.push_str(&format!(
                "{:>7} {:>7} {:<4} {command}\n",
                p.pid, p.ppid, p.state
            )),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_parses_a_comm_with_spaces_and_parentheses() {
        let stat = Stat::parse("42 (a b) c)) Z 7 42 42 0 -1").unwrap();
        assert_eq!(
            stat,
            Stat {
                pid: 42,
                comm: "a b) c)".to_owned(),
                state: 'Z',
                ppid: 7
            }
        );
        assert!(Stat::parse("42 (x").is_none());
    }

    #[test]
    fn the_tree_under_this_process_starts_with_it() {
        let me = std::process::id() as i32;
        let report = measure(me, true).unwrap();
        assert_eq!(report.processes[0].pid, me);
        assert_eq!(report.processes[0].depth, 0);
        let threads = report.processes[0].threads.as_ref().unwrap();
        assert!(threads.iter().any(|t| t.lwp == me));
    }
}
