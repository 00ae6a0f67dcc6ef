//! The `minishell` binary: everything it does is in the library
//! ([`minishell::main`]), where the fuzz targets can reach the parts.

fn main() {
    minishell::main();
}
