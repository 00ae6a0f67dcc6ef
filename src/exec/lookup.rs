//! What a command name runs: a builtin, or a file found on `$PATH`.
//! The shell searches PATH itself, before forking, so a missing command
//! costs no process and the child only calls `execve`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;

use minishell_builtins::{Builtin, Place};

use crate::status::{NOT_EXECUTABLE, NOT_FOUND, Status};

/// The resolution of a command name.
pub enum Resolved {
    Builtin(&'static Builtin),
    /// A file to `execve`: the name itself when it holds a `/`, else the
    /// first match on PATH.
    File(Vec<u8>),
    /// A name that cannot run, with what the shell says and returns: the
    /// course's `Execution failed for 'NAME'` (127) when nothing is found,
    /// bash's `Is a directory` (126) for a directory given by path.
    Cannot {
        message: Vec<u8>,
        status: Status,
    },
}

/// `path_var` gives `$PATH`, asked only when the name needs a search.
pub fn resolve<'a>(name: &[u8], path_var: impl FnOnce() -> Option<&'a [u8]>) -> Resolved {
    if name.contains(&b'/') {
        return match std::fs::metadata(OsStr::from_bytes(name)) {
            Ok(meta) if meta.is_dir() => Resolved::Cannot {
                message: [&b"minishell: "[..], name, b": Is a directory\n"].concat(),
                status: NOT_EXECUTABLE,
            },
            _ => Resolved::File(name.to_vec()),
        };
    }
    if let Some(builtin) = minishell_builtins::find(name) {
        if builtin.place == Place::Process {
            return lab_demo(builtin, path_var().unwrap_or(DEFAULT_PATH));
        }
        return Resolved::Builtin(builtin);
    }
    search_path(name, path_var().unwrap_or(DEFAULT_PATH))
}

const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/usr/bin:/bin";

/// A lab demo runs in the lab binary beside the shell, under the demo's
/// name, but never hides a program: a program of the same name on PATH
/// wins, and `lab NAME` reaches the demo (the rule in
/// `minishell_builtins::lab`).
fn lab_demo(demo: &Builtin, path_var: &[u8]) -> Resolved {
    if demo.name != minishell_builtins::lab::LAB.name {
        if let program @ Resolved::File(_) = search_path(demo.name.as_bytes(), path_var) {
            return program;
        }
    }
    match minishell_builtins::lab::binary() {
        Some(lab) => Resolved::File(lab.into_os_string().into_encoded_bytes()),
        None => Resolved::Cannot {
            message: minishell_builtins::lab::missing(demo.name.as_bytes()),
            status: NOT_FOUND,
        },
    }
}

/// The first executable regular file named `name` in PATH's directories
/// (an empty entry means the current directory). If only a file without
/// execute permission matches, it is returned anyway so that `execve`
/// reports "Permission denied" (126), as bash does.
pub fn search_path(name: &[u8], path_var: &[u8]) -> Resolved {
    if name.is_empty() {
        return not_found(name);
    }
    let mut not_executable = None;
    for dir in path_var.split(|&b| b == b':') {
        let mut candidate = Vec::with_capacity(dir.len() + name.len() + 1);
        if dir.is_empty() {
            candidate.extend_from_slice(b".");
        } else {
            candidate.extend_from_slice(dir);
        }
        candidate.push(b'/');
        candidate.extend_from_slice(name);
        let Ok(meta) = std::fs::metadata(OsStr::from_bytes(&candidate)) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if meta.permissions().mode() & 0o111 != 0 {
            return Resolved::File(candidate);
        }
        not_executable.get_or_insert(candidate);
    }
    match not_executable {
        Some(file) => Resolved::File(file),
        None => not_found(name),
    }
}

/// The course mini-shell's message for a command it cannot find.
fn not_found(name: &[u8]) -> Resolved {
    Resolved::Cannot {
        message: [&b"Execution failed for '"[..], name, b"'\n"].concat(),
        status: NOT_FOUND,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_come_before_path() {
        assert!(matches!(
            resolve(b"cd", || Some(b"/bin")),
            Resolved::Builtin(_)
        ));
    }

    #[test]
    fn a_demo_yields_to_a_program_of_its_name_on_path() {
        let dir = std::env::temp_dir().join(format!("lookup-demo.{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let program = dir.join("pipe");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.as_os_str().as_bytes().to_vec();
        let resolved = resolve(b"pipe", || Some(&path));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(resolved, Resolved::File(p) if p == program.as_os_str().as_bytes()));
        // `lab` itself is never looked for on PATH.
        assert!(!matches!(
            resolve(b"lab", || Some(&path)),
            Resolved::Builtin(_)
        ));
    }

    #[test]
    fn path_is_searched_in_order() {
        match resolve(b"sh", || Some(b"/nonexistent:/bin:/usr/bin")) {
            Resolved::File(path) => assert_eq!(path, b"/bin/sh"),
            _ => panic!("sh not found on /bin"),
        }
        assert!(matches!(
            resolve(b"no-such-command-x", || Some(b"/bin")),
            Resolved::Cannot { status: 127, .. }
        ));
    }

    #[test]
    fn names_with_a_slash_are_used_as_is() {
        assert!(matches!(resolve(b"./x", || Some(b"")), Resolved::File(p) if p == b"./x"));
        assert!(matches!(
            resolve(b"/", || None),
            Resolved::Cannot { status: 126, .. }
        ));
    }
}
