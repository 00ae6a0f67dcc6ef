//! Parse, print with Display, parse again: the same tree.
//! The check itself is [`minishell::fuzzing::round_trip`], which
//! tests/fuzz_replay.rs also runs on the committed corpus.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minishell::fuzzing::round_trip(data));
