//! Threads: the lab's programs on creating threads, what they share, their
//! stacks, and the sum-array benchmark with its bugs.

pub mod array;
pub mod guarded;
pub mod multithreaded;
pub mod sum_array;
pub mod sum_array_bugs;
pub mod thread_attrs;
pub mod thread_stacks;
pub mod user_threads;
