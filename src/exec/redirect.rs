//! Redirection scopes: a stack of frames, one per command, compound
//! command, function call or pipe that redirects, each saying where some of
//! the descriptors of everything inside it point. `{ a; b; } > out` pushes a
//! frame for fd 1 that both `a` and `b` see; `while …; done < in` one for
//! fd 0.
//!
//! Files are opened here, in the parent, before any fork, so an error is
//! reported once and nothing of the command runs. The frames then serve
//! two ways, and the shell's own descriptors 0, 1 and 2 never move:
//! - a builtin running in the shell asks where its descriptor points
//!   ([`Redirections::slot`]) and writes there;
//! - a child replays the moves ([`Redirections::child_actions`]) before
//!   `execve`.
//!
//! A frame resolves a redirection when it is made: `3>&1 1>f` makes 3 the
//! descriptor 1 pointed to *then*, so later moves never change what an
//! earlier one meant.

use std::fmt;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl};
use nix::sys::stat::Mode;

use super::fds::{self, PrivateFd};
use super::spawn::FdAction;
use crate::ast::RedirOp;

/// Where a descriptor of a command points, seen from the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The shell's real descriptor with this number (its own, inherited,
    /// or one it opened).
    Fd(RawFd),
    /// Closed with `N>&-`.
    Closed,
}

/// One level of redirections.
#[derive(Debug, Default)]
struct Frame {
    /// Logical descriptor → where it points, in the order made.
    moves: Vec<(RawFd, Slot)>,
    /// The descriptors opened for this frame, closed when it is popped.
    owned: Vec<PrivateFd>,
}

/// Every open frame, innermost last.
#[derive(Debug, Default)]
pub struct Redirections {
    frames: Vec<Frame>,
    /// Descriptors every child gets under their own numbers while they
    /// are open: the shell's ends of process substitutions, which commands
    /// name as `/dev/fd/N`. The command whose words made one closes it
    /// when it ends ([`Redirections::close_passed_from`]).
    passed: Vec<PrivateFd>,
}

/// A redirection that failed; nothing of its command may run.
#[derive(Debug)]
pub enum RedirectError {
    Open {
        target: Vec<u8>,
        errno: Errno,
    },
    BadFd(String),
    Ambiguous(String),
    /// `set -C` refused to truncate an existing file.
    Clobber(Vec<u8>),
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectError::Open { target, errno } => {
                write!(f, "{}: {}", String::from_utf8_lossy(target), errno.desc())
            }
            RedirectError::BadFd(fd) => write!(f, "{fd}: Bad file descriptor"),
            RedirectError::Ambiguous(word) => write!(f, "{word}: ambiguous redirect"),
            RedirectError::Clobber(target) => write!(
                f,
                "{}: cannot overwrite existing file",
                String::from_utf8_lossy(target)
            ),
        }
    }
}

/// The moves a child makes, and the descriptors made for them that the
/// parent closes once the child is started.
pub struct ChildPlan {
    pub actions: Vec<FdAction>,
    _temporaries: Vec<OwnedFd>,
}

impl Redirections {
    /// Starts a frame; every redirection added goes into it until
    /// [`Redirections::pop`].
    pub fn push(&mut self) {
        self.frames.push(Frame::default());
    }

    /// Ends the innermost frame, closing what it opened.
    pub fn pop(&mut self) {
        self.frames.pop();
    }

