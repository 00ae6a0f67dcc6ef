//! Child statuses: what `waitpid` reports, decoded into `$?` and into the
//! words bash prints when a command dies of a signal.

use minishell_builtins::wait_status::WaitBits;

pub use minishell_builtins::Status;

/// The status of a command that could not be found (and the course
/// mini-shell's `Execution failed`).
pub const NOT_FOUND: Status = 127;
/// The status of a command that was found but could not be run.
pub const NOT_EXECUTABLE: Status = 126;
/// The status after a syntax error.
pub const SYNTAX_ERROR: Status = 2;

/// How a child ended, decoded from a wait status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildEnd {
    /// It called `exit(code)`: `WIFEXITED` and `WEXITSTATUS`.
    Exited(i32),
    /// A signal killed it: `WIFSIGNALED` and `WTERMSIG`, with `WCOREDUMP`.
    Signaled { signal: i32, core_dumped: bool },
}

impl ChildEnd {
    /// What a decoded `waitpid` status says of the end; `None` for a
    /// child that is still alive (stopped or continued).
    pub fn from_bits(bits: WaitBits) -> Option<ChildEnd> {
        match bits {
            WaitBits::Exited(code) => Some(ChildEnd::Exited(code)),
            WaitBits::Signaled {
                signal,
                core_dumped,
            } => Some(ChildEnd::Signaled {
                signal,
                core_dumped,
            }),
            _ => None,
        }
    }

    /// The same end as the decoder sees it.
    fn bits(self) -> WaitBits {
        match self {
            ChildEnd::Exited(code) => WaitBits::Exited(code),
            ChildEnd::Signaled {
                signal,
                core_dumped,
            } => WaitBits::Signaled {
                signal,
                core_dumped,
            },
        }
    }

    /// Killed by SIGINT: the user pressed Ctrl-C.
    pub fn interrupted() -> ChildEnd {
        ChildEnd::Signaled {
            signal: libc::SIGINT,
            core_dumped: false,
        }
    }

    /// The value of `$?`: the exit code, or 128 plus the signal number, as
    /// every POSIX shell reports a killed command.
    pub fn status(self) -> Status {
        self.bits().shell_status()
    }

    /// What bash prints when a foreground command dies of a signal, such as
    /// `Segmentation fault (core dumped)`. Nothing for SIGINT (the user
    /// pressed Ctrl-C and knows) and SIGPIPE (the normal end of
    /// `yes | head`).
    pub fn report(self) -> Option<String> {
        let ChildEnd::Signaled {
            signal,
            core_dumped,
        } = self
        else {
            return None;
        };
        if signal == libc::SIGINT || signal == libc::SIGPIPE {
            return None;
        }
        let words = signal_words(signal);
        Some(if core_dumped {
            format!("{words} (core dumped)")
        } else {
            words
        })
    }
}

/// A signal's description in bash's words (`strsignal`).
pub fn signal_words(signal: i32) -> String {
    minishell_builtins::signals::words(signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw statuses as the kernel encodes them, decoded the way `waitpid`
    /// callers do.
    fn decode(raw: i32) -> Option<ChildEnd> {
        ChildEnd::from_bits(WaitBits::decode(raw))
    }

    #[test]
    fn exit_codes_are_the_high_byte() {
        assert_eq!(decode(0x0000), Some(ChildEnd::Exited(0)));
        assert_eq!(decode(22 << 8), Some(ChildEnd::Exited(22)));
        assert_eq!(decode(22 << 8).unwrap().status(), 22);
    }

    #[test]
    fn signals_are_128_plus_n() {
        let segv = decode(libc::SIGSEGV | 0x80).unwrap();
        assert_eq!(
            segv,
            ChildEnd::Signaled {
                signal: libc::SIGSEGV,
                core_dumped: true
            }
        );
        assert_eq!(segv.status(), 139);
        assert_eq!(
            segv.report().as_deref(),
            Some("Segmentation fault (core dumped)")
        );
        let kill = decode(libc::SIGKILL).unwrap();
        assert_eq!(kill.status(), 137);
        assert_eq!(kill.report().as_deref(), Some("Killed"));
    }

    #[test]
    fn quiet_signals_and_exits_report_nothing() {
        assert_eq!(decode(libc::SIGPIPE).unwrap().report(), None);
        assert_eq!(decode(libc::SIGINT).unwrap().report(), None);
        assert_eq!(decode(1 << 8).unwrap().report(), None);
    }

    #[test]
    fn stopped_children_have_not_ended() {
        assert_eq!(decode(0x137f), None);
        assert_eq!(decode(0xffff), None);
    }

    #[test]
    fn exit_255_and_signals_without_a_core() {
        assert_eq!(decode(0xff00).unwrap().status(), 255);
        assert_eq!(decode(0x0100).unwrap().status(), 1);
        let segv = decode(libc::SIGSEGV).unwrap();
        assert_eq!(segv.status(), 139);
        assert_eq!(segv.report().as_deref(), Some("Segmentation fault"));
    }
}
