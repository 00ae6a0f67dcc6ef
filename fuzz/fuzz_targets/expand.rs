//! Expansion of arbitrary words against a fixed shell state, starting no process.
//! The check itself is [`minishell::fuzzing::expand`], which
//! tests/fuzz_replay.rs also runs on the committed corpus.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minishell::fuzzing::expand(data));
