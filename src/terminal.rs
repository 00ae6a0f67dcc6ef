//! Job control's side of the terminal: who may read from it. An
//! interactive shell puts each job in a process group of its own and hands
//! the terminal to the foreground one (tcsetpgrp), so Ctrl-C and Ctrl-Z
//! reach that job and not the shell; when the job ends or stops, the shell
//! takes the terminal back and restores its own modes.

use std::os::fd::BorrowedFd;

use nix::sys::signal::Signal;
use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};
use nix::unistd::{Pid, getpgrp, getpid, tcgetpgrp};

use crate::sys::{kill, setpgid, tcsetpgrp};

/// The terminal the shell controls, and how the shell left it.
pub struct Terminal {
    /// The shell's own process group, which owns the terminal at a prompt.
    pub shell_pgid: Pid,
    /// The group that owned the terminal before the shell took it (the
    /// shell that started minishell), given back at exit.
    original_pgid: Pid,
    /// The shell's terminal modes, restored after each foreground job (a
    /// program such as vim may leave the terminal in raw mode).
    modes: Termios,
}

/// The terminal is standard input; it stays open as long as the shell.
pub const TTY: i32 = 0;

fn tty() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 is the terminal for the life of an interactive
    // shell; it is only queried and configured here, never closed.
    unsafe { BorrowedFd::borrow_raw(TTY) }
}

impl Terminal {
    /// Takes control of the terminal at start, as POSIX shells do: wait to
    /// be in the foreground (stopping until then, if started in another
    /// shell's background: SIGTTIN is still at its default, stop), move
    /// into a process group of our own, and make it the terminal's
    /// foreground group. `None` when the terminal refuses.
    pub fn claim() -> Option<Terminal> {
        let original_pgid = loop {
            let owner = tcgetpgrp(tty()).ok()?;
            let ours = getpgrp();
            if owner == ours {
                break owner;
            }
            // Not in the foreground: stop until a parent shell says `fg`.
            let _ = kill(-ours.as_raw(), Some(Signal::SIGTTIN));
        };
        let pid = getpid();
        // Fails harmlessly when the shell already leads its session.
        let _ = setpgid(pid, pid);
        let shell_pgid = getpgrp();
        tcsetpgrp(tty(), shell_pgid).ok()?;
        let modes = tcgetattr(tty()).ok()?;
        Some(Terminal {
            shell_pgid,
            original_pgid,
            modes,
        })
    }

    /// Makes job group `pgid` the foreground: the terminal's keys signal it.
    pub fn give_to(&self, pgid: i32) {
        let _ = tcsetpgrp(tty(), Pid::from_raw(pgid));
    }

    /// Takes the terminal back after a foreground job; returns the modes
    /// the job left, to give back to it if it stopped and is continued.
    pub fn take_back(&self) -> Option<Termios> {
        let _ = tcsetpgrp(tty(), self.shell_pgid);
        let job_modes = tcgetattr(tty()).ok();
        let _ = tcsetattr(tty(), SetArg::TCSADRAIN, &self.modes);
        job_modes
    }

    /// Gives the terminal back to the group that had it before the shell,
    /// when the shell leaves.
    pub fn release(&self) {
        let _ = tcsetattr(tty(), SetArg::TCSADRAIN, &self.modes);
        let _ = tcsetpgrp(tty(), self.original_pgid);
    }

    /// Puts back the modes a stopped job had, before `fg` continues it.
    pub fn restore(&self, modes: &Termios) {
        let _ = tcsetattr(tty(), SetArg::TCSADRAIN, modes);
    }
}
