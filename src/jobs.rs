//! The job table: every child the shell starts belongs to a job (one
//! pipeline, or one backgrounded `a && b`), and every status `waitpid`
//! reports lands here, whoever was waiting. So no child is lost, none is
//! reaped twice, and `wait $!` still answers for a child that ended long ago.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use minishell_builtins::wait_status::WaitBits;
use minishell_builtins::{JobState, JobSummary};
use nix::errno::Errno;
use nix::sys::wait::WaitPidFlag;

use crate::status::{ChildEnd, Status, signal_words};

/// The status of a wait that Ctrl-C interrupted: 128 + SIGINT.
const INTERRUPTED: Status = 130;

/// How many ended children's statuses are remembered for `wait PID` after
/// their job is gone (bash keeps about as many as the system's CHILD_MAX).
const REMEMBERED: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessState {
    Running,
    /// Stopped by this signal (SIGTSTP from Ctrl-Z, SIGSTOP, SIGTTIN…).
    Stopped(i32),
    Ended(ChildEnd),
}

#[derive(Debug)]
pub struct Process {
    pub pid: i32,
    pub state: ProcessState,
    /// What it runs, for `jobs`; `None` when nobody can list the job (a
    /// foreground command in a script), so no text is made for it.
    pub command: Option<String>,
}

#[derive(Debug)]
pub struct Job {
    pub id: usize,
    /// The job's process group, when the shell controls jobs.
    pub pgid: Option<i32>,
    pub processes: Vec<Process>,
    /// Started with `&` (or continued with `bg`), not waited for.
    pub background: bool,
    /// Whether its latest change was announced; a prompt announces the
    /// others before it is shown.
    pub reported: bool,
    /// The terminal modes it had when it stopped, given back by `fg`.
    pub modes: Option<nix::sys::termios::Termios>,
}

impl Job {
    pub fn state(&self) -> JobState {
        let states = self.processes.iter().map(|p| p.state);
        if states.clone().any(|s| s == ProcessState::Running) {
            JobState::Running
        } else if states
            .clone()
            .any(|s| matches!(s, ProcessState::Stopped(_)))
        {
            JobState::Stopped
        } else {
            JobState::Done
        }
    }

    /// The job's status, as `$?` takes it: its last process's.
    pub fn status(&self) -> Status {
        match self.processes.last().map(|p| p.state) {
            Some(ProcessState::Ended(end)) => end.status(),
            Some(ProcessState::Stopped(signal)) => 128 + signal,
            _ => 0,
        }
    }

    /// How the last process ended, for the words of a notice.
    fn last_end(&self) -> Option<ChildEnd> {
        match self.processes.last()?.state {
            ProcessState::Ended(end) => Some(end),
            _ => None,
        }
    }

    /// The state in bash's words: `Running`, `Stopped`, `Done`, `Exit 3`,
    /// `Killed`…
    pub fn state_text(&self) -> String {
        match self.state() {
            JobState::Running => "Running".to_owned(),
            JobState::Stopped => "Stopped".to_owned(),
            JobState::Done => self.last_end().map_or_else(|| "Done".to_owned(), end_words),
        }
    }
}

