//! Redirections, resolved in the parent: files are opened here, before any
//! fork, so an error is reported once and nothing of the command runs. What
//! comes out is a list of descriptor moves for a child to replay. A builtin
//! that runs in the shell's own process does not replay them: it asks where
//! its descriptors 1 and 2 end up ([`Redirects::slot`]) and writes there,
//! so the shell's own descriptors never move at all.

use std::fmt;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, FdFlag, OFlag, fcntl, open};
use nix::sys::stat::Mode;

use super::spawn::FdAction;
use crate::ast::RedirOp;

/// A redirection with its target expanded: `2>> "$log"` with `$log` known.
pub struct Expanded<'a> {
    pub fd: RawFd,
    pub op: RedirOp,
    pub target: &'a [u8],
}

/// Where a descriptor of the command points, seen from the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The shell's descriptor with this number (its own, or one it opened).
    Fd(RawFd),
    /// Closed with `N>&-`.
    Closed,
}

/// The redirections of one command, opened.
#[derive(Default)]
pub struct Redirects {
    actions: Vec<FdAction>,
    /// Descriptors the shell opened for the command (files, pipe ends),
    /// all close-on-exec; they close when this value is dropped.
    opened: Vec<OwnedFd>,
}

/// A redirection that failed; nothing of its command may run.
#[derive(Debug)]
pub enum RedirectError {
    Open { target: Vec<u8>, errno: Errno },
    BadFd(String),
    Ambiguous(String),
}

impl fmt::Display for RedirectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectError::Open { target, errno } => {
                write!(f, "{}: {}", String::from_utf8_lossy(target), errno.desc())
            }
            RedirectError::BadFd(fd) => write!(f, "{fd}: Bad file descriptor"),
            RedirectError::Ambiguous(word) => write!(f, "{word}: ambiguous redirect"),
        }
    }
}

impl Redirects {
    /// Makes descriptor `to` of the command a copy of `fd`, which the
    /// command now owns: a pipe end, or `/dev/null` for a background job.
    pub fn give(&mut self, fd: OwnedFd, to: RawFd) {
        let raw = fd.as_raw_fd();
        self.opened.push(fd);
        self.dup(raw, to);
    }

    /// Opens one redirection and records its moves.
    pub fn add(&mut self, r: &Expanded) -> Result<(), RedirectError> {
        let flags = match r.op {
            RedirOp::Read => OFlag::O_RDONLY,
            RedirOp::Write | RedirOp::WriteBoth => {
                OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC
            }
            RedirOp::Append | RedirOp::AppendBoth => {
                OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_APPEND
            }
            RedirOp::ReadWrite => OFlag::O_RDWR | OFlag::O_CREAT,
            RedirOp::DupOutput | RedirOp::DupInput => return self.add_dup(r),
        };
        let file = open_file(r.target, flags)?;
        let raw = file.as_raw_fd();
        self.opened.push(file);
        self.dup(raw, r.fd);
        if matches!(r.op, RedirOp::WriteBoth | RedirOp::AppendBoth) {
            // `&>f` opens once and shares the file, so stdout and stderr
            // write at one offset and never overwrite each other.
            self.dup(raw, 2);
        }
        Ok(())
    }

    /// `N>&M`, `N<&M` and `N>&-`. In bash `>&word` with a word that is not a
    /// number means `&>word`.
    fn add_dup(&mut self, r: &Expanded) -> Result<(), RedirectError> {
        let text = String::from_utf8_lossy(r.target).into_owned();
        if text == "-" {
            self.actions.push(FdAction::Close(r.fd));
            return Ok(());
        }
        let Some(from) = text.parse::<RawFd>().ok().filter(|fd| *fd >= 0) else {
            if r.op == RedirOp::DupOutput && r.fd == 1 {
                let both = Expanded {
                    fd: 1,
                    op: RedirOp::WriteBoth,
                    target: r.target,
                };
                return self.add(&both);
            }
            return Err(RedirectError::Ambiguous(text));
        };
        if !self.can_copy(from) {
            return Err(RedirectError::BadFd(text));
        }
        self.dup(from, r.fd);
        Ok(())
    }

    fn dup(&mut self, from: RawFd, to: RawFd) {
        self.actions.push(FdAction::Dup { from, to });
    }

    /// Where descriptor `fd` of the command points once all its moves are
    /// made. One the command did not touch is the shell's own with the same
    /// number; if that is closed, a builtin writing to it gets EBADF, as it
    /// would in any process.
    pub fn slot(&self, fd: RawFd) -> Slot {
        self.slot_before(fd, self.actions.len())
    }

