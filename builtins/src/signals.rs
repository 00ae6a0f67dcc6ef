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

/// The first and last real-time signals on Linux, as glibc numbers them
/// for programs (32 and 33 are the C library's own).
pub const RTMIN: i32 = 34;
pub const RTMAX: i32 = 64;

/// A signal named as `kill` and `trap` take it: `TERM`, `SIGTERM`, `term`,
/// `15`, `RTMIN+3`, `SIGRTMAX-1`. `EXIT` (0) is the shell's own.
pub fn number(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (0..=RTMAX).contains(&n).then_some(n);
    }
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    if bare == "EXIT" {
        return Some(0);
    }
    let offset = |text: &str| -> Option<i32> {
        match text {
            "" => Some(0),
            _ => text.parse().ok(),
        }
    };
    if let Some(rest) = bare.strip_prefix("RTMIN") {
        let n = RTMIN + offset(rest.strip_prefix('+').unwrap_or(rest))?;
        return (RTMIN..=RTMAX).contains(&n).then_some(n);
    }
    if let Some(rest) = bare.strip_prefix("RTMAX") {
        let n = RTMAX - offset(rest.strip_prefix('-').unwrap_or(rest))?;
        return (RTMIN..=RTMAX).contains(&n).then_some(n);
    }
    SIGNALS
        .iter()
        .find(|(_, n, _)| *n == bare)
        .map(|(number, _, _)| *number)
}

/// A signal's name without `SIG`, as bash names it: `15` → `TERM`, `36` →
/// `RTMIN+2`, `0` → `EXIT`.
pub fn name(number: i32) -> Option<String> {
    match number {
        0 => Some("EXIT".to_owned()),
        RTMIN => Some("RTMIN".to_owned()),
        RTMAX => Some("RTMAX".to_owned()),
        n if (RTMIN..RTMIN + 16).contains(&n) => Some(format!("RTMIN+{}", n - RTMIN)),
        n if (RTMIN + 16..RTMAX).contains(&n) => Some(format!("RTMAX-{}", RTMAX - n)),
        n => SIGNALS
            .iter()
            .find(|(m, _, _)| *m == n)
            .map(|(_, name, _)| (*name).to_owned()),
    }
}

/// Every signal `kill -l` and `trap -l` list, with its number: the
/// standard ones, then the real-time ones.
pub fn all() -> Vec<(i32, String)> {
    SIGNALS
        .iter()
        .map(|(n, name, _)| (*n, (*name).to_owned()))
        .chain((RTMIN..=RTMAX).filter_map(|n| Some((n, name(n)?))))
        .collect()
}

/// `kill -l`'s table: `SIG`-prefixed names, numbered, five to a row.
pub fn table() -> String {
    let mut text = String::new();
    for (i, (number, name)) in all().iter().enumerate() {
        text.push_str(&format!("{number:2}) SIG{name}"));
        text.push(if i % 5 == 4 { '\n' } else { '\t' });
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
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
        assert_eq!(name(libc::SIGSEGV).as_deref(), Some("SEGV"));
        assert_eq!(name(36).as_deref(), Some("RTMIN+2"));
        assert_eq!(name(63).as_deref(), Some("RTMAX-1"));
        assert_eq!(number("SIGRTMIN+2"), Some(36));
        assert_eq!(number("rtmax"), Some(64));
        assert_eq!(number("EXIT"), Some(0));
        assert_eq!(words(libc::SIGKILL), "Killed");
        for (n, name) in all() {
            assert_eq!(number(&name), Some(n));
        }
    }
}