    fn top(&mut self) -> &mut Frame {
        if self.frames.is_empty() {
            self.frames.push(Frame::default());
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Where logical descriptor `fd` points, through every frame.
    pub fn slot(&self, fd: RawFd) -> Slot {
        for frame in self.frames.iter().rev() {
            if let Some((_, slot)) = frame.moves.iter().rev().find(|(l, _)| *l == fd) {
                return *slot;
            }
        }
        Slot::Fd(fd)
    }

    /// Makes descriptor `to` point at `fd`, which the frame now owns: a
    /// pipe end, a here-document, `/dev/null` for a background job.
    pub fn give(&mut self, fd: PrivateFd, to: RawFd) {
        let raw = fd.raw();
        let top = self.top();
        top.owned.push(fd);
        top.moves.push((to, Slot::Fd(raw)));
    }

    /// Hands `fd` to every child started from now on, under its own
    /// number, until it is closed.
    pub fn pass(&mut self, fd: PrivateFd) {
        self.passed.push(fd);
    }

    /// How many descriptors are passed now: a command notes it before its
    /// words are expanded, to close what they add when it ends.
    pub fn passed_count(&self) -> usize {
        self.passed.len()
    }

    /// Closes the passed descriptors after the first `count`.
    pub fn close_passed_from(&mut self, count: usize) {
        self.passed.truncate(count);
    }

    /// Opens one redirection with its target expanded, into the innermost
    /// frame. `noclobber` is `set -C`.
    pub fn add(
        &mut self,
        fd: RawFd,
        op: RedirOp,
        target: &[u8],
        noclobber: bool,
    ) -> Result<(), RedirectError> {
        let flags = match op {
            RedirOp::Read => OFlag::O_RDONLY,
            RedirOp::Write | RedirOp::WriteBoth if noclobber => {
                OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL
            }
            RedirOp::Write | RedirOp::WriteBoth | RedirOp::Clobber => {
                OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC
            }
            RedirOp::Append | RedirOp::AppendBoth => {
                OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_APPEND
            }
            RedirOp::ReadWrite => OFlag::O_RDWR | OFlag::O_CREAT,
            RedirOp::DupOutput | RedirOp::DupInput => return self.add_dup(fd, op, target),
            RedirOp::HereDoc | RedirOp::HereString => {
                let mut body = target.to_vec();
                if op == RedirOp::HereString {
                    body.push(b'\n');
                }
                return self.add_text(fd, &body);
            }
        };
        let reopened = self.path_through_slots(target);
        let path = reopened.as_deref().unwrap_or(target);
        // Errors name the file as the user wrote it.
        let open_as_typed = |flags| {
            open_file(path, flags).map_err(|e| match e {
                RedirectError::Open { errno, .. } => RedirectError::Open {
                    target: target.to_vec(),
                    errno,
                },
                other => other,
            })
        };
        let file = match open_as_typed(flags) {
            // Under `set -C`, an existing file that is not a regular one
            // (`/dev/null`) may still be written.
            Err(RedirectError::Open {
                errno: Errno::EEXIST,
                ..
            }) if noclobber => {
                let regular =
                    std::fs::metadata(std::ffi::OsStr::from_bytes(path)).is_ok_and(|m| m.is_file());
                if regular {
                    return Err(RedirectError::Clobber(target.to_vec()));
                }
                open_as_typed(OFlag::O_WRONLY)?
            }
            other => other?,
        };
        let raw = file.raw();
        let top = self.top();
        top.owned.push(file);
        top.moves.push((fd, Slot::Fd(raw)));
        if matches!(op, RedirOp::WriteBoth | RedirOp::AppendBoth) {
            // `&>f` opens once and shares the file, so stdout and stderr
            // write at one offset and never overwrite each other.
            top.moves.push((2, Slot::Fd(raw)));
        }
        Ok(())
    }

    /// `{name}>file`: opens the redirection as any other, then copies it
    /// to a number of its own, 10 or above. That descriptor is the
    /// script's, not the shell's: it outlives the command (bash leaves
    /// closing it to the script, `{name}>&-`) and children inherit it.
    pub fn open_named(
        &mut self,
        op: RedirOp,
        target: &[u8],
        noclobber: bool,
    ) -> Result<RawFd, RedirectError> {
        // A logical number no command can name, only to resolve the target.
        const SCRATCH: RawFd = RawFd::MAX;
        self.push();
        let opened = self.add(SCRATCH, op, target, noclobber);
        let result = opened.and_then(|()| match self.slot(SCRATCH) {
            Slot::Fd(real) => fcntl(borrowed(real), FcntlArg::F_DUPFD(10))
                .map_err(|_| RedirectError::BadFd(String::from_utf8_lossy(target).into_owned())),
            Slot::Closed => Err(RedirectError::BadFd(
                String::from_utf8_lossy(target).into_owned(),
            )),
        });
        self.pop();
        result
    }

    /// `/dev/stdout`, `/dev/stderr`, `/dev/stdin` and `/dev/fd/N` name a
    /// descriptor the shell itself may not have moved: `{ echo e >
    /// /dev/stderr; } 2>log` means log, which the shell holds under another
    /// number. Returns the path of where that descriptor points now, when
    /// it is not the descriptor of the same number.
    pub fn path_through_slots(&self, target: &[u8]) -> Option<Vec<u8>> {
        let fd: RawFd = match target {
            b"/dev/stdin" => 0,
            b"/dev/stdout" => 1,
            b"/dev/stderr" => 2,
            _ => {
                let digits = target.strip_prefix(b"/dev/fd/")?;
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                std::str::from_utf8(digits).ok()?.parse().ok()?
            }
        };
        match self.slot(fd) {
            Slot::Fd(real) if real == fd => None,
            Slot::Fd(real) => Some(format!("/dev/fd/{real}").into_bytes()),
            // Closed: the kernel's answer for a closed one, ENOENT.
            Slot::Closed => Some(b"/dev/fd/-1".to_vec()),
        }
    }

    /// A here-document or here-string: its text, readable on `fd`. The text
    /// goes into an anonymous file in memory (memfd), seekable like the
    /// temporary file bash uses, so a reader sees a regular file whatever
    /// its size, and no pipe can fill up before the reader starts.
    pub fn add_text(&mut self, fd: RawFd, text: &[u8]) -> Result<(), RedirectError> {
        let file = memory_file(text).map_err(|errno| RedirectError::Open {
            target: b"here-document".to_vec(),
            errno,
        })?;
        self.give(file, fd);
        Ok(())
    }

    /// `N>&M`, `N<&M` and `N>&-`. In bash `>&word` with a word that is not a
    /// number means `&>word`.
    fn add_dup(&mut self, fd: RawFd, op: RedirOp, target: &[u8]) -> Result<(), RedirectError> {
        if target == b"-" {
            self.top().moves.push((fd, Slot::Closed));
            return Ok(());
        }
        // `N>&M-` moves M to N and closes M.
        let (number, close_after) = match target.strip_suffix(b"-") {
            Some(n) if !n.is_empty() => (n, true),
            _ => (target, false),
        };
        let text = String::from_utf8_lossy(target).into_owned();
        let is_number = !number.is_empty() && number.iter().all(u8::is_ascii_digit);
        if !is_number {
            if op == RedirOp::DupOutput && fd == 1 {
                return self.add(1, RedirOp::WriteBoth, target, false);
            }
            return Err(RedirectError::Ambiguous(text));
        }
        let from: RawFd = String::from_utf8_lossy(number)
            .parse()
            .map_err(|_| RedirectError::BadFd(text.clone()))?;
        let slot = self.slot(from);
        if !self.usable(from, slot) {
            return Err(RedirectError::BadFd(
                String::from_utf8_lossy(number).into_owned(),
            ));
        }
        self.top().moves.push((fd, slot));
        if close_after && from != fd {
            self.top().moves.push((from, Slot::Closed));
        }
        Ok(())
    }

    /// Whether logical descriptor `fd` (now at `slot`) may be copied: it
    /// must be open, and not one of the shell's private descriptors that the
    /// command never named.
    fn usable(&self, fd: RawFd, slot: Slot) -> bool {
        let Slot::Fd(real) = slot else {
            return false;
        };
        let redirected = real != fd
            || self
                .frames
                .iter()
                .any(|f| f.moves.iter().any(|(l, _)| *l == fd));
        if !redirected && fds::is_private(real) {
            return false;
        }
        fcntl(borrowed(real), FcntlArg::F_GETFD).is_ok()
    }

    /// Every logical descriptor some frame moves, with where it points.
    fn effective(&self) -> Vec<(RawFd, Slot)> {
        let mut seen: Vec<(RawFd, Slot)> = Vec::new();
        for frame in self.frames.iter().rev() {
            for (logical, slot) in frame.moves.iter().rev() {
                if !seen.iter().any(|(l, _)| l == logical) {
                    seen.push((*logical, *slot));
                }
            }
        }
        seen.sort_by_key(|(l, _)| *l);
        seen
    }

    /// The moves for a child to replay before `execve`. A source that is
    /// also a target (`{ cmd 3>&1; } >f` with f opened as 3) is first copied
    /// above every number in play, so no move clobbers one a later move
    /// still needs.
    pub fn child_actions(&self) -> ChildPlan {
        let mut mapping = self.effective();
        let targets: Vec<RawFd> = mapping
            .iter()
            .filter(|(l, s)| *s != Slot::Fd(*l))
            .map(|(l, _)| *l)
            .collect();
        let mut temporaries = Vec::new();
        let highest = mapping
            .iter()
            .map(|(l, s)| match s {
                Slot::Fd(r) => (*l).max(*r),
                Slot::Closed => *l,
            })
            .max()
            .unwrap_or(2);
        for i in 0..mapping.len() {
            let Slot::Fd(source) = mapping[i].1 else {
                continue;
            };
            if source == mapping[i].0 || !targets.contains(&source) {
                continue;
            }
            let Ok(copy) = crate::sys::dup_above(
                source,
                highest + 1,
                "a copy, so the child's dup2 onto it loses nothing",
            ) else {
                continue;
            };
            for entry in &mut mapping {
                if entry.1 == Slot::Fd(source) && entry.0 != source {
                    entry.1 = Slot::Fd(copy);
                }
            }
            // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor nothing else
            // owns.
            temporaries.push(unsafe { OwnedFd::from_raw_fd(copy) });
        }
        let actions = mapping
            .iter()
            .filter_map(|&(logical, slot)| match slot {
                Slot::Fd(real) if real == logical => {
                    // Dup onto itself does nothing; a private descriptor the
                    // command names must lose close-on-exec instead.
                    fds::is_private(real).then_some(FdAction::Dup {
                        from: real,
                        to: logical,
                    })
                }
                Slot::Fd(real) => Some(FdAction::Dup {
                    from: real,
                    to: logical,
                }),
                Slot::Closed => Some(FdAction::Close(logical)),
            })
            .collect::<Vec<_>>();
        let mut actions = actions;
        for fd in &self.passed {
            let raw = fd.raw();
            // A dup onto itself: the descriptor loses close-on-exec.
            actions.push(FdAction::Dup { from: raw, to: raw });
        }
        ChildPlan {
            actions,
            _temporaries: temporaries,
        }
    }

    /// The same moves for a forked copy of the shell that runs shell code:
    /// after them, every close-on-exec descriptor not made one of the
    /// command's is closed, since no `execve` will close it. That is each
    /// private one, and, at a prompt, also those the line editor opened
    /// (its signal socket pair), which no list names ([`fds::unlisted_possible`]);
    /// descriptors the shell inherited or the user made (`exec 3>f`) are
    /// not close-on-exec and stay, as they would across `execve`.
    pub fn shell_child_actions(&self) -> ChildPlan {
        let mut plan = self.child_actions();
        let targets: Vec<RawFd> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                FdAction::Dup { to, .. } => Some(*to),
                FdAction::Close(_) => None,
            })
            .collect();
        let temporaries: Vec<RawFd> = plan._temporaries.iter().map(AsRawFd::as_raw_fd).collect();
        let mut closing: Vec<RawFd> = fds::all().into_iter().chain(temporaries).collect();
        if fds::unlisted_possible() {
            closing.extend(open_close_on_exec());
        }
        closing.sort_unstable();
        closing.dedup();
        for fd in closing {
            if !targets.contains(&fd) {
                plan.actions.push(FdAction::Close(fd));
            }
        }
        plan
    }