    /// The same, after only the first `upto` moves: found by walking back
    /// from the last move that wrote to `fd` (`2>&1` points where 1 pointed
    /// at that moment, not where it points later).
    fn slot_before(&self, fd: RawFd, upto: usize) -> Slot {
        match self.last_write(fd, upto) {
            None => Slot::Fd(fd),
            Some(i) => match self.actions[i] {
                FdAction::Dup { from, .. } => self.slot_before(from, i),
                FdAction::Close(_) => Slot::Closed,
            },
        }
    }

    fn last_write(&self, fd: RawFd, upto: usize) -> Option<usize> {
        self.actions[..upto]
            .iter()
            .rposition(|action| match *action {
                FdAction::Dup { to, .. } => to == fd,
                FdAction::Close(closed) => closed == fd,
            })
    }

    /// Whether `N>&fd` may copy `fd`: it must be open for the command, and
    /// a close-on-exec descriptor of the shell's own (its signal pipe, a
    /// pipe end meant for another stage) is the shell's private business.
    fn can_copy(&self, fd: RawFd) -> bool {
        if self.last_write(fd, self.actions.len()).is_some() {
            return self.slot(fd) != Slot::Closed;
        }
        if self.opened.iter().any(|o| o.as_raw_fd() == fd) {
            return false;
        }
        match fcntl(borrowed(fd), FcntlArg::F_GETFD) {
            Ok(flags) => !FdFlag::from_bits_truncate(flags).contains(FdFlag::FD_CLOEXEC),
            Err(_) => false,
        }
    }

    /// The moves for a child to replay. Descriptors the shell opened are
    /// first moved above any number a move writes to, so that an early move
    /// (`3>a`) never clobbers a file a later one still needs (`4>b` opened
    /// as descriptor 3).
    pub fn child_actions(&mut self) -> &[FdAction] {
        let targets: Vec<RawFd> = self
            .actions
            .iter()
            .filter_map(|a| match a {
                FdAction::Dup { from, to } if from != to => Some(*to),
                FdAction::Close(fd) => Some(*fd),
                _ => None,
            })
            .collect();
        let floor = targets.iter().copied().max().unwrap_or(2).max(9) + 1;
        for owned in &mut self.opened {
            let fd = owned.as_raw_fd();
            if !targets.contains(&fd) {
                continue;
            }
            let Ok(moved) = fcntl(&*owned, FcntlArg::F_DUPFD_CLOEXEC(floor)) else {
                continue;
            };
            for action in &mut self.actions {
                if let FdAction::Dup { from, .. } = action {
                    if *from == fd {
                        *from = moved;
                    }
                }
            }
            // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that nothing
            // else owns.
            *owned = unsafe { OwnedFd::from_raw_fd(moved) };
        }
        &self.actions
    }

    /// Closes, in a child that runs shell code instead of `execve`, every
    /// descriptor the parent opened for it: without `execve`, close-on-exec
    /// never fires, and a builtin holding the read end of its own output
    /// pipe would never see the reader go.
    pub fn close_owned_in_child(&mut self, others: &[RawFd]) {
        let targets: Vec<RawFd> = self
            .actions
            .iter()
            .filter_map(|a| match a {
                FdAction::Dup { to, .. } => Some(*to),
                FdAction::Close(_) => None,
            })
            .collect();
        let owned = self
            .opened
            .iter()
            .map(|o| o.as_raw_fd())
            .chain(others.iter().copied());
        let closes: Vec<FdAction> = owned
            .filter(|fd| !targets.contains(fd))
            .map(FdAction::Close)
            .collect();
        self.actions.extend(closes);
    }
}

fn open_file(target: &[u8], flags: OFlag) -> Result<OwnedFd, RedirectError> {
    let path = std::ffi::OsStr::from_bytes(target);
    let mode = Mode::from_bits_truncate(0o666);
    open(path, flags | OFlag::O_CLOEXEC | OFlag::O_NOCTTY, mode).map_err(|errno| {
        RedirectError::Open {
            target: target.to_vec(),
            errno,
        }
    })
}

/// Borrows a raw descriptor for one `fcntl` call.
fn borrowed(fd: RawFd) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: the descriptor is only queried, never closed or kept; a
    // closed one makes fcntl fail with EBADF, which the caller expects.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}
