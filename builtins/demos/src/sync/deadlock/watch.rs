//! How the watcher sees a thread: from /proc/self/task/TID, as `ps -L`
//! and a student's `cat /proc/PID/task/*/syscall` see it. A thread stuck
//! on a mutex is asleep (state S) inside the futex system call.

use serde::Serialize;

/// One thread's state, read from /proc.
#[derive(Debug, Clone, Serialize)]
pub struct TaskState {
    pub tid: i32,
    /// The scheduler state letter of /proc/TID/stat: R running, S asleep.
    pub state: char,
    /// The system call it is inside (`futex`, or its number), or
    /// `running` when it is in none (/proc/TID/syscall).
    pub syscall: String,
    /// The kernel function it sleeps in (/proc/TID/wchan), `0` if none.
    pub wchan: String,
}

impl TaskState {
    /// Reads thread `tid` of this process; `None` once it has ended.
    pub fn read(tid: i32) -> Option<TaskState> {
        let dir = format!("/proc/self/task/{tid}");
        let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
        // The state follows the command name, which is in parentheses and
        // may hold spaces: take the first letter after the last ')'.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .unwrap_or('?');
        let syscall = std::fs::read_to_string(format!("{dir}/syscall")).unwrap_or_default();
        let syscall = match syscall.split_whitespace().next() {
            Some(number) if number.parse() == Ok(libc::SYS_futex) => "futex".to_owned(),
            Some(other) => other.to_owned(),
            None => "unknown".to_owned(),
        };
        let wchan = std::fs::read_to_string(format!("{dir}/wchan")).unwrap_or_default();
        Some(TaskState {
            tid,
            state,
            syscall,
            wchan: wchan.trim().to_owned(),
        })
    }

    /// Asleep in the kernel, waiting on a futex: how a thread waits for a
    /// mutex another thread holds.
    pub fn in_futex(&self) -> bool {
        self.state == 'S' && self.syscall == "futex"
    }

    /// One line for people: where the thread is.
    pub fn describe(&self) -> String {
        let state = match self.state {
            'S' => "S (asleep)".to_owned(),
            'R' => "R (running)".to_owned(),
            other => other.to_string(),
        };
        format!(
            "TID {}: state {state}, in the {} system call, wchan {}",
            self.tid, self.syscall, self.wchan
        )
    }
}
