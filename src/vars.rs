//! Shell variables: scalars and arrays, their attributes (exported,
//! readonly, integer…), the scopes functions make with `local`, and the
//! environment built from the exported ones.
//!
//! Scoping is dynamic, as in bash: a function's `local x` hides any `x`
//! of its callers until it returns, and an assignment without `local`
//! changes the nearest `x` visible, whichever function made it.

use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::os::raw::c_char;
use std::os::unix::ffi::OsStringExt;
use std::rc::Rc;

/// What a variable holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Declared but never given a value: `export X`, `local x`, `declare x`.
    Unset,
    Scalar(Vec<u8>),
    /// An indexed array; indices may have gaps (`a[5]=x`).
    Indexed(BTreeMap<i64, Vec<u8>>),
    /// An associative array, in the order keys were first assigned.
    Assoc(Assoc),
}

/// An associative array's entries, kept in insertion order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assoc {
    keys: Vec<Vec<u8>>,
    values: FxHashMap<Vec<u8>, Vec<u8>>,
}

impl Assoc {
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.values.get(key).map(Vec::as_slice)
    }

    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) {
        if !self.values.contains_key(&key) {
            self.keys.push(key.clone());
        }
        self.values.insert(key, value);
    }

    pub fn remove(&mut self, key: &[u8]) {
        if self.values.remove(key).is_some() {
            self.keys.retain(|k| k != key);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.keys
            .iter()
            .filter_map(|k| Some((k.as_slice(), self.values.get(k)?.as_slice())))
    }
}

/// A variable's attributes, as `declare` sets them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attrs {
    pub exported: bool,
    pub readonly: bool,
    /// `declare -i`: assignments are evaluated as arithmetic.
    pub integer: bool,
    /// `declare -l` / `-u`: assignments change case.
    pub lower: bool,
    pub upper: bool,
    /// `declare -n`: the variable names another, and stands for it.
    pub nameref: bool,
    /// `declare -a x` with no value yet: an array that `declare -p` shows
    /// without `=()` until something is assigned.
    pub unassigned: bool,
}

#[derive(Debug, Clone)]
pub struct Var {
    pub value: Value,
    pub attrs: Attrs,
}

impl Var {
    /// The value as one string: a scalar, or an array's element 0.
    pub fn scalar(&self) -> Option<&[u8]> {
        match &self.value {
            Value::Unset => None,
            Value::Scalar(v) => Some(v),
            Value::Indexed(a) => a.get(&0).map(Vec::as_slice),
            Value::Assoc(a) => a.get(b"0"),
        }
    }
}

/// Why a variable could not be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarError {
    Readonly(String),
    /// A chain of namerefs that comes back to where it started.
    Circular(String),
    /// A chain of namerefs longer than bash follows; it says nothing.
    ChainTooLong,
}

impl std::fmt::Display for VarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarError::Readonly(name) => write!(f, "{name}: readonly variable"),
            VarError::Circular(name) => write!(f, "warning: {name}: circular name reference"),
            VarError::ChainTooLong => Ok(()),
        }
    }
}

/// A variable as it was, or `None` if it did not exist, to put back after
/// a command's temporary assignments (`LANG=C sort`).
#[derive(Debug, Clone)]
pub struct Saved(Option<Var>);

/// The entries of the environment the shell started with (`NAME=value`),
/// borrowed from the C runtime's `environ`.
fn inherited_environment() -> Vec<&'static [u8]> {
    unsafe extern "C" {
        static environ: *const *const c_char;
    }
    let mut entries = Vec::new();
    // SAFETY: at start-up, before any thread or `setenv`, `environ` is the
    // array the kernel handed over, ended by a null pointer; its strings
    // are NUL-terminated and never freed, so they live for the program.
    // The shell never changes its own environment afterwards (commands get
    // an environment built from the variables).
    unsafe {
        let mut entry = environ;
        while !entry.is_null() && !(*entry).is_null() {
            entries.push(std::ffi::CStr::from_ptr(*entry).to_bytes());
            entry = entry.add(1);
        }
    }
    entries
}

#[derive(Debug, Default, Clone)]
pub struct Vars {
    /// The global scope first, then one per running function that made a
    /// local variable. Keyed with FxHash, not std's SipHash: names are
    /// short and come from the user, not from an attacker flooding the
    /// table, and every `$X` looks one up.
    ///
    /// Shared, copied on the first change: a virtual subshell (`$( )` run
    /// in the shell) saves the variables by cloning this `Rc`, and only a
    /// body that assigns pays for a copy.
    scopes: Rc<Vec<FxHashMap<String, Var>>>,
    /// The environment of the last external command, kept until an exported
    /// variable changes: building it for each of 2,000 commands would cost
    /// more than the commands' own `execve`.
    environment: Option<Rc<Environment>>,
}

