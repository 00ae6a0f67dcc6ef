//! The descriptors the shell opens for itself (redirection files, pipe
//! ends, here-document bodies), all close-on-exec and all listed here.
//!
//! Close-on-exec keeps them out of every program the shell runs. A forked
//! copy of the shell that runs shell code instead (a subshell, a pipeline
//! stage, a `$( )`) never execs, so it closes them itself: the list says
//! which they are, and a child holds exactly its standard descriptors and
//! its redirections, as a program would.

use std::cell::RefCell;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Every open private descriptor. A global, because descriptors are a
    /// property of the process: whoever opened one, a forked child must
    /// close them all. The shell is single-threaded, so this is its only
    /// copy.
    static OPEN: RefCell<Vec<RawFd>> = const { RefCell::new(Vec::new()) };
}

/// A descriptor the shell opened for its own use; listed while it lives.
#[derive(Debug)]
pub struct PrivateFd(Option<OwnedFd>);

impl PrivateFd {
    pub fn new(fd: OwnedFd) -> PrivateFd {
        OPEN.with(|open| open.borrow_mut().push(fd.as_raw_fd()));
        PrivateFd(Some(fd))
    }

    pub fn raw(&self) -> RawFd {
        self.0.as_ref().map_or(-1, AsRawFd::as_raw_fd)
    }

    /// Gives up the descriptor without closing it: it is no longer the
    /// shell's private one (`exec 3>f` made it the user's descriptor 3), or
    /// a forked child already closed it.
    pub fn release(mut self) -> RawFd {
        let fd = self.raw();
        unlist(fd);
        self.0.take().map_or(-1, IntoRawFd::into_raw_fd)
    }
}

impl AsFd for PrivateFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.0 {
            Some(fd) => fd.as_fd(),
            // SAFETY: unreachable in practice (the descriptor is only taken
            // by `release`, which consumes the value); -1 makes any call on
            // it fail with EBADF rather than touch another descriptor.
            None => unsafe { BorrowedFd::borrow_raw(-1) },
        }
    }
}

impl Drop for PrivateFd {
    /// Closes through `sys`, so explain mode shows the shell closing its
    /// end of a pipe (which is what lets the reader see end of file).
    fn drop(&mut self) {
        if let Some(fd) = self.0.take() {
            unlist(fd.as_raw_fd());
            crate::sys::close(fd.into_raw_fd());
        }
    }
}

fn unlist(fd: RawFd) {
    OPEN.with(|open| {
        let mut open = open.borrow_mut();
        if let Some(i) = open.iter().rposition(|&o| o == fd) {
            open.swap_remove(i);
        }
    });
}

/// Set once a library that opens descriptors of its own (the line editor)
/// is in use: from then on a forked copy of the shell looks in
/// `/proc/self/fd` for close-on-exec descriptors the list does not know.
/// Without one (scripts), the list is complete and that look (a directory
/// read and an `fcntl` per descriptor, some 7% of a `$( )` when measured)
/// is saved.
static UNLISTED: AtomicBool = AtomicBool::new(false);

/// Notes that descriptors this list does not know may be open.
pub fn expect_unlisted() {
    UNLISTED.store(true, Ordering::Release);
}

/// Whether [`expect_unlisted`] was called.
pub fn unlisted_possible() -> bool {
    UNLISTED.load(Ordering::Acquire)
}

/// Whether `fd` is one of the shell's private descriptors.
pub fn is_private(fd: RawFd) -> bool {
    OPEN.with(|open| open.borrow().contains(&fd))
}

/// Every private descriptor open now.
pub fn all() -> Vec<RawFd> {
    OPEN.with(|open| open.borrow().clone())
}

/// In a forked child: the private descriptors are closed (or kept, for
/// those in `keep`), and forgotten, so that no value dropped later closes
/// a descriptor the child opened since with the same number.
pub fn forget_all_in_child() {
    OPEN.with(|open| open.borrow_mut().clear());
}
