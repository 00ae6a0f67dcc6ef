//! The parser on arbitrary bytes: no panic, every error inside the text.
//! The check itself is [`minishell::fuzzing::parse`], which
//! tests/fuzz_replay.rs also runs on the committed corpus.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minishell::fuzzing::parse(data));
