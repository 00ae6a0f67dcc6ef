//! Processes and memory: the lab's programs on creating, waiting for and
//! inspecting processes, and on what fork copies.

pub mod clone;
pub mod cow;
pub mod create_cost;
pub mod create_process;
pub mod ctx_switch;
pub mod exec_fds;
pub mod orphan;
pub mod pipe;
pub mod ptree;
pub mod sigchld;
pub mod sleepy;
pub mod spawn;
pub mod wait_for_me;
pub mod zombie;

use std::time::{Duration, Instant};

/// Calls `check` every millisecond until it gives a value, for at most
/// five seconds: how the process demos wait for the kernel to show a
/// state (a zombie, an adoption) without sleeping a guessed time.
pub(crate) fn poll_for<T>(mut check: impl FnMut() -> Option<T>) -> Option<T> {
    const PATIENCE: Duration = Duration::from_secs(5);
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > PATIENCE {
            return None;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
