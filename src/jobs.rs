//! Background children: started with `&`, reaped without blocking between
//! commands, waited for by `wait`. Their statuses are kept after they are
//! reaped, so `wait $!` still answers for a child that ended long ago.

use std::collections::HashMap;

use nix::errno::Errno;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::status::{ChildEnd, Status};

/// How many ended children's statuses are remembered for `wait PID`
/// (bash keeps about as many as the system's CHILD_MAX).
const REMEMBERED: usize = 4096;

#[derive(Debug, Default)]
pub struct Jobs {
    running: Vec<i32>,
    ended: HashMap<i32, Status>,
    /// PIDs in the order they ended, to forget the oldest first.
    ended_order: std::collections::VecDeque<i32>,
}

impl Jobs {
    pub fn add(&mut self, pid: i32) {
        self.running.push(pid);
    }

    /// Forgets every child: a forked subshell starts with none of its own.
    pub fn clear(&mut self) {
        *self = Jobs::default();
    }

    /// Collects every background child that has ended, without blocking, so
    /// none stays a zombie. Costs nothing when there are none.
    pub fn reap(&mut self) {
        while !self.running.is_empty() {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(status) => self.record(status),
            }
        }
    }

    /// Waits for every background child (`wait` with no argument).
    pub fn wait_all(&mut self) {
        while let Some(&pid) = self.running.first() {
            self.wait_pid(pid);
        }
    }

    /// Waits for one child and returns its status; `None` if `pid` is not
    /// a child this shell started in the background.
    pub fn wait_pid(&mut self, pid: i32) -> Option<Status> {
        if let Some(&status) = self.ended.get(&pid) {
            return Some(status);
        }
        if !self.running.contains(&pid) {
            return None;
        }
        loop {
            match waitpid(Pid::from_raw(pid), None) {
                Ok(status) => {
                    self.record(status);
                    if let Some(&status) = self.ended.get(&pid) {
                        return Some(status);
                    }
                }
                Err(Errno::EINTR) => continue,
                Err(_) => {
                    // Reaped elsewhere or never ours: stop tracking it.
                    self.running.retain(|&p| p != pid);
                    return Some(0);
                }
            }
        }
    }

    fn record(&mut self, status: WaitStatus) {
        let (Some(pid), Some(end)) = (status.pid(), ChildEnd::from_wait(status)) else {
            return;
        };
        let pid = pid.as_raw();
        self.running.retain(|&p| p != pid);
        if self.ended_order.len() == REMEMBERED {
            if let Some(old) = self.ended_order.pop_front() {
                self.ended.remove(&old);
            }
        }
        self.ended.insert(pid, end.status());
        self.ended_order.push_back(pid);
    }
}
