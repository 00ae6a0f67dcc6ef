//! What a command name runs: a function, a builtin, or a file found on
//! `$PATH`, in that order (bash's; POSIX puts its special builtins before
//! functions, bash only in POSIX mode). The shell searches PATH itself,
//! before forking, so a missing command costs no process and the child
//! only calls `execve`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::rc::Rc;

use minishell_builtins::{Builtin, CommandKind, Place};

use crate::ast::FunctionDef;
use crate::shell::Shell;
use crate::status::{NOT_EXECUTABLE, NOT_FOUND, Status};

/// The resolution of a command name.
pub enum Resolved {
    Function(Rc<FunctionDef>),
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

impl Resolved {
    /// The file to run, if the name resolved to one.
    pub fn file(self) -> Option<Vec<u8>> {
        match self {
            Resolved::File(path) => Some(path),
            _ => None,
        }
    }
}

impl Shell {
    /// What `name` runs here: a function first, then the builtins and PATH.
    pub(super) fn resolve(&mut self, name: &[u8]) -> Resolved {
        if let Ok(text) = std::str::from_utf8(name) {
            if let Some(def) = self.functions.get(text) {
                return Resolved::Function(Rc::clone(def));
            }
        }
        // A builtin needs neither the hash nor PATH, nor the message
        // prefix (a `format!` per command, measured at 4% of a loop's time).
        if !name.contains(&b'/') {
            if let Some(builtin) = minishell_builtins::find(name) {
                if builtin.place != Place::Process {
                    return Resolved::Builtin(builtin);
                }
            }
        }
        if let Some(path) = self.hashed(name) {
            crate::explain::hashed(name, &path);
            return Resolved::File(path);
        }
        let prefix = self.error_prefix();
        let resolved = resolve(name, || self.vars.get("PATH"), prefix.as_bytes());
        if let Resolved::File(path) = &resolved {
            if !name.contains(&b'/') && self.options.hashall {
                self.command_hash.insert(name.to_vec(), (path.clone(), 1));
            }
        }
        match resolved {
            Resolved::Cannot {
                status: NOT_FOUND, ..
            } if self.script_name.is_some() => Resolved::Cannot {
                message: self.missing_message(name, false),
                status: NOT_FOUND,
            },
            other => other,
        }
    }

    /// Where `name` was found before, if PATH is still the one it was found
    /// on and the file is still there (counting one more use).
    fn hashed(&mut self, name: &[u8]) -> Option<Vec<u8>> {
        if name.contains(&b'/') {
            return None;
        }
        let path = self.vars.get("PATH").unwrap_or_default();
        if path != self.hashed_path.as_slice() {
            // A new PATH: whatever was found on the old one may be wrong.
            self.hashed_path = path.to_vec();
            self.command_hash.clear();
            return None;
        }
        if self.command_hash.is_empty() || minishell_builtins::find(name).is_some() {
            return None;
        }
        let (found, hits) = self.command_hash.get_mut(name)?;
        if std::fs::metadata(OsStr::from_bytes(found)).is_err() {
            self.command_hash.remove(name);
            return None;
        }
        *hits += 1;
        Some(found.clone())
    }

