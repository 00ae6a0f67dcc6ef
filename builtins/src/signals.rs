//! Signal names, numbers and descriptions: as `kill -l` lists them, as
//! `kill -TERM` reads them, and in the words bash prints when one kills a
//! command (Linux numbering).

/// Every standard signal: number, name without `SIG`, and the words of
/// `strsignal`, which bash prints (`Segmentation fault`).
pub const SIGNALS: &[(i32, &str, &str)] = &[
    (1, "HUP", "Hangup"),
    (2, "INT", "Interrupt"),
    (3, "QUIT", "Quit"),
    (4, "ILL", "Illegal instruction"),
    (5, "TRAP", "Trace/breakpoint trap"),
    (6, "ABRT", "Aborted"),
    (7, "BUS", "Bus error"),
    (8, "FPE", "Floating point exception"),
    (9, "KILL", "Killed"),
    (10, "USR1", "User defined signal 1"),
    (11, "SEGV", "Segmentation fault"),
    (12, "USR2", "User defined signal 2"),
    (13, "PIPE", "Broken pipe"),
    (14, "ALRM", "Alarm clock"),
    (15, "TERM", "Terminated"),
    (16, "STKFLT", "Stack fault"),
    (17, "CHLD", "Child exited"),
    (18, "CONT", "Continued"),
    (19, "STOP", "Stopped (signal)"),
    (20, "TSTP", "Stopped"),
    (21, "TTIN", "Stopped (tty input)"),
    (22, "TTOU", "Stopped (tty output)"),
    (23, "URG", "Urgent I/O condition"),
    (24, "XCPU", "CPU time limit exceeded"),
    (25, "XFSZ", "File size limit exceeded"),
    (26, "VTALRM", "Virtual timer expired"),
    (27, "PROF", "Profiling timer expired"),
    (28, "WINCH", "Window changed"),
    (29, "IO", "I/O possible"),
    (30, "PWR", "Power failure"),
    (31, "SYS", "Bad system call"),
];

/// A signal named as `kill` takes it: `TERM`, `SIGTERM`, `term`, or `15`.
pub fn number(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (0..=64).contains(&n).then_some(n);
    }
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    SIGNALS
        .iter()
        .find(|(_, n, _)| *n == bare)
        .map(|(number, _, _)| *number)
}

/// A signal's name without `SIG`: `15` → `TERM`.
pub fn name(number: i32) -> Option<&'static str> {
    SIGNALS
        .iter()
        .find(|(n, _, _)| *n == number)
        .map(|(_, name, _)| *name)
}

/// A signal in words, as bash reports a command it killed: `Killed`.
pub fn words(number: i32) -> String {
    match SIGNALS.iter().find(|(n, _, _)| *n == number) {
        Some((_, _, words)) => (*words).to_owned(),
        None => format!("Unknown signal {number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_agree_with_libc() {
        assert_eq!(number("TERM"), Some(libc::SIGTERM));
        assert_eq!(number("sigkill"), Some(libc::SIGKILL));
        assert_eq!(number("TSTP"), Some(libc::SIGTSTP));
        assert_eq!(number("CONT"), Some(libc::SIGCONT));
        assert_eq!(number("9"), Some(9));
        assert_eq!(number("NOPE"), None);
        assert_eq!(name(libc::SIGSEGV), Some("SEGV"));
        assert_eq!(words(libc::SIGKILL), "Killed");
        for (n, _, _) in SIGNALS {
            assert_eq!(number(name(*n).unwrap()), Some(*n));
        }
    }
}
