//! Every builtin command of minishell, in one registry: the shell asks it for
//! a name and gets back what to run, where it must run, and its help.
//!
//! This crate knows nothing of the executor. A builtin sees the shell only
//! through the small [`Context`] interface: its output streams, the
//! variables, the background children, and a way to ask the shell to exit.
//! The lab demos are listed here ([`lab`]) but built apart, in the
//! `minishell-demos` crate, so that the shell does not carry them.

mod builtin;
pub mod conditions;
mod context;
pub mod errors;
pub mod jobs;
pub mod lab;
pub mod narrate;
pub mod output;
pub mod quoting;
mod registry;
mod shell;
/// `declare -p`'s line for a variable, also `${a[@]@A}`'s text.
pub use shell::declare::declaration_line;
pub mod signals;
pub mod stack_text;
pub mod syscall_text;
pub mod wait_status;

pub use builtin::{Builtin, Group, Place};
pub use context::{
    CommandKind, Context, Declaration, Flow, JobState, JobSummary, Status, TRAP_DEBUG, TRAP_ERR,
    TRAP_RETURN, TrapAction, VarAttrs, VarInfo, VarValue,
};
pub use registry::{REGISTRY, find};