    /// What the shell says of a command it cannot find: the course
    /// mini-shell's `Execution failed for 'NAME'` at a prompt and on
    /// standard input; in a script, bash's words with the place
    /// (`x.sh: line 3: nosuch: command not found`, or for a path that does
    /// not exist `No such file or directory`).
    pub fn missing_message(&self, name: &[u8], is_path: bool) -> Vec<u8> {
        if self.script_name.is_none() {
            return [&b"Execution failed for '"[..], name, b"'\n"].concat();
        }
        let what: &[u8] = match is_path || name.contains(&b'/') {
            true => b": No such file or directory\n",
            false => b": command not found\n",
        };
        [self.error_prefix().as_bytes(), name, what].concat()
    }
}

impl Shell {
    /// What `type` says of `name`: each way it resolves, in the order the
    /// shell tries them (all of them with `all`, for `type -a`).
    pub fn describe_command(&self, name: &[u8], all: bool) -> Vec<CommandKind> {
        let mut kinds = Vec::new();
        let text = String::from_utf8_lossy(name);
        if let Some(value) = self.aliases.get(&*text) {
            kinds.push(CommandKind::Alias(
                String::from_utf8_lossy(value).into_owned(),
            ));
        }
        if crate::parse::is_reserved_word(name) {
            kinds.push(CommandKind::Keyword);
        }
        if let Some(def) = self.functions.get(&*text) {
            kinds.push(CommandKind::Function(crate::ast::pretty::function(def)));
        }
        if !name.contains(&b'/') {
            if let Some(builtin) = minishell_builtins::find(name) {
                let shadowed = builtin.place == Place::Process
                    && builtin.name != minishell_builtins::lab::LAB.name
                    && matches!(
                        search_path(name, self.vars.get("PATH").unwrap_or(DEFAULT_PATH)),
                        Resolved::File(_)
                    );
                // A demo yields to a program of its name (it runs as
                // `lab NAME` then): the program is what the name runs.
                if !shadowed {
                    kinds.push(match builtin.place {
                        Place::Process => CommandKind::Demo,
                        _ => CommandKind::Builtin {
                            special: self.options.posix && SPECIAL_BUILTINS.contains(&&*text),
                        },
                    });
                }
            }
        }
        if !all && !kinds.is_empty() {
            return kinds;
        }
        if let Some((path, _)) = self.command_hash.get(name) {
            kinds.push(CommandKind::Hashed(OsStr::from_bytes(path).to_owned()));
            if !all {
                return kinds;
            }
        }
        if name.contains(&b'/') {
            let executable = std::fs::metadata(OsStr::from_bytes(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if executable {
                kinds.push(CommandKind::File(OsStr::from_bytes(name).to_owned()));
            }
            return kinds;
        }
        let path = self
            .vars
            .get("PATH")
            .unwrap_or(b"/usr/local/bin:/usr/bin:/bin");
        for dir in path.split(|&b| b == b':') {
            let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
            let candidate = [dir, b"/", name].concat();
            let executable = std::fs::metadata(OsStr::from_bytes(&candidate))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if executable {
                kinds.push(CommandKind::File(OsStr::from_bytes(&candidate).to_owned()));
                if !all {
                    break;
                }
            }
        }
        kinds
    }
}

/// POSIX's special builtins: errors in them end a POSIX shell, and `type`
/// names them so in POSIX mode (bash's, outside it, calls them plain).
const SPECIAL_BUILTINS: &[&str] = &[
    ".", ":", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set",
    "shift", "source", "times", "trap", "unset",
];

/// `path_var` gives `$PATH`, asked only when the name needs a search.
/// `prefix` starts the message of a name that cannot run.
pub fn resolve<'a>(
    name: &[u8],
    path_var: impl FnOnce() -> Option<&'a [u8]>,
    prefix: &[u8],
) -> Resolved {
    if name.contains(&b'/') {
        return match std::fs::metadata(OsStr::from_bytes(name)) {
            Ok(meta) if meta.is_dir() => Resolved::Cannot {
                message: [prefix, name, b": Is a directory\n"].concat(),
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
    let mut tried = Vec::new();
    let explaining = minishell_builtins::narrate::on();
    let mut note = |candidate: &[u8], what: &'static str| {
        if explaining {
            tried.push((candidate.to_vec(), what));
        }
    };
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
            note(&candidate, "no such file");
            continue;
        };
        if !meta.is_file() {
            note(&candidate, "not a regular file");
            continue;
        }
        if meta.permissions().mode() & 0o111 != 0 {
            note(&candidate, "found: this one runs");
            crate::explain::path_search(name, &tried);
            return Resolved::File(candidate);
        }
        note(&candidate, "not executable");
        not_executable.get_or_insert(candidate);
    }
    crate::explain::path_search(name, &tried);
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
            resolve(b"cd", || Some(b"/bin"), b"minishell: "),
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
        let resolved = resolve(b"pipe", || Some(&path), b"minishell: ");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(resolved, Resolved::File(p) if p == program.as_os_str().as_bytes()));
        // `lab` itself is never looked for on PATH.
        assert!(!matches!(
            resolve(b"lab", || Some(&path), b"minishell: "),
            Resolved::Builtin(_)
        ));
    }

    #[test]
    fn path_is_searched_in_order() {
        match resolve(
            b"sh",
            || Some(b"/nonexistent:/bin:/usr/bin"),
            b"minishell: ",
        ) {
            Resolved::File(path) => assert_eq!(path, b"/bin/sh"),
            _ => panic!("sh not found on /bin"),
        }
        assert!(matches!(
            resolve(b"no-such-command-x", || Some(b"/bin"), b"minishell: "),
            Resolved::Cannot { status: 127, .. }
        ));
    }

    #[test]
    fn names_with_a_slash_are_used_as_is() {
        assert!(
            matches!(resolve(b"./x", || Some(b""), b"minishell: "), Resolved::File(p) if p == b"./x")
        );
        assert!(matches!(
            resolve(b"/", || None, b"minishell: "),
            Resolved::Cannot { status: 126, .. }
        ));
    }
}