impl Vars {
    /// The variables the shell inherits, all exported.
    ///
    /// Read from `environ` itself, each name and value copied once: std's
    /// `vars_os` copies every entry into a list first (and a lossy name
    /// is one copy more), a tenth of `-c true`'s instructions.
    pub fn from_environment() -> Vars {
        let entries = inherited_environment();
        let mut global =
            FxHashMap::with_capacity_and_hasher(entries.len() + 16, Default::default());
        for entry in entries {
            // `NAME=value`; as std, a leading `=` belongs to the name, and
            // an entry without `=` is no variable.
            let Some(eq) = entry.iter().skip(1).position(|&b| b == b'=').map(|i| i + 1) else {
                continue;
            };
            let name = match std::str::from_utf8(&entry[..eq]) {
                Ok(name) => name.to_owned(),
                Err(_) => String::from_utf8_lossy(&entry[..eq]).into_owned(),
            };
            let attrs = Attrs {
                exported: true,
                ..Attrs::default()
            };
            global.insert(
                name,
                Var {
                    value: Value::Scalar(entry[eq + 1..].to_vec()),
                    attrs,
                },
            );
        }
        Vars {
            scopes: Rc::new(vec![global]),
            environment: None,
        }
    }

    fn scopes_mut(&mut self) -> &mut Vec<FxHashMap<String, Var>> {
        let scopes = Rc::make_mut(&mut self.scopes);
        if scopes.is_empty() {
            scopes.push(FxHashMap::default());
        }
        scopes
    }

    /// The variable `name` as visible here, innermost scope first, through
    /// any nameref (`declare -n`) to the variable it names.
    pub fn var(&self, name: &str) -> Option<&Var> {
        match self.var_raw(name) {
            // The common case, found with one lookup instead of two.
            Some(var) if !var.attrs.nameref => Some(var),
            _ => self.var_raw(&self.target(name)),
        }
    }

