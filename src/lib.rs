//! minishell: the course's mini-shell grown into a real shell. The crate is
//! the shell's modules behind two doors: [`main`], the whole program, which
//! the binary (`src/bin/minishell.rs`) runs; and [`fuzzing`], the few
//! pieces the fuzz targets (`fuzz/`) and their replay test drive on their
//! own. Nothing else is public: the shell is a program, not a library.

mod ast;
mod bytes;
mod cli;
mod cond;
mod exec;
mod expand;
mod explain;
pub mod fuzzing;
mod input;
mod jobs;
mod options;
mod parse;
mod pattern;
mod prompt;
mod quote;
mod regex;
mod repl;
mod shell;
mod signals;
mod start;
mod status;
mod sys;
mod terminal;
mod traps;
mod vars;

pub use start::main;
