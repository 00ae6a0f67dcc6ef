//! Threads: the lab's programs on creating threads, what they share, their
//! stacks, and the sum-array benchmark with its bugs.

pub mod array;
pub mod sum_array;
