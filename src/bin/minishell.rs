//! The `minishell` binary: everything it does is in the library
//! ([`minishell::main`]), where the fuzz targets can reach the parts.

// The C runtime calls our `main` below directly: std's wrapper around
// `fn main` installs a stack-overflow handler that reads /proc/self/maps,
// a fifth of what `-c true` executed (callgrind: 46 K of 207 K
// instructions). What else the wrapper does that matters is done in
// `minishell::main`.
#![no_main]

/// The process's entry point, as C's. (std reads argv itself, from its own
/// start-up hook, so `std::env::args_os` works as usual.)
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    minishell::main()
}