    /// The variable `name` itself, a nameref not followed.
    pub fn var_raw(&self, name: &str) -> Option<&Var> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
    }

    fn var_mut(&mut self, name: &str) -> Option<&mut Var> {
        if self.var_raw(name).is_some_and(|var| !var.attrs.nameref) {
            return self.var_raw_mut(name);
        }
        let target = self.target(name).into_owned();
        Rc::make_mut(&mut self.scopes)
            .iter_mut()
            .rev()
            .find_map(|scope| scope.get_mut(&target))
    }

    /// The variable `name` itself, to change, innermost scope first.
    fn var_raw_mut(&mut self, name: &str) -> Option<&mut Var> {
        Rc::make_mut(&mut self.scopes)
            .iter_mut()
            .rev()
            .find_map(|scope| scope.get_mut(name))
    }

    /// The name `name` stands for: itself, or through a chain of namerefs
    /// the variable at its end. It may hold a subscript (`a[2]`). An error
    /// when the chain closes on itself or goes on longer than bash follows
    /// one: such a name stands for nothing (bash expands it to nothing and
    /// refuses to assign through it).
    pub fn resolve<'n>(&self, name: &'n str) -> Result<std::borrow::Cow<'n, str>, VarError> {
        let mut current = std::borrow::Cow::Borrowed(name);
        let mut hops = 0;
        while let Some(var) = self.var_raw(&current) {
            let Value::Scalar(target) = &var.value else {
                break;
            };
            if !var.attrs.nameref || target.is_empty() {
                break;
            }
            if target.as_slice() == name.as_bytes() {
                return Err(VarError::Circular(name.to_owned()));
            }
            if hops == NAMEREF_MAX {
                return Err(VarError::ChainTooLong);
            }
            hops += 1;
            current = std::borrow::Cow::Owned(String::from_utf8_lossy(target).into_owned());
        }
        Ok(current)
    }

    /// [`Vars::resolve`] for readers: a broken chain reads as unset (its
    /// end is a name no variable can have).
    fn target<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        self.resolve(name).unwrap_or(std::borrow::Cow::Borrowed(""))
    }

    /// [`Vars::resolve`] for writers: a broken chain is an error.
    fn target_for_write<'n>(&self, name: &'n str) -> Result<std::borrow::Cow<'n, str>, VarError> {
        self.resolve(name)
    }

    /// A variable's value as one string; `None` when unset. A nameref to
    /// an element (`declare -n r=a[1]`) gives the element.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        // A plain variable (no nameref): one lookup, nothing copied. Every
        // `$x` comes here.
        match self.var_raw(name) {
            Some(var) if !var.attrs.nameref => return var.scalar(),
            // Unset, and no subscript to look into: nothing to follow.
            None if !name.contains('[') => return None,
            _ => {}
        }
        let target = self.target(name);
        if let Some((base, key)) = split_subscript(&target) {
            return match &self.var_raw(base)?.value {
                Value::Indexed(a) => a.get(&key.trim().parse().ok()?).map(Vec::as_slice),
                Value::Assoc(a) => a.get(key.as_bytes()),
                Value::Scalar(v) if key.trim() == "0" => Some(v),
                _ => None,
            };
        }
        self.var_raw(&target)?.scalar()
    }

    /// Whether `name` is set (has a value; an empty array is not set).
    pub fn is_set(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| match &v.value {
            Value::Unset => false,
            Value::Scalar(_) => true,
            Value::Indexed(a) => !a.is_empty(),
            Value::Assoc(a) => !a.is_empty(),
        })
    }

    /// Whether assigning `name` (through its namerefs) would be refused.
    pub fn is_readonly(&self, name: &str) -> bool {
        self.check_writable(name).is_err()
    }

    fn check_writable(&self, name: &str) -> Result<(), VarError> {
        let target = self.target_for_write(name)?;
        match self.var_raw(&target) {
            Some(var) if var.attrs.readonly => Err(VarError::Readonly(name.to_owned())),
            _ => Ok(()),
        }
    }

    /// Changes the variable (the nearest visible one, else a new global),
    /// keeping its attributes.
    fn modify(&mut self, name: &str, f: impl FnOnce(&mut Var)) -> Result<(), VarError> {
        // An existing plain variable: changed where it is found, without
        // resolving the name three times and copying it twice (measured:
        // an assignment cost six lookups and two allocations).
        if let Some(var) = self.var_raw_mut(name) {
            if !var.attrs.nameref {
                if var.attrs.readonly {
                    return Err(VarError::Readonly(name.to_owned()));
                }
                var.attrs.unassigned = false;
                f(var);
                if var.attrs.exported {
                    self.environment = None;
                }
                return Ok(());
            }
        }
        self.check_writable(name)?;
        let target = self.target_for_write(name)?;
        // Through a nameref to an element, the array is what changes.
        let name = split_subscript(&target)
            .map_or(&*target, |(base, _)| base)
            .to_owned();
        let var = match self.var_mut(&name) {
            Some(var) => var,
            None => self.scopes_mut()[0].entry(name.clone()).or_insert(Var {
                value: Value::Unset,
                attrs: Attrs::default(),
            }),
        };
        var.attrs.unassigned = false;
        f(var);
        if var.attrs.exported {
            self.environment = None;
        }
        Ok(())
    }

    /// Assigns a string: to a scalar, or to element 0 of an array.
    pub fn set(&mut self, name: &str, value: Vec<u8>) -> Result<(), VarError> {
        match self.var_raw(name) {
            // A plain variable's own name holds no subscript.
            Some(var) if !var.attrs.nameref => return self.set_plain(name, value),
            // A new variable: no nameref to follow, no attribute to keep,
            // so straight into the global scope (resolving the name first
            // cost eight lookups and four copies of it: a fifth of
            // `-c true`, which sets a dozen variables at start).
            None if !name.contains('[') => {
                let var = Var {
                    value: Value::Scalar(value),
                    attrs: Attrs::default(),
                };
                self.scopes_mut()[0].insert(name.to_owned(), var);
                return Ok(());
            }
            _ => {}
        }
        let target = self.target_for_write(name)?.into_owned();
        if let Some((base, key)) = split_subscript(&target) {
            let (base, key) = (base.to_owned(), key.to_owned());
            return match self.var_raw(&base).map(|v| &v.value) {
                Some(Value::Assoc(_)) => self.set_key(&base, key.into_bytes(), value),
                _ => match key.trim().parse() {
                    Ok(index) => self.set_element(&base, index, value),
                    Err(_) => Ok(()),
                },
            };
        }
        self.set_plain(&target, value)
    }

    fn set_plain(&mut self, name: &str, value: Vec<u8>) -> Result<(), VarError> {
        self.modify(name, |var| {
            let value = change_case(var.attrs, value);
            match &mut var.value {
                Value::Indexed(a) => {
                    a.insert(0, value);
                }
                Value::Assoc(a) => a.insert(b"0".to_vec(), value),
                other => *other = Value::Scalar(value),
            }
        })
    }

    /// Sets a whole value, replacing what was there (`a=(x y)`).
    pub fn set_value(&mut self, name: &str, value: Value) -> Result<(), VarError> {
        self.modify(name, |var| var.value = value)
    }

    /// `a[index]=value`: makes `a` an indexed array if it is not one.
    pub fn set_element(&mut self, name: &str, index: i64, value: Vec<u8>) -> Result<(), VarError> {
        self.modify(name, |var| {
            let value = change_case(var.attrs, value);
            match &mut var.value {
                Value::Indexed(a) => {
                    a.insert(index, value);
                }
                Value::Assoc(a) => a.insert(index.to_string().into_bytes(), value),
                other => {
                    let mut array = BTreeMap::new();
                    if let Value::Scalar(old) = std::mem::replace(other, Value::Unset) {
                        array.insert(0, old);
                    }
                    array.insert(index, value);
                    *other = Value::Indexed(array);
                }
            }
        })
    }

    /// `a[key]=value` on an associative array.
    pub fn set_key(&mut self, name: &str, key: Vec<u8>, value: Vec<u8>) -> Result<(), VarError> {
        self.modify(name, |var| {
            let value = change_case(var.attrs, value);
            match &mut var.value {
                Value::Assoc(a) => a.insert(key, value),
                other => {
                    let mut assoc = Assoc::default();
                    assoc.insert(key, value);
                    *other = Value::Assoc(assoc);
                }
            }
        })
    }

    pub fn set_exported(&mut self, name: &str, exported: bool) {
        let _ = self.modify(name, |var| var.attrs.exported = exported);
        self.environment = None;
    }

    /// Changes attributes with `f`; a readonly variable can still gain
    /// attributes (`export` of a readonly works in bash).
    /// Through a nameref to an element (`declare -n r=a[1]`), the array
    /// gets them.
    pub fn set_attrs(&mut self, name: &str, f: impl FnOnce(&mut Attrs)) {
        let Ok(target) = self.resolve(name) else {
            return;
        };
        let base = split_subscript(&target).map_or(&*target, |(base, _)| base);
        let base = base.to_owned();
        self.set_attrs_raw(&base, f);
    }

    /// Gives the variable itself (a nameref not followed) a scalar value:
    /// how `declare -n ref=x` and `for ref in …` point a nameref.
    pub fn set_raw(&mut self, name: &str, value: Vec<u8>) -> Result<(), VarError> {
        if self.var_raw(name).is_some_and(|v| v.attrs.readonly) {
            return Err(VarError::Readonly(name.to_owned()));
        }
        match Rc::make_mut(&mut self.scopes)
            .iter_mut()
            .rev()
            .find_map(|scope| scope.get_mut(name))
        {
            Some(var) => var.value = Value::Scalar(value),
            None => {
                self.scopes_mut()[0].insert(
                    name.to_owned(),
                    Var {
                        value: Value::Scalar(value),
                        attrs: Attrs::default(),
                    },
                );
            }
        }
        self.environment = None;
        Ok(())
    }

    /// The same on the variable itself, a nameref not followed: how
    /// `declare -n` makes one.
    pub fn set_attrs_raw(&mut self, name: &str, f: impl FnOnce(&mut Attrs)) {
        let var = match Rc::make_mut(&mut self.scopes)
            .iter_mut()
            .rev()
            .find_map(|scope| scope.get_mut(name))
        {
            Some(var) => var,
            None => self.scopes_mut()[0].entry(name.to_owned()).or_insert(Var {
                value: Value::Unset,
                attrs: Attrs::default(),
            }),
        };
        f(&mut var.attrs);
        self.environment = None;
    }

    /// Saves a variable as it is now, to [`Vars::restore`] it later.
    pub fn saved(&self, name: &str) -> Saved {
        Saved(self.var(name).cloned())
    }

    /// Puts back what [`Vars::saved`] kept, in the scope it came from (the
    /// innermost one holding it, else the global one).
    pub fn restore(&mut self, name: &str, saved: Saved) {
        self.environment = None;
        match saved.0 {
            Some(var) => match self.var_mut(name) {
                Some(slot) => *slot = var,
                None => {
                    self.scopes_mut()[0].insert(name.to_owned(), var);
                }
            },
            None => {
                for scope in Rc::make_mut(&mut self.scopes).iter_mut().rev() {
                    if scope.remove(name).is_some() {
                        break;
                    }
                }
            }
        }
    }

    /// `unset name`: removes the nearest visible variable (through a
    /// nameref, the one it names).
    pub fn unset(&mut self, name: &str) -> Result<(), VarError> {
        // A loop of namerefs: bash warns and unsets the name itself.
        let target = self
            .resolve(name)
            .map_or_else(|_| name.to_owned(), |t| t.into_owned());
        if self.var_raw(&target).is_some_and(|v| v.attrs.readonly) {
            return Err(VarError::Readonly(name.to_owned()));
        }
        if let Some((base, key)) = split_subscript(&target) {
            let index = key.trim().parse().ok();
            let (base, key) = (base.to_owned(), key.as_bytes().to_vec());
            return self.unset_element(&base, &key, index);
        }
        self.unset_raw(&target)
    }

    /// `unset -n name`: removes the variable itself, nameref or not.
    ///
    /// A local of the running function stays local, only unset (bash's
    /// "local unset": `${x-default}` after it gives the default, not the
    /// global); a variable of an outer scope goes, revealing the one below.
    pub fn unset_raw(&mut self, name: &str) -> Result<(), VarError> {
        let top = self.scopes.len().saturating_sub(1);
        for (depth, scope) in Rc::make_mut(&mut self.scopes).iter_mut().enumerate().rev() {
            let Some(var) = scope.get_mut(name) else {
                continue;
            };
            if var.attrs.exported {
                self.environment = None;
            }
            if depth == top && depth > 0 {
                var.value = Value::Unset;
                var.attrs = Attrs::default();
            } else {
                scope.remove(name);
            }
            break;
        }
        Ok(())
    }

    /// `unset 'a[i]'`.
    pub fn unset_element(
        &mut self,
        name: &str,
        key: &[u8],
        index: Option<i64>,
    ) -> Result<(), VarError> {
        self.modify(name, |var| match &mut var.value {
            Value::Indexed(a) => {
                if let Some(i) = index {
                    a.remove(&i);
                }
            }
            Value::Assoc(a) => a.remove(key),
            Value::Scalar(_) if index == Some(0) => var.value = Value::Unset,
            _ => {}
        })
    }

    /// Starts a function's scope for its `local` variables.
    pub fn push_scope(&mut self) {
        self.scopes_mut().push(FxHashMap::default());
    }

    /// Ends a function's scope: its locals go.
    pub fn pop_scope(&mut self) {
        if self.scopes.len() > 1 {
            if let Some(scope) = Rc::make_mut(&mut self.scopes).pop() {
                if scope.values().any(|v| v.attrs.exported) {
                    self.environment = None;
                }
            }
        }
    }

    /// Whether a function scope is open (`local` is allowed).
    pub fn in_function(&self) -> bool {
        self.scopes.len() > 1
    }

    /// `local name`: a variable of the innermost scope, hiding any outer
    /// one, starting unset (bash keeps no value for a plain `local x`).
    /// With `inherit` (`shopt -s localvar_inherit`), it starts with the
    /// value and attributes of the variable it hides.
    pub fn make_local(&mut self, name: &str, inherit: bool) -> Result<(), VarError> {
        let scopes = self.scopes_mut();
        let top = scopes.len() - 1;
        if top == 0 {
            return Ok(());
        }
        if scopes[top].contains_key(name) {
            return Ok(());
        }
        let inherited = self.var(name).map(|v| v.attrs).unwrap_or_default();
        if inherited.readonly {
            return Err(VarError::Readonly(name.to_owned()));
        }
        let var = match self.var(name).filter(|v| inherit && !v.attrs.nameref) {
            Some(outer) => outer.clone(),
            None => Var {
                value: Value::Unset,
                attrs: Attrs {
                    exported: inherited.exported,
                    ..Attrs::default()
                },
            },
        };
        Rc::make_mut(&mut self.scopes)[top].insert(name.to_owned(), var);
        self.environment = None;
        Ok(())
    }

    /// Every visible variable, sorted by name: for `set` and `declare -p`.
    pub fn visible(&self) -> Vec<(&str, &Var)> {
        let mut seen: FxHashMap<&str, &Var> = FxHashMap::default();
        for scope in self.scopes.iter() {
            for (name, var) in scope {
                seen.insert(name.as_str(), var);
            }
        }
        let mut list: Vec<(&str, &Var)> = seen.into_iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        list
    }

    /// The names of the set variables starting with `prefix`, sorted:
    /// `${!prefix*}`.
    pub fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.visible()
            .into_iter()
            .filter(|(name, var)| name.starts_with(prefix) && var.value != Value::Unset)
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    /// The exported variables, sorted by name, for `export -p`.
    pub fn exported(&self) -> Vec<(String, Option<OsString>)> {
        self.visible()
            .into_iter()
            .filter(|(_, var)| var.attrs.exported)
            .map(|(name, var)| {
                (
                    name.to_owned(),
                    var.scalar().map(|v| OsString::from_vec(v.to_vec())),
                )
            })
            .collect()
    }

    /// The environment for a command: every exported variable with a value.
    pub fn environment(&mut self) -> Rc<Environment> {
        if let Some(environment) = &self.environment {
            return Rc::clone(environment);
        }
        let environment = Rc::new(Environment::new(
            self.visible()
                .into_iter()
                .filter(|(_, var)| var.attrs.exported)
                .filter_map(|(name, var)| Some((name, var.scalar()?))),
        ));
        self.environment = Some(Rc::clone(&environment));
        environment
    }
}

