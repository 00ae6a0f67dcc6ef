//! Signal names and numbers, as `kill -l` lists them and `kill -TERM` reads
//! them (Linux numbering).

/// Every standard signal by number, from `kill -l`.
pub const SIGNALS: &[(i32, &str)] = &[
    (1, "HUP"),
    (2, "INT"),
    (3, "QUIT"),
    (4, "ILL"),
    (5, "TRAP"),
    (6, "ABRT"),
    (7, "BUS"),
    (8, "FPE"),
    (9, "KILL"),
    (10, "USR1"),
    (11, "SEGV"),
    (12, "USR2"),
    (13, "PIPE"),
    (14, "ALRM"),
    (15, "TERM"),
    (16, "STKFLT"),
    (17, "CHLD"),
    (18, "CONT"),
    (19, "STOP"),
    (20, "TSTP"),
    (21, "TTIN"),
    (22, "TTOU"),
    (23, "URG"),
    (24, "XCPU"),
    (25, "XFSZ"),
    (26, "VTALRM"),
    (27, "PROF"),
    (28, "WINCH"),
    (29, "IO"),
    (30, "PWR"),
    (31, "SYS"),
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
        .find(|(_, n)| *n == bare)
        .map(|(number, _)| *number)
}

/// A signal's name without `SIG`: `15` → `TERM`.
pub fn name(number: i32) -> Option<&'static str> {
    SIGNALS
        .iter()
        .find(|(n, _)| *n == number)
        .map(|(_, name)| *name)
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
        for (n, _) in SIGNALS {
            assert_eq!(number(name(*n).unwrap()), Some(*n));
        }
    }
}
