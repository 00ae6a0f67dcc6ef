//! What a demo's forked child may do before `execve` or `_exit`. Code here
//! runs in the child, where only async-signal-safe work is allowed: no
//! allocation, no locks, no `println!`, no `unwrap`. Everything it needs
//! (paths, argv, descriptors) is built by the parent before the fork.
//!
//! Two tools: [`Line`], a report line formatted on the stack and written
//! with one `write(2)`; and [`Relaunch`], the lab binary prepared to be
//! exec'd under a demo's name with hidden arguments, for a child that has
//! real work to do (allocate, start threads, print): after `execve` it is
//! a fresh program, and the rule no longer binds it.

use std::ffi::{CString, c_char};
use std::os::fd::{BorrowedFd, RawFd};

use minishell_builtins::stack_text::StackText;
use nix::unistd::{ForkResult, Pid, fork};

/// A line of text and numbers built in a fixed buffer (the shell's own
/// [`StackText`]): formatting it never allocates, so a forked child may
/// report with it.
pub struct Line(StackText<256>);

impl Default for Line {
    fn default() -> Line {
        Line::new()
    }
}

impl Line {
    pub fn new() -> Line {
        Line(StackText::new(0))
    }

    /// Appends `text`, cut short if the buffer is full.
    pub fn text(&mut self, text: &str) -> &mut Line {
        self.0.push(text.as_bytes());
        self
    }

    /// Appends `n` in decimal.
    pub fn int(&mut self, n: i64) -> &mut Line {
        self.0.push_number(n);
        self
    }

    /// The line so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.bytes()
    }

    /// Writes the line with `write(2)`, retrying on EINTR and after a
    /// short write; false if the descriptor refused it.
    pub fn write_to(&self, fd: RawFd) -> bool {
        // SAFETY: the caller's descriptor stays open during the call.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let mut rest = self.as_bytes();
        while !rest.is_empty() {
            match nix::unistd::write(fd, rest) {
                Ok(n) => rest = &rest[n..],
                Err(nix::errno::Errno::EINTR) => {}
                Err(_) => return false,
            }
        }
        true
    }
}

/// The lab binary, ready to be exec'd as demo `name` with `args`: the
/// path, argv and the message for a failed exec, all built up front.
pub struct Relaunch {
    path: CString,
    /// Kept alive for `argv`, which points into them.
    _words: Vec<CString>,
    argv: Vec<*const c_char>,
    failed: Vec<u8>,
}

impl Relaunch {
    /// The lab binary (this very program, /proc/self/exe) as demo `name`.
    pub fn new(name: &str, args: &[String]) -> Result<Relaunch, String> {
        let mut words = Vec::with_capacity(args.len() + 1);
        for word in std::iter::once(name).chain(args.iter().map(String::as_str)) {
            words.push(CString::new(word).map_err(|_| format!("{word:?}: a NUL byte"))?);
        }
        let mut argv: Vec<*const c_char> = words.iter().map(|w| w.as_ptr()).collect();
        argv.push(std::ptr::null());
        Ok(Relaunch {
            path: c"/proc/self/exe".to_owned(),
            _words: words,
            argv,
            failed: format!("minishell: {name}: cannot exec the lab binary\n").into_bytes(),
        })
    }

    /// Another program, `path` run with `argv` (its `argv[0]` first): the
    /// spawn demo traces the shell itself this way.
    pub fn program(path: &std::path::Path, argv: &[String]) -> Result<Relaunch, String> {
        use std::os::unix::ffi::OsStrExt;
        let path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| format!("{}: a NUL byte", path.display()))?;
        let mut words = Vec::with_capacity(argv.len());
        for word in argv {
            words.push(CString::new(word.as_str()).map_err(|_| format!("{word:?}: a NUL byte"))?);
        }
        let mut pointers: Vec<*const c_char> = words.iter().map(|w| w.as_ptr()).collect();
        pointers.push(std::ptr::null());
        let failed = format!("minishell: cannot exec {}\n", path.to_string_lossy()).into_bytes();
        Ok(Relaunch {
            path,
            _words: words,
            argv: pointers,
            failed,
        })
    }

    /// Forks a child that moves `fds` into place (each `(from, to)` by
    /// dup2, which also clears close-on-exec on `to`) and execs the lab
    /// binary. Only async-signal-safe calls happen between the two.
    pub fn spawn(&self, fds: &[(RawFd, RawFd)]) -> nix::Result<Pid> {
        // SAFETY: the child calls only dup2, execv, write and _exit on
        // memory prepared before the fork.
        match unsafe { fork() }? {
            ForkResult::Child => {
                for &(from, to) in fds {
                    // SAFETY: dup2 takes two integers.
                    unsafe { libc::dup2(from, to) };
                }
                // SAFETY: as above; never returns.
                unsafe { self.exec() }
            }
            ForkResult::Parent { child } => Ok(child),
        }
    }

    /// Replaces the calling process with the lab binary; on failure writes
    /// the prepared message to standard error and exits with 127.
    ///
    /// # Safety
    /// Async-signal-safe: callable in a forked child.
    pub unsafe fn exec(&self) -> ! {
        // SAFETY: path and argv are NUL-terminated strings and a
        // null-terminated array that outlive the call.
        unsafe {
            libc::execv(self.path.as_ptr(), self.argv.as_ptr());
            libc::write(2, self.failed.as_ptr().cast(), self.failed.len());
            libc::_exit(127)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Line;

    #[test]
    fn a_line_formats_text_and_numbers_in_place() {
        let mut line = Line::new();
        line.text("child ")
            .int(4242)
            .text(" ")
            .int(-7)
            .text(" ")
            .int(0);
        assert_eq!(line.as_bytes(), b"child 4242 -7 0");
        let mut long = Line::new();
        for _ in 0..300 {
            long.text("x");
        }
        assert_eq!(long.as_bytes().len(), 256, "cut at the buffer's end");
    }
}
