//! Explain mode's voice: where the narration goes and how each line of it
//! is marked, `[explain 4242] fork() = 4243`, with the PID of the process
//! making the call, so it cannot be taken for a program's output.
//!
//! The narration has a descriptor of its own, a close-on-exec copy of
//! standard error (or the file of `--explain-to`) kept high above the
//! user's descriptors: a child narrating after `dup2(3, 2)` still reaches
//! the terminal, and no program inherits it. Every line is one `write(2)`,
//! so lines from the shell and its children interleave whole.
//!
//! Two process-wide atomics hold the state, as signal flags do: whether to
//! narrate, and where. A forked child reads them without a lock.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The narration's descriptor, or -1 before one is opened.
static SINK: AtomicI32 = AtomicI32::new(-1);
/// Whether the shell narrates now (`set -o explain`).
static ON: AtomicBool = AtomicBool::new(false);
/// Whether lines are dimmed: only on a terminal, and never with NO_COLOR.
static DIM: AtomicBool = AtomicBool::new(false);

/// The lowest number the narration's descriptor takes: far above the
/// descriptors scripts use (bash keeps its own at 255 for the same reason).
const SINK_FLOOR: RawFd = 200;

const DIM_ON: &[u8] = b"\x1b[2m";
const DIM_OFF: &[u8] = b"\x1b[0m";

/// Whether explain mode is on.
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Turns the narration on or off; on, it goes to standard error unless a
/// file was chosen before. `Err` when no descriptor could be had.
pub fn set(on: bool) -> Result<(), String> {
    if on && SINK.load(Ordering::Relaxed) < 0 {
        to_fd(2)?;
    }
    ON.store(on, Ordering::Relaxed);
    Ok(())
}

/// Narrates into `path` (`--explain-to FILE`), created or truncated.
pub fn to_file(path: &std::ffi::OsStr) -> Result<(), String> {
    use std::os::fd::IntoRawFd;
    let file = std::fs::File::create(path)
        .map_err(|e| format!("{}: {}", path.to_string_lossy(), crate::errors::plain(&e)))?;
    let fd = file.into_raw_fd();
    let result = to_fd(fd);
    // SAFETY: `fd` came from the file just opened; the narration holds its
    // own copy now.
    unsafe { libc::close(fd) };
    result
}

/// Narrates into a close-on-exec copy of `fd`, placed high.
fn to_fd(fd: RawFd) -> Result<(), String> {
    // SAFETY: fcntl on a descriptor number; the copy is owned by the
    // narration from here on.
    let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, SINK_FLOOR) };
    if copy < 0 {
        return Err(format!("explain: {}", nix::errno::Errno::last().desc()));
    }
    let old = SINK.swap(copy, Ordering::Relaxed);
    if old >= 0 {
        // SAFETY: the narration owned the old descriptor.
        unsafe { libc::close(old) };
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // SAFETY: isatty only queries the descriptor.
    let tty = unsafe { libc::isatty(copy) } == 1;
    DIM.store(tty && !no_color, Ordering::Relaxed);
    Ok(())
}

/// Whether `fd` is the narration's own descriptor (a redirection must not
/// take it, nor `exec` close it).
pub fn is_sink(fd: RawFd) -> bool {
    fd >= 0 && fd == SINK.load(Ordering::Relaxed)
}

/// Writes one line of narration about this process, if explaining.
pub fn say(text: &str) {
    if !on() {
        return;
    }
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() };
    let mut line = Vec::with_capacity(text.len() + 32);
    let dim = DIM.load(Ordering::Relaxed);
    if dim {
        line.extend_from_slice(DIM_ON);
    }
    line.extend_from_slice(format!("[explain {pid}] ").as_bytes());
    line.extend_from_slice(text.as_bytes());
    if dim {
        line.extend_from_slice(DIM_OFF);
    }
    line.push(b'\n');
    write_line(&line);
}

