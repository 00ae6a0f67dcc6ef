//! Synchronization: the lecture's and lab's programs on races, locks,
//! deadlock, condition variables, barriers, semaphores, shared memory,
//! thread-local storage and reentrancy.

pub mod barrier;
pub mod broken_lock;
pub mod condition;
pub mod deadlock;
pub mod gil;
pub mod granularity;
pub mod race_condition;
pub mod reentrancy;
pub mod semaphore;
pub mod shared_memory;
pub mod start;
pub mod tls;
