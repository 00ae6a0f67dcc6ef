//! The workload: the processes as given on the command line, each
//! `NAME:BURST[:PRIORITY]`, and the checks on them.

/// The longest burst and time slice accepted: enough for any exercise,
/// and the Gantt chart stays printable.
pub const MAX_TIME: u32 = 1000;

/// One process of the workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub name: String,
    /// The CPU time it needs, in time units.
    pub burst: u32,
    /// Its nice value, -20 (highest priority) to 19 (lowest).
    pub priority: i32,
}

/// Reads `NAME:BURST[:PRIORITY]`, as `P1:4` or `P1:4:-5`.
pub fn parse(text: &str) -> Result<Process, String> {
    let fields: Vec<&str> = text.split(':').collect();
    let (name, burst, priority) = match fields[..] {
        [name, burst] => (name, burst, None),
        [name, burst, priority] => (name, burst, Some(priority)),
        _ => return Err("expected NAME:BURST[:PRIORITY], as P1:4 or P1:4:-5".into()),
    };
    let name_ok = (1..=8).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !name_ok {
        return Err(format!(
            "the name '{name}' is not 1 to 8 letters, digits or '_'"
        ));
    }
    let burst = match burst.parse::<u32>() {
        Ok(burst) if (1..=MAX_TIME).contains(&burst) => burst,
        _ => {
            return Err(format!(
                "the burst '{burst}' is not a whole number from 1 to {MAX_TIME}"
            ));
        }
    };
    let priority = match priority.map(str::parse::<i32>) {
        None => 0,
        Some(Ok(nice)) if (-20..=19).contains(&nice) => nice,
        Some(_) => {
            return Err(format!(
                "the priority '{}' is not a nice value from -20 to 19",
                priority.unwrap_or_default()
            ));
        }
    };
    Ok(Process {
        name: name.to_owned(),
        burst,
        priority,
    })
}

/// What clap cannot check one value at a time.
pub fn check(processes: &[Process]) -> Result<(), String> {
    if processes.is_empty() {
        return Err("no processes: give each as NAME:BURST[:PRIORITY], e.g. P1:4 P2:3 P3:5".into());
    }
    for (i, process) in processes.iter().enumerate() {
        if processes[..i].iter().any(|p| p.name == process.name) {
            return Err(format!("the name '{}' is given twice", process.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_parse_with_and_without_a_priority() {
        let p = parse("P1:4").unwrap();
        assert_eq!((p.name.as_str(), p.burst, p.priority), ("P1", 4, 0));
        let p = parse("P1:4:-5").unwrap();
        assert_eq!(p.priority, -5);
        for bad in [
            "P1", "P1:x", "P1:0", "P1:4:20", "P1:4:-21", "P1:4:0:1", ":4", "P/1:4",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("P1:x").unwrap_err().contains("burst 'x'"));
    }

    #[test]
    fn empty_and_duplicate_workloads_are_refused() {
        let workload = |words: &str| -> Vec<Process> {
            words
                .split_whitespace()
                .map(|w| parse(w).unwrap())
                .collect()
        };
        assert!(check(&[]).unwrap_err().contains("no processes"));
        assert!(check(&workload("A:1 A:2")).unwrap_err().contains("twice"));
        assert!(check(&workload("A:1 B:2")).is_ok());
    }
}