    /// `exec` with redirections and no command: the innermost frame's moves
    /// are made on the shell's own descriptors, for good. A private
    /// descriptor in the way (`exec 10>f` while a frame holds 10) moves
    /// aside first; one that already has the number asked for stops being
    /// private.
    pub fn make_permanent(&mut self) -> Result<(), RedirectError> {
        let count = self.frames.last().map_or(0, |f| f.moves.len());
        for i in 0..count {
            let Some(&(logical, _)) = self.frames.last().and_then(|f| f.moves.get(i)) else {
                break;
            };
            if let Some(top) = self.frames.last_mut() {
                if top.moves[i].1 == Slot::Fd(logical) {
                    if let Some(at) = top.owned.iter().position(|o| o.raw() == logical) {
                        top.owned.swap_remove(at).release();
                    }
                    let _ = fcntl(borrowed(logical), FcntlArg::F_SETFD(FdFlag::empty()));
                    continue;
                }
            }
            if fds::is_private(logical) {
                self.move_private_aside(logical)?;
            }
            let slot = self.frames.last().map_or(Slot::Closed, |f| f.moves[i].1);
            match slot {
                // The target is the user's, no private one (moved aside
                // above).
                Slot::Fd(real) => {
                    if crate::sys::dup2(real, logical).is_err() {
                        return Err(RedirectError::BadFd(logical.to_string()));
                    }
                }
                Slot::Closed => crate::sys::close(logical),
            }
        }
        if let Some(top) = self.frames.last_mut() {
            top.moves.clear();
        }
        Ok(())
    }

