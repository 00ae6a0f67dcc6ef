//! Processes and memory: the lab's programs on creating, waiting for and
//! inspecting processes, and on what fork copies.

pub mod clone;
pub mod cow;
pub mod create_process;
pub mod ctx_switch;
pub mod pipe;
pub mod ptree;
pub mod sleepy;
pub mod spawn;
pub mod wait_for_me;
pub mod zombie;