/// How a job's notice words an end: `Done`, `Exit 3`, `Killed`,
/// `Segmentation fault (core dumped)`.
fn end_words(end: ChildEnd) -> String {
    match end {
        ChildEnd::Exited(0) => "Done".to_owned(),
        ChildEnd::Exited(code) => format!("Exit {code}"),
        ChildEnd::Signaled {
            signal,
            core_dumped,
        } => {
            let words = signal_words(signal);
            if core_dumped {
                format!("{words} (core dumped)")
            } else {
                words
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Vec<Job>,
    /// Job numbers from least to most recently made current (started in
    /// the background, stopped, continued): `%+` is the last, `%-` the one
    /// before.
    recency: Vec<usize>,
    /// Statuses of ended children whose jobs are gone, for `wait PID`.
    ended: FxHashMap<i32, Status>,
    ended_order: VecDeque<i32>,
}

impl Jobs {
    /// Records a new job and returns its number: one more than the highest
    /// in use, as bash numbers them.
    pub fn add(&mut self, pgid: Option<i32>, processes: Vec<Process>, background: bool) -> usize {
        let id = self.jobs.last().map_or(1, |j| j.id + 1);
        for process in &processes {
            // A PID the kernel handed out again is a new child now.
            self.ended.remove(&process.pid);
        }
        self.jobs.push(Job {
            id,
            pgid,
            processes,
            background,
            reported: !background,
            modes: None,
        });
        if background {
            self.reset_marks();
            // A new background job becomes current (`%+`), unless the
            // current one is stopped: that one stays current, as in bash.
            let current_stopped = self
                .recency
                .last()
                .and_then(|&c| self.get(c))
                .is_some_and(|c| c.state() == JobState::Stopped);
            match current_stopped {
                true => self.recency.insert(self.recency.len() - 1, id),
                false => self.recency.push(id),
            }
        }
        id
    }

    pub fn get(&self, id: usize) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn get_mut(&mut self, id: usize) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// Makes `id` the current job (`%+`).
    pub fn make_current(&mut self, id: usize) {
        self.reset_marks();
        self.recency.retain(|&j| j != id);
        self.recency.push(id);
    }

    /// Drops jobs that ended from the candidates for `%+` and `%-`. As in
    /// bash, this happens when the marks move (a job starts in the
    /// background, stops, continues, or a marked job goes away), so a job
    /// that ended while current is still announced as `[1]+  Done`.
    fn reset_marks(&mut self) {
        let ended: Vec<usize> = self
            .jobs
            .iter()
            .filter(|j| j.state() == JobState::Done)
            .map(|j| j.id)
            .collect();
        self.recency.retain(|id| !ended.contains(id));
    }

    /// Whether any job is stopped or still running in the background: the
    /// shell warns before leaving them.
    pub fn pending(&self) -> Option<JobState> {
        let states: Vec<JobState> = self.jobs.iter().map(Job::state).collect();
        if states.contains(&JobState::Stopped) {
            Some(JobState::Stopped)
        } else if states.contains(&JobState::Running) {
            Some(JobState::Running)
        } else {
            None
        }
    }

    /// Every job, as the builtins see them.
    pub fn summaries(&self) -> Vec<JobSummary> {
        let current = self.recency.last().copied();
        let previous = self.recency.iter().rev().nth(1).copied();
        self.jobs
            .iter()
            .map(|job| JobSummary {
                id: job.id,
                mark: match Some(job.id) {
                    id if id == current => '+',
                    id if id == previous => '-',
                    _ => ' ',
                },
                pids: job.processes.iter().map(|p| p.pid).collect(),
                pgid: job.pgid,
                state: job.state(),
                state_text: job.state_text(),
                commands: job
                    .processes
                    .iter()
                    .map(|p| p.command.clone().unwrap_or_default())
                    .collect(),
            })
            .collect()
    }

    /// Drops a job. A background job's ended processes stay known for
    /// `wait PID`; a foreground job's are not asked for again.
    pub fn forget(&mut self, id: usize) {
        let Some(index) = self.jobs.iter().position(|j| j.id == id) else {
            return;
        };
        let job = self.jobs.remove(index);
        let was_marked = self.recency.iter().rev().take(2).any(|&j| j == id);
        self.recency.retain(|&j| j != id);
        if was_marked {
            self.reset_marks();
        }
        if !job.background {
            return;
        }
        for process in job.processes {
            if let ProcessState::Ended(end) = process.state {
                self.remember(process.pid, end.status());
            }
        }
    }

    /// Collects, without blocking, every child that ended, stopped or
    /// continued, so none stays a zombie. Stops when `waitpid` says there
    /// is nothing more to collect (or no child at all).
    pub fn reap(&mut self) {
        loop {
            let flags = WaitPidFlag::WNOHANG | WaitPidFlag::WUNTRACED | WaitPidFlag::WCONTINUED;
            match crate::sys::waitpid(-1, flags.bits()) {
                Ok(None) | Err(_) => return,
                Ok(Some((pid, bits))) => self.record(pid, bits),
            }
        }
    }

    /// Blocks until job `id` has no running process: it ended, or (with
    /// `stops`, under job control) it stopped. Statuses of other children
    /// that arrive meanwhile are recorded too. Returns `false` if Ctrl-C
    /// interrupted the wait (see `signals::InterruptibleWait`).
    pub fn wait_while_running(&mut self, id: usize, stops: bool) -> bool {
        let flags = stops.then_some(WaitPidFlag::WUNTRACED);
        while self.get(id).is_some_and(|j| j.state() == JobState::Running) {
            match crate::sys::waitpid(-1, flags.map_or(0, |f| f.bits())) {
                Ok(Some((pid, bits))) => self.record(pid, bits),
                Ok(None) => {}
                Err(Errno::EINTR) if crate::signals::interrupted() => return false,
                Err(Errno::EINTR) => continue,
                Err(_) => {
                    // No child left to wait for: nothing can change now.
                    self.mark_lost(id);
                    return true;
                }
            }
        }
        true
    }

    /// A job whose children vanished (reaped by no one we know, or a
    /// subshell's copy of its parent's jobs) is over; with no status to
    /// report, its processes count as not found (127).
    fn mark_lost(&mut self, id: usize) {
        if let Some(job) = self.get_mut(id) {
            for process in &mut job.processes {
                if process.state == ProcessState::Running {
                    process.state = ProcessState::Ended(ChildEnd::Exited(127));
                }
            }
        }
    }

    /// Files one status from `waitpid` under the process it belongs to.
    pub fn record(&mut self, pid: i32, bits: WaitBits) {
        let state = match bits {
            WaitBits::Stopped(signal) => ProcessState::Stopped(signal),
            WaitBits::Continued => ProcessState::Running,
            other => match ChildEnd::from_bits(other) {
                Some(end) => ProcessState::Ended(end),
                None => return,
            },
        };
        let owner = self
            .jobs
            .iter_mut()
            .find(|j| j.processes.iter().any(|p| p.pid == pid));
        match owner {
            Some(job) => {
                let before = job.state();
                if let Some(process) = job.processes.iter_mut().find(|p| p.pid == pid) {
                    process.state = state;
                }
                if job.state() != before {
                    job.reported = false;
                }
                if job.background {
                    if let ProcessState::Ended(end) = state {
                        crate::explain::background_reaped(pid, job.id, &end_words(end));
                    }
                }
                if job.state() == JobState::Stopped {
                    let id = job.id;
                    self.make_current(id);
                }
            }
            None => {
                if let ProcessState::Ended(end) = state {
                    self.remember(pid, end.status());
                }
            }
        }
    }

    fn remember(&mut self, pid: i32, status: Status) {
        if self.ended_order.len() == REMEMBERED {
            if let Some(old) = self.ended_order.pop_front() {
                self.ended.remove(&old);
            }
        }
        self.ended.insert(pid, status);
        self.ended_order.push_back(pid);
    }

    /// Waits for every running background job to end (`wait`) and forgets
    /// those that did; stopped jobs are left alone, as bash leaves them.
    /// `stops`: under job control, a job that stops also ends the wait.
    pub fn wait_all(&mut self, stops: bool) -> Status {
        let running: Vec<usize> = self
            .jobs
            .iter()
            .filter(|j| j.background && j.state() == JobState::Running)
            .map(|j| j.id)
            .collect();
        for id in running {
            if self.wait_job(id, stops) == Some(INTERRUPTED) {
                return INTERRUPTED;
            }
        }
        let done: Vec<usize> = self
            .jobs
            .iter()
            .filter(|j| j.background && j.state() == JobState::Done)
            .map(|j| j.id)
            .collect();
        for id in done {
            self.forget(id);
        }
        0
    }

    /// Waits for job `id` to end (or stop, with `stops`); its status. A job
    /// that ended is forgotten; a stopped one stays, for `fg` or `kill`.
    pub fn wait_job(&mut self, id: usize, stops: bool) -> Option<Status> {
        self.get(id)?;
        if !self.wait_while_running(id, stops) {
            return Some(INTERRUPTED);
        }
        let job = self.get(id)?;
        let status = job.status();
        if job.state() == JobState::Done {
            self.forget(id);
        }
        Some(status)
    }

    /// `wait -n`: waits until some background job ends (one that already
    /// ended and was not yet waited for counts first), forgets it, and
    /// returns its status; `None` when no background job is left.
    pub fn wait_any(&mut self, stops: bool) -> Option<Status> {
        loop {
            let done = self
                .jobs
                .iter()
                .find(|j| j.background && j.state() == JobState::Done)
                .map(|j| (j.id, j.status()));
            if let Some((id, status)) = done {
                self.forget(id);
                return Some(status);
            }
            if !self
                .jobs
                .iter()
                .any(|j| j.background && j.state() == JobState::Running)
            {
                return None;
            }
            let flags = stops.then_some(WaitPidFlag::WUNTRACED);
            match crate::sys::waitpid(-1, flags.map_or(0, |f| f.bits())) {
                Ok(Some((pid, bits))) => self.record(pid, bits),
                Ok(None) => {}
                Err(Errno::EINTR) if crate::signals::interrupted() => return Some(INTERRUPTED),
                Err(Errno::EINTR) => {}
                Err(_) => return None,
            }
        }
    }

    /// Waits for one child (`wait PID`); `None` if it is not ours. A child
    /// that ended long ago still answers.
    pub fn wait_pid(&mut self, pid: i32, stops: bool) -> Option<Status> {
        let owner = self
            .jobs
            .iter()
            .find(|j| j.processes.iter().any(|p| p.pid == pid));
        let Some(id) = owner.map(|j| j.id) else {
            return self.ended.get(&pid).copied();
        };
        let flags = stops.then_some(WaitPidFlag::WUNTRACED);
        loop {
            let job = self.get(id)?;
            let process = job.processes.iter().find(|p| p.pid == pid)?;
            match process.state {
                ProcessState::Ended(end) => {
                    let status = end.status();
                    if job.state() == JobState::Done {
                        self.forget(id);
                    }
                    return Some(status);
                }
                ProcessState::Stopped(signal) => return Some(128 + signal),
                ProcessState::Running => {}
            }
            match crate::sys::waitpid(-1, flags.map_or(0, |f| f.bits())) {
                Ok(Some((pid, bits))) => self.record(pid, bits),
                Ok(None) => {}
                Err(Errno::EINTR) if crate::signals::interrupted() => return Some(INTERRUPTED),
                Err(Errno::EINTR) => continue,
                Err(_) => self.mark_lost(id),
            }
        }
    }

    /// The lines an interactive shell prints before its prompt: each
    /// background job that changed since it was last shown. Jobs that ended
    /// are forgotten once announced.
    pub fn take_notices(&mut self) -> Vec<JobSummary> {
        let changed: Vec<usize> = self
            .jobs
            .iter()
            .filter(|j| !j.reported && j.state() != JobState::Running)
            .map(|j| j.id)
            .collect();
        let summaries = self.summaries();
        let mut notices = Vec::new();
        for id in changed {
            if let Some(summary) = summaries.iter().find(|s| s.id == id) {
                notices.push(summary.clone());
            }
            if let Some(job) = self.get_mut(id) {
                job.reported = true;
            }
            if summaries
                .iter()
                .any(|s| s.id == id && s.state == JobState::Done)
            {
                self.forget(id);
            }
        }
        notices
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: i32) -> Process {
        Process {
            pid,
            state: ProcessState::Running,
            command: Some(format!("cmd{pid}")),
        }
    }

    /// A child's status as `waitpid` gives it: `exit(code)` puts the
    /// code in the second byte.
    fn exited(code: i32) -> WaitBits {
        WaitBits::decode(code << 8)
    }

    #[test]
    fn numbers_follow_the_highest_in_use() {
        let mut jobs = Jobs::default();
        assert_eq!(jobs.add(None, vec![process(10)], true), 1);
        assert_eq!(jobs.add(None, vec![process(11)], true), 2);
        jobs.forget(2);
        assert_eq!(jobs.add(None, vec![process(12)], true), 2);
    }

    #[test]
    fn a_job_is_done_when_every_process_ended_and_its_status_is_the_last() {
        let mut jobs = Jobs::default();
        let id = jobs.add(None, vec![process(10), process(11)], true);
        jobs.record(11, exited(3));
        assert_eq!(jobs.get(id).unwrap().state(), JobState::Running);
        jobs.record(10, exited(0));
        let job = jobs.get(id).unwrap();
        assert_eq!((job.state(), job.status()), (JobState::Done, 3));
        assert_eq!(job.state_text(), "Exit 3");
    }

    #[test]
    fn a_stopped_job_becomes_current() {
        let mut jobs = Jobs::default();
        jobs.add(None, vec![process(10)], true);
        let second = jobs.add(None, vec![process(11)], true);
        let stopped = jobs.add(None, vec![process(12)], false);
        // 0x147f: stopped (0x7f) by SIGTSTP (20).
        jobs.record(12, WaitBits::decode(0x147f));
        let marks: Vec<(usize, char)> = jobs.summaries().iter().map(|s| (s.id, s.mark)).collect();
        assert_eq!(marks, [(1, ' '), (second, '-'), (stopped, '+')]);
    }

    #[test]
    fn an_ended_job_keeps_its_mark_until_the_marks_move() {
        let mut jobs = Jobs::default();
        let first = jobs.add(None, vec![process(10)], true);
        let second = jobs.add(None, vec![process(11)], true);
        jobs.record(11, exited(3));
        let marks = |jobs: &Jobs| jobs.summaries().iter().map(|s| s.mark).collect::<String>();
        assert_eq!(marks(&jobs), "-+");
        // The marked first job goes away: the ended second one can no
        // longer be current, as in bash.
        jobs.record(10, exited(0));
        jobs.forget(first);
        assert_eq!(marks(&jobs), " ");
        assert!(jobs.get(second).is_some());
    }

    #[test]
    fn ended_children_of_forgotten_jobs_still_answer_wait() {
        let mut jobs = Jobs::default();
        let id = jobs.add(None, vec![process(10)], true);
        jobs.record(10, exited(4));
        let notices = jobs.take_notices();
        assert_eq!(notices.len(), 1);
        assert!(jobs.get(id).is_none());
        assert_eq!(jobs.wait_pid(10, false), Some(4));
        assert_eq!(jobs.wait_pid(99, false), None);
    }
}