    /// Moves private descriptor `fd` to a free number, updating every frame
    /// that points at it.
    fn move_private_aside(&mut self, fd: RawFd) -> Result<(), RedirectError> {
        let moved =
            crate::sys::dup_above(fd, 10, "the shell's own descriptor moves out of the way")
                .map_err(|_| RedirectError::BadFd(fd.to_string()))?;
        for frame in &mut self.frames {
            for (_, slot) in &mut frame.moves {
                if *slot == Slot::Fd(fd) {
                    *slot = Slot::Fd(moved);
                }
            }
            for owned in &mut frame.owned {
                if owned.raw() == fd {
                    // SAFETY: F_DUPFD_CLOEXEC returned a descriptor nothing
                    // else owns; the old one closes as its value drops.
                    let new = PrivateFd::new(unsafe { OwnedFd::from_raw_fd(moved) });
                    let old = std::mem::replace(owned, new);
                    drop(old);
                }
            }
        }
        Ok(())
    }

    /// In a forked copy of the shell, once the moves are made: the frames
    /// are real now, so they are dropped without closing anything.
    pub fn forget_in_child(&mut self) {
        for frame in self.frames.drain(..) {
            for fd in frame.owned {
                fd.release();
            }
        }
        fds::forget_all_in_child();
    }
}

