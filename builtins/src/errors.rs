//! System errors worded as shells word them: `No such file or directory`,
//! without Rust's ` (os error 2)` suffix.

use std::io;

/// The error's text as `strerror` gives it, for messages such as
/// `minishell: cd: /x: No such file or directory`.
pub fn plain(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn drops_the_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(super::plain(&e), "No such file or directory");
    }
}
