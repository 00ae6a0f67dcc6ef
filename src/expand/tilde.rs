//! Tilde expansion: `~` is `$HOME`, `~user` that user's home directory,
//! `~+` and `~-` the current and previous directories.

use crate::shell::Shell;

/// The directory `~user` names, or the text as written when there is none.
pub fn expand(shell: &Shell, user: &[u8]) -> Vec<u8> {
    match user {
        b"" => match shell.vars.get("HOME") {
            Some(home) => home.to_vec(),
            None => home_of_uid(nix::unistd::getuid().as_raw()).unwrap_or_else(|| b"~".to_vec()),
        },
        b"+" => shell
            .vars
            .get("PWD")
            .map_or_else(|| b"~+".to_vec(), <[u8]>::to_vec),
        b"-" => shell
            .vars
            .get("OLDPWD")
            .map_or_else(|| b"~-".to_vec(), <[u8]>::to_vec),
        _ => home_of_user(user).unwrap_or_else(|| [&b"~"[..], user].concat()),
    }
}

/// Reads `/etc/passwd` directly: the static binary avoids glibc's NSS,
/// which needs shared libraries at run time.
fn passwd_entries() -> Vec<Vec<Vec<u8>>> {
    let text = std::fs::read("/etc/passwd").unwrap_or_default();
    text.split(|&b| b == b'\n')
        .map(|line| {
            line.split(|&b| b == b':')
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .filter(|fields| fields.len() >= 7)
        .collect()
}

/// The home directory of the user called `user`.
pub fn home_of_user(user: &[u8]) -> Option<Vec<u8>> {
    passwd_entries()
        .into_iter()
        .find(|e| e[0] == user)
        .map(|mut e| e.swap_remove(5))
}

fn home_of_uid(uid: u32) -> Option<Vec<u8>> {
    let uid = uid.to_string().into_bytes();
    passwd_entries()
        .into_iter()
        .find(|e| e[2] == uid)
        .map(|mut e| e.swap_remove(5))
}
