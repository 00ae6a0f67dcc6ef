//! Placeholder: the shell benchmark lands with its harness.
fn main() {}
