//! Shell variables and the environment built from the exported ones.
//!
//! Every variable lives in one table; `exported` marks the ones children
//! inherit. Variables the shell was started with are exported, so
//! assigning `USER=x` changes what later commands see, as in bash.

use rustc_hash::FxHashMap;
use std::ffi::{CString, OsString};
use std::os::raw::c_char;
use std::os::unix::ffi::OsStringExt;
use std::rc::Rc;

#[derive(Debug, Clone)]
struct Var {
    /// `None` for a name exported before it had a value (`export X`).
    value: Option<Vec<u8>>,
    exported: bool,
}

/// A variable as it was, or `None` if it did not exist.
#[derive(Debug, Clone)]
pub struct Saved(Option<Var>);

#[derive(Debug, Default, Clone)]
pub struct Vars {
    /// Keyed with FxHash, not std's SipHash: variable names are short and
    /// come from the user, not from an attacker flooding the table, and
    /// every `$X` and assignment looks one up.
    table: FxHashMap<String, Var>,
    /// The environment of the last external command, kept until an exported
    /// variable changes: building it for each of 2,000 commands would cost
    /// more than the commands' own `execve`.
    environment: Option<Rc<Environment>>,
}

impl Vars {
    /// The variables the shell inherits, all exported.
    pub fn from_environment() -> Vars {
        let mut vars = Vars::default();
        for (name, value) in std::env::vars_os() {
            let name = name.to_string_lossy().into_owned();
            vars.table.insert(
                name,
                Var {
                    value: Some(value.into_vec()),
                    exported: true,
                },
            );
        }
        vars
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.table.get(name).and_then(|v| v.value.as_deref())
    }

    /// Sets a variable, keeping whether it is exported.
    pub fn set(&mut self, name: &str, value: Vec<u8>) {
        match self.table.get_mut(name) {
            Some(var) => {
                if var.exported {
                    self.environment = None;
                }
                var.value = Some(value);
            }
            None => {
                let var = Var {
                    value: Some(value),
                    exported: false,
                };
                self.table.insert(name.to_owned(), var);
            }
        }
    }

    pub fn set_exported(&mut self, name: &str, exported: bool) {
        let var = self.table.entry(name.to_owned()).or_insert(Var {
            value: None,
            exported,
        });
        if var.exported != exported && var.value.is_some() {
            self.environment = None;
        }
        var.exported = exported;
    }

    /// A copy of the variable as it is now, to [`Vars::restore`] after a
    /// command's temporary assignments (`LANG=C sort`).
    pub fn saved(&self, name: &str) -> Saved {
        Saved(self.table.get(name).cloned())
    }

    pub fn restore(&mut self, name: &str, saved: Saved) {
        self.environment = None;
        match saved.0 {
            Some(var) => self.table.insert(name.to_owned(), var),
            None => self.table.remove(name),
        };
    }

    pub fn unset(&mut self, name: &str) {
        if let Some(var) = self.table.remove(name) {
            if var.exported {
                self.environment = None;
            }
        }
    }

    /// The exported variables, sorted by name, for `export -p`.
    pub fn exported(&self) -> Vec<(String, Option<OsString>)> {
        let mut list: Vec<_> = self
            .table
            .iter()
            .filter(|(_, var)| var.exported)
            .map(|(name, var)| (name.clone(), var.value.clone().map(OsString::from_vec)))
            .collect();
        list.sort();
        list
    }

    /// The environment for a command: every exported variable with a value.
    pub fn environment(&mut self) -> Rc<Environment> {
        if let Some(environment) = &self.environment {
            return Rc::clone(environment);
        }
        let environment = Rc::new(Environment::new(self.exported_pairs()));
        self.environment = Some(Rc::clone(&environment));
        environment
    }

    fn exported_pairs(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.table
            .iter()
            .filter_map(|(name, var)| match (&var.value, var.exported) {
                (Some(value), true) => Some((name.as_str(), value.as_slice())),
                _ => None,
            })
    }
}

/// An `envp` array for `execve`: `NAME=value` C strings and the
/// NULL-terminated array of pointers to them, built before `fork` so the
/// child only passes a pointer.
#[derive(Debug)]
#[allow(dead_code)] // `strings` is read only through `pointers`.
pub struct Environment {
    /// Owned here so that `pointers` stay valid.
    strings: Vec<CString>,
    pointers: Vec<*const c_char>,
}

impl Environment {
    fn new<'a>(pairs: impl Iterator<Item = (&'a str, &'a [u8])>) -> Environment {
        let strings: Vec<CString> = pairs
            .filter_map(|(name, value)| {
                let mut entry = Vec::with_capacity(name.len() + value.len() + 2);
                entry.extend_from_slice(name.as_bytes());
                entry.push(b'=');
                entry.extend_from_slice(value);
                CString::new(entry).ok()
            })
            .collect();
        let pointers = null_terminated(&strings);
        Environment { strings, pointers }
    }

    /// The `envp` argument of `execve`; valid while `self` lives.
    pub fn as_ptr(&self) -> *const *const c_char {
        self.pointers.as_ptr()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.strings.len()
    }
}

/// A NULL-terminated array of pointers into `strings`, as `execve` takes
/// for both `argv` and `envp`. The pointers stay valid as long as the
/// strings are not dropped: a `CString`'s bytes never move.
pub fn null_terminated(strings: &[CString]) -> Vec<*const c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_keeps_the_export_flag() {
        let mut vars = Vars::default();
        vars.set("A", b"1".to_vec());
        assert_eq!(vars.environment().len(), 0);
        vars.set_exported("A", true);
        assert_eq!(vars.environment().len(), 1);
        vars.set("A", b"2".to_vec());
        assert_eq!(vars.exported(), vec![("A".into(), Some("2".into()))]);
    }

    #[test]
    fn exported_without_value_stays_out_of_the_environment() {
        let mut vars = Vars::default();
        vars.set_exported("B", true);
        assert_eq!(vars.environment().len(), 0);
        assert_eq!(vars.exported(), vec![("B".into(), None)]);
    }
}
