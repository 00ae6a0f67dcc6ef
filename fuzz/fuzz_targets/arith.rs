//! The arithmetic evaluator on arbitrary text against a fixed shell state.
//! The check itself is [`minishell::fuzzing::arith`], which
//! tests/fuzz_replay.rs also runs on the committed corpus.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minishell::fuzzing::arith(data));