/// One `write(2)` of a whole line to the narration's descriptor.
fn write_line(line: &[u8]) {
    let fd = SINK.load(Ordering::Relaxed);
    if fd < 0 {
        return;
    }
    // SAFETY: write is async-signal-safe; the slice is valid for its
    // length. A short write of a narration line is let go.
    unsafe { libc::write(fd, line.as_ptr().cast(), line.len()) };
}

/// Lines a child will say between `fork` and `execve`, formatted before
/// the fork: the child may not allocate, so it only copies these bytes
/// (with its PID, and a result where the call has one) onto its stack and
/// writes each with one `write(2)`.
#[derive(Debug, Default)]
pub struct ChildLines {
    text: Vec<u8>,
    /// Where each line's text ends in `text`.
    ends: Vec<usize>,
}

/// A line a child may say: an index into its [`ChildLines`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineId(usize);

/// A line's place after the call it narrates: the text is split at the
/// result (`dup2(3, 1) = ` … `   stdout now …`).
pub const RESULT: &str = "\u{0}";

impl ChildLines {
    /// Adds a line; a `RESULT` mark in it is where the child puts the
    /// call's result.
    pub fn add(&mut self, text: &str) -> LineId {
        self.text.extend_from_slice(text.as_bytes());
        self.ends.push(self.text.len());
        LineId(self.ends.len() - 1)
    }

    /// Says line `id` from the child, with `result` in place of its mark
    /// and `tail` after it. Async-signal-safe: no allocation, a stack
    /// buffer, one write.
    pub fn say(&self, id: LineId, result: isize, tail: &[u8]) {
        if !on() {
            return;
        }
        let start = if id.0 == 0 { 0 } else { self.ends[id.0 - 1] };
        let Some(text) = self.text.get(start..self.ends[id.0]) else {
            return;
        };
        // Room is kept for the closing escape and newline.
        let mut line = crate::stack_text::StackText::<2048>::new(8);
        let dim = DIM.load(Ordering::Relaxed);
        if dim {
            line.push(DIM_ON);
        }
        line.push(b"[explain ");
        // SAFETY: getpid is async-signal-safe and cannot fail.
        line.push_number(i64::from(unsafe { libc::getpid() }));
        line.push(b"] ");
        for (i, part) in text.split(|&b| b == 0).enumerate() {
            if i > 0 {
                line.push_number(result as i64);
            }
            line.push(part);
        }
        line.push(tail);
        if dim {
            line.push_end(DIM_OFF);
        }
        line.push_end(b"\n");
        write_line(line.bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child's line: its PID, the text made before the fork, the
    /// result in place of the mark, the tail, in one write.
    #[test]
    fn a_child_line_is_composed_from_parts_made_before_the_fork() {
        let (reader, writer) = nix::unistd::pipe().unwrap();
        use std::os::fd::AsRawFd;
        to_fd(writer.as_raw_fd()).unwrap();
        drop(writer);
        set(true).unwrap();
        let mut lines = ChildLines::default();
        let first = lines.add(&format!("dup2(3, 1) = {RESULT}    # stdout → out"));
        let second = lines.add(&format!(
            "execve(\"/x\", [\"x\"], <0 environment variables>) = {RESULT}"
        ));
        lines.say(first, 1, b"");
        lines.say(second, -1, b" ENOENT (No such file or directory)");
        set(false).unwrap();
        // SAFETY: the test owns the sink it closes.
        unsafe { libc::close(SINK.swap(-1, Ordering::Relaxed)) };
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::fs::File::from(reader), &mut text).unwrap();
        let pid = std::process::id();
        assert_eq!(
            text,
            format!(
                "[explain {pid}] dup2(3, 1) = 1    # stdout → out\n\
                 [explain {pid}] execve(\"/x\", [\"x\"], <0 environment variables>) = -1 ENOENT (No such file or directory)\n"
            )
        );
    }
}