/// How many namerefs a chain may pass through (bash's `NAMEREF_MAX`).
const NAMEREF_MAX: usize = 8;

/// `a[2]` as (`a`, `2`); `None` for a plain name.
pub fn split_subscript(name: &str) -> Option<(&str, &str)> {
    let open = name.find('[')?;
    let inside = name[open + 1..].strip_suffix(']')?;
    Some((&name[..open], inside))
}

/// `declare -l` and `-u` change the case of what is assigned.
fn change_case(attrs: Attrs, value: Vec<u8>) -> Vec<u8> {
    if attrs.lower {
        String::from_utf8_lossy(&value).to_lowercase().into_bytes()
    } else if attrs.upper {
        String::from_utf8_lossy(&value).to_uppercase().into_bytes()
    } else {
        value
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
    /// No variables at all (`exec -c`, `env -i`).
    pub fn empty() -> Environment {
        Environment::new(std::iter::empty())
    }

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

    /// How many variables it holds.
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

    fn vars() -> Vars {
        let mut vars = Vars::default();
        vars.push_scope();
        vars.pop_scope();
        vars
    }

    #[test]
    fn assignment_keeps_the_export_flag() {
        let mut vars = vars();
        vars.set("A", b"1".to_vec()).unwrap();
        assert_eq!(vars.environment().len(), 0);
        vars.set_exported("A", true);
        assert_eq!(vars.environment().len(), 1);
        vars.set("A", b"2".to_vec()).unwrap();
        assert_eq!(vars.exported(), vec![("A".into(), Some("2".into()))]);
    }

    #[test]
    fn exported_without_value_stays_out_of_the_environment() {
        let mut vars = vars();
        vars.set_exported("B", true);
        assert_eq!(vars.environment().len(), 0);
        assert_eq!(vars.exported(), vec![("B".into(), None)]);
    }

    #[test]
    fn locals_hide_and_assignments_reach_the_nearest() {
        let mut vars = vars();
        vars.set("x", b"global".to_vec()).unwrap();
        vars.push_scope();
        vars.make_local("x", false).unwrap();
        assert_eq!(vars.get("x"), None);
        vars.set("x", b"local".to_vec()).unwrap();
        vars.push_scope();
        vars.set("x", b"inner".to_vec()).unwrap();
        vars.pop_scope();
        assert_eq!(vars.get("x"), Some(&b"inner"[..]));
        vars.pop_scope();
        assert_eq!(vars.get("x"), Some(&b"global"[..]));
    }

    #[test]
    fn readonly_refuses_changes() {
        let mut vars = vars();
        vars.set("r", b"1".to_vec()).unwrap();
        vars.set_attrs("r", |a| a.readonly = true);
        assert!(vars.set("r", b"2".to_vec()).is_err());
        assert!(vars.unset("r").is_err());
        assert_eq!(vars.get("r"), Some(&b"1"[..]));
    }

    #[test]
    fn arrays_and_element_zero() {
        let mut vars = vars();
        vars.set_element("a", 2, b"two".to_vec()).unwrap();
        assert_eq!(vars.get("a"), None);
        vars.set("a", b"zero".to_vec()).unwrap();
        assert_eq!(vars.get("a"), Some(&b"zero"[..]));
        vars.set_key("h", b"k".to_vec(), b"v".to_vec()).unwrap();
        assert!(vars.is_set("h"));
    }
}
