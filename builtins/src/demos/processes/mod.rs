//! Processes and memory: the lab's programs on creating, waiting for and
//! inspecting processes, and on what fork copies.

pub mod create_process;