/// Every open descriptor above 2 that has close-on-exec set, read from
/// `/proc/self/fd` before a fork (reading a directory allocates). The
/// listing's own descriptor is closed by the time its number is checked,
/// so it is never among them.
fn open_close_on_exec() -> Vec<RawFd> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let numbers: Vec<RawFd> = entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    numbers
        .into_iter()
        .filter(|&fd| is_cloexec(fd) == Some(true))
        // Explain mode's narration goes on in the copy.
        .filter(|&fd| !minishell_builtins::narrate::is_sink(fd))
        .collect()
}

fn open_file(target: &[u8], flags: OFlag) -> Result<PrivateFd, RedirectError> {
    let path = std::ffi::OsStr::from_bytes(target);
    let mode = Mode::from_bits_truncate(0o666);
    crate::sys::open(path, flags | OFlag::O_CLOEXEC | OFlag::O_NOCTTY, mode)
        .map(PrivateFd::new)
        .map_err(|errno| RedirectError::Open {
            target: target.to_vec(),
            errno,
        })
}

/// An anonymous in-memory file holding `text`, positioned at its start.
fn memory_file(text: &[u8]) -> Result<PrivateFd, Errno> {
    let fd = nix::sys::memfd::memfd_create(
        c"minishell-heredoc",
        nix::sys::memfd::MFdFlags::MFD_CLOEXEC,
    )?;
    let mut written = 0;
    while written < text.len() {
        match nix::unistd::write(&fd, &text[written..]) {
            Ok(n) => written += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    nix::unistd::lseek(&fd, 0, nix::unistd::Whence::SeekSet)?;
    Ok(PrivateFd::new(fd))
}

/// Borrows a raw descriptor for one `fcntl` call.
fn borrowed(fd: RawFd) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: the descriptor is only queried or copied, never closed or
    // kept; a closed one makes fcntl fail with EBADF, which the caller
    // expects.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// Whether `fd` is open and its close-on-exec flag: which descriptors a
/// forked copy of the shell closes.
pub fn is_cloexec(fd: RawFd) -> Option<bool> {
    let flags = fcntl(borrowed(fd), FcntlArg::F_GETFD).ok()?;
    Some(FdFlag::from_bits_truncate(flags).contains(FdFlag::FD_CLOEXEC))
}
