//! What the bits of a `waitpid` status mean. One decoder, shared by `$?`,
//! the job notices, explain mode and the lab demos, so that all of them
//! read the kernel's word the same way.
//!
//! The kernel packs a child's news into one `int`: the low 7 bits hold the
//! signal that killed it (0: none, 0x7f: it only stopped), bit 7 says a
//! core was dumped, and the next byte holds the exit code (or the signal
//! that stopped it). `0xffff` means continued. The C macros below
//! (`WIFEXITED`, `WTERMSIG`…) are how a program asks.

/// A decoded wait status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitBits {
    /// `WIFEXITED`: it called `exit(code)`; `WEXITSTATUS` is the code.
    Exited(i32),
    /// `WIFSIGNALED`: a signal killed it; `WTERMSIG`, and `WCOREDUMP`.
    Signaled { signal: i32, core_dumped: bool },
    /// `WIFSTOPPED`: a signal stopped it (`WSTOPSIG`); only reported to a
    /// `waitpid` with `WUNTRACED`.
    Stopped(i32),
    /// `WIFCONTINUED`: SIGCONT resumed it; only with `WCONTINUED`.
    Continued,
}

impl WaitBits {
    /// Decodes a raw status as the C macros do.
    pub fn decode(raw: i32) -> WaitBits {
        if libc::WIFEXITED(raw) {
            WaitBits::Exited(libc::WEXITSTATUS(raw))
        } else if libc::WIFSIGNALED(raw) {
            WaitBits::Signaled {
                signal: libc::WTERMSIG(raw),
                core_dumped: libc::WCOREDUMP(raw),
            }
        } else if libc::WIFSTOPPED(raw) {
            WaitBits::Stopped(libc::WSTOPSIG(raw))
        } else {
            WaitBits::Continued
        }
    }

    /// The value of `$?`: the exit code, or 128 plus the signal number (a
    /// stopped job too, as every POSIX shell reports it).
    pub fn shell_status(self) -> i32 {
        match self {
            WaitBits::Exited(code) => code,
            WaitBits::Signaled { signal, .. } | WaitBits::Stopped(signal) => 128 + signal,
            WaitBits::Continued => 0,
        }
    }

    /// The status spelled out in the macros' names, for people learning
    /// them: `status 0x0100: WIFEXITED, WEXITSTATUS = 1`.
    pub fn explain(raw: i32) -> String {
        let bits = match WaitBits::decode(raw) {
            WaitBits::Exited(code) => format!("WIFEXITED, WEXITSTATUS = {code}"),
            WaitBits::Signaled {
                signal,
                core_dumped,
            } => format!(
                "WIFSIGNALED, WTERMSIG = {signal} ({}){}",
                signal_name(signal),
                if core_dumped { ", core dumped" } else { "" }
            ),
            WaitBits::Stopped(signal) => {
                format!("WIFSTOPPED, WSTOPSIG = {signal} ({})", signal_name(signal))
            }
            WaitBits::Continued => "WIFCONTINUED".to_owned(),
        };
        format!("status {raw:#06x}: {bits}")
    }

    /// The course mini-shell's own report of a child that ended, where one
    /// applies: `Child process (pid 42) terminated normally, with exit
    /// code 1`.
    pub fn arena_line(self, pid: i32) -> Option<String> {
        match self {
            WaitBits::Exited(code) => Some(format!(
                "Child process (pid {pid}) terminated normally, with exit code {code}"
            )),
            _ => None,
        }
    }
}

/// A signal's name, `SIGKILL`, or `signal 64` for one without a name.
pub fn signal_name(signal: i32) -> String {
    crate::signals::name(signal).map_or_else(|| format!("signal {signal}"), |n| format!("SIG{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_second_byte() {
        assert_eq!(WaitBits::decode(0x0000), WaitBits::Exited(0));
        assert_eq!(WaitBits::decode(0x0100), WaitBits::Exited(1));
        assert_eq!(WaitBits::decode(0xff00), WaitBits::Exited(255));
        assert_eq!(WaitBits::decode(0xff00).shell_status(), 255);
        assert_eq!(
            WaitBits::explain(0x0100),
            "status 0x0100: WIFEXITED, WEXITSTATUS = 1"
        );
        assert_eq!(
            WaitBits::Exited(1).arena_line(4242).as_deref(),
            Some("Child process (pid 4242) terminated normally, with exit code 1")
        );
    }

    #[test]
    fn a_signal_is_the_low_seven_bits_and_bit_7_the_core() {
        let core = WaitBits::decode(0x008b);
        assert_eq!(
            core,
            WaitBits::Signaled {
                signal: libc::SIGSEGV,
                core_dumped: true
            }
        );
        assert_eq!(core.shell_status(), 139);
        assert_eq!(
            WaitBits::explain(0x008b),
            "status 0x008b: WIFSIGNALED, WTERMSIG = 11 (SIGSEGV), core dumped"
        );
        assert_eq!(
            WaitBits::decode(0x000b),
            WaitBits::Signaled {
                signal: libc::SIGSEGV,
                core_dumped: false
            }
        );
        assert_eq!(
            WaitBits::explain(0x000b),
            "status 0x000b: WIFSIGNALED, WTERMSIG = 11 (SIGSEGV)"
        );
        assert_eq!(WaitBits::decode(0x0009).shell_status(), 137);
        assert_eq!(
            WaitBits::explain(0x0009),
            "status 0x0009: WIFSIGNALED, WTERMSIG = 9 (SIGKILL)"
        );
        assert_eq!(
            WaitBits::Signaled {
                signal: 9,
                core_dumped: false
            }
            .arena_line(1),
            None
        );
    }

    #[test]
    fn stopped_and_continued() {
        // 0x7f in the low byte: stopped; the signal in the next byte.
        assert_eq!(WaitBits::decode(0x137f), WaitBits::Stopped(libc::SIGSTOP));
        assert_eq!(WaitBits::decode(0x147f), WaitBits::Stopped(libc::SIGTSTP));
        assert_eq!(WaitBits::decode(0x147f).shell_status(), 148);
        assert_eq!(
            WaitBits::explain(0x137f),
            "status 0x137f: WIFSTOPPED, WSTOPSIG = 19 (SIGSTOP)"
        );
        assert_eq!(WaitBits::decode(0xffff), WaitBits::Continued);
        assert_eq!(WaitBits::explain(0xffff), "status 0xffff: WIFCONTINUED");
    }
}
