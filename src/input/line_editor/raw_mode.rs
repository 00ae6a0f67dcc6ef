//! The terminal in raw mode while a line is read, and as it was the moment
//! after: every key reaches the editor at once, unechoed, Ctrl-C and
//! Ctrl-Z as bytes (0x03, 0x1a) rather than signals, Enter as `\r`.
//!
//! Bracketed paste is on for as long too: the terminal marks pasted text
//! (`ESC [ 200 ~` … `ESC [ 201 ~`), so that a pasted newline is text and
//! not Enter. A program that does not expect the marks would read them as
//! keys, so no command ever sees the mode on.
//!
//! The modes are the terminal's, shared with every program run in the
//! foreground, so they are put back before the line is handed over: the
//! command it holds runs with the terminal as it was. A guard restores
//! them when dropped, so an error or a panic leaves no raw terminal and
//! no bracketed paste.

use std::io;
use std::os::fd::BorrowedFd;

use nix::sys::termios::{
    ControlFlags, InputFlags, LocalFlags, SetArg, SpecialCharacterIndices, Termios, tcgetattr,
    tcsetattr,
};

use super::write_out;

fn stdin() -> BorrowedFd<'static> {
    // SAFETY: descriptor 0 stays open for the life of the shell; its modes
    // are only read and set here, it is never closed.
    unsafe { BorrowedFd::borrow_raw(0) }
}

/// Raw mode while it lives.
pub struct RawMode {
    cooked: Termios,
}

impl RawMode {
    pub fn enter() -> io::Result<RawMode> {
        let cooked = tcgetattr(stdin())?;
        let mut raw = cooked.clone();
        // No CR to NL (Enter comes as \r), no XON/XOFF (Ctrl-S and Ctrl-Q
        // are keys), no parity checks or stripping of the eighth bit (a
        // UTF-8 byte keeps it), no break as SIGINT.
        raw.input_flags &= !(InputFlags::BRKINT
            | InputFlags::ICRNL
            | InputFlags::INPCK
            | InputFlags::ISTRIP
            | InputFlags::IXON);
        raw.control_flags |= ControlFlags::CS8;
        // No echo, no line discipline, no Ctrl-V, no signals from keys:
        // the editor draws and decides everything.
        raw.local_flags &=
            !(LocalFlags::ECHO | LocalFlags::ICANON | LocalFlags::IEXTEN | LocalFlags::ISIG);
        // A read returns as soon as one byte is there. Output processing
        // (OPOST, \n written as \r\n) stays as it was.
        raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
        raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
        // TCSADRAIN: what was written before is out first; typed-ahead
        // input stays (TCSAFLUSH would throw it away).
        tcsetattr(stdin(), SetArg::TCSADRAIN, &raw)?;
        let mode = RawMode { cooked };
        write_out(PASTE_ON)?;
        Ok(mode)
    }
}

/// xterm's private mode 2004, bracketed paste, on and off.
const PASTE_ON: &str = "\x1b[?2004h";
const PASTE_OFF: &str = "\x1b[?2004l";

impl Drop for RawMode {
    fn drop(&mut self) {
        // Off before the modes go back: the drain below sends it out
        // before the command runs.
        let _ = write_out(PASTE_OFF);
        let _ = tcsetattr(stdin(), SetArg::TCSADRAIN, &self.cooked);
    }
}
