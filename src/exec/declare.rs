//! Declarations: what `declare`, `typeset`, `local`, `readonly` and
//! `export` do to one variable: make it local, give or take attributes
//! (an array, an integer, readonly…), and assign a value, which for an
//! array is the text of `(…)` read back with the parser.

use minishell_builtins::{Declaration, VarAttrs, VarInfo, VarValue};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::ast::{AssignValue, Command};
use crate::shell::Shell;
use crate::vars::{Value, Var};

impl Shell {
    /// Carries out one declaration; the error in bash's words.
    pub fn declare(&mut self, d: &Declaration) -> Result<(), String> {
        let name = d.name;
        if d.local {
            if !self.vars.in_function() {
                return Err("can only be used in a function".to_owned());
            }
            self.vars
                .make_local(name, self.options.localvar_inherit)
                .map_err(|e| e.to_string())?;
        }
        // An array attribute wins over -n (`declare -na r=x` is an array).
        let array = d.set.indexed || d.set.assoc;
        if (d.set.nameref && !array) || d.clear.nameref {
            return self.declare_nameref(d);
        }
        if let Some(base) = self.element_reference(name) {
            // Through a nameref to an element, the array takes the
            // attributes, and a value goes to the element.
            return self.declare_through_reference(d, &base);
        }
        let current = self.vars.var(name).cloned();
        if let Some(var) = &current {
            if var.attrs.readonly && (d.value.is_some() || d.clear.readonly) {
                return Err(format!("{name}: readonly variable"));
            }
            if d.set.indexed && matches!(var.value, Value::Assoc(_)) {
                return Err(format!(
                    "{name}: cannot convert associative to indexed array"
                ));
            }
            if d.set.assoc && matches!(var.value, Value::Indexed(_)) {
                return Err(format!(
                    "{name}: cannot convert indexed to associative array"
                ));
            }
        }
        // The shape first: an array attribute makes the variable an array.
        let exists = current.is_some();
        if d.set.indexed || d.set.assoc || !exists {
            let value = match (
                &current.as_ref().map(|v| &v.value),
                d.set.assoc,
                d.set.indexed,
            ) {
                (Some(Value::Scalar(s)), false, true) => {
                    Value::Indexed(std::iter::once((0, s.clone())).collect())
                }
                (Some(Value::Indexed(_) | Value::Assoc(_)), _, _) => current
                    .as_ref()
                    .map(|v| v.value.clone())
                    .unwrap_or(Value::Unset),
                (_, true, _) => Value::Assoc(Default::default()),
                (_, _, true) => Value::Indexed(Default::default()),
                (Some(other), _, _) => (*other).clone(),
                (None, _, _) => Value::Unset,
            };
            let was_unset = current
                .as_ref()
                .is_none_or(|v| matches!(v.value, Value::Unset));
            let fresh_array = was_unset && d.value.is_none() && (d.set.indexed || d.set.assoc);
            self.vars
                .set_value(name, value)
                .map_err(|e| e.to_string())?;
            if fresh_array {
                self.vars.set_attrs(name, |attrs| attrs.unassigned = true);
            }
        }
        self.vars.set_attrs(name, |attrs| {
            let on = d.set;
            let off = d.clear;
            attrs.exported = (attrs.exported || on.exported) && !off.exported;
            attrs.integer = (attrs.integer || on.integer) && !off.integer;
            if on.lower {
                attrs.lower = true;
                attrs.upper = false;
            }
            if on.upper {
                attrs.upper = true;
                attrs.lower = false;
            }
            if off.lower {
                attrs.lower = false;
            }
            if off.upper {
                attrs.upper = false;
            }
        });
        if let Some(text) = d.value {
            self.assign_declared(name, text, d.append)?;
        }
        if d.set.readonly {
            self.vars.set_attrs(name, |attrs| attrs.readonly = true);
        }
        Ok(())
    }

    /// The array whose element `name` refers to, when it is a nameref to
    /// one (`declare -n r='a[1]'`).
    pub(super) fn element_reference(&self, name: &str) -> Option<String> {
        if !self.vars.var_raw(name).is_some_and(|v| v.attrs.nameref) {
            return None;
        }
        let target = self.vars.resolve(name).ok()?;
        let (base, _) = crate::vars::split_subscript(&target)?;
        Some(base.to_owned())
    }

    fn declare_through_reference(&mut self, d: &Declaration, base: &str) -> Result<(), String> {
        if let Some(text) = d.value {
            self.assign_text(d.name, text, d.append)?;
        }
        let (on, off) = (d.set, d.clear);
        self.vars.set_attrs(base, |attrs| {
            attrs.exported = (attrs.exported || on.exported) && !off.exported;
            attrs.integer = (attrs.integer || on.integer) && !off.integer;
            attrs.readonly |= on.readonly;
        });
        Ok(())
    }

    /// `declare -n ref=target` (a name reference) or `declare +n ref`.
    fn declare_nameref(&mut self, d: &Declaration) -> Result<(), String> {
        let name = d.name;
        if d.clear.nameref {
            self.vars.set_attrs_raw(name, |attrs| attrs.nameref = false);
            return Ok(());
        }
        if let Some(value) = d.value {
            let target = String::from_utf8_lossy(value).into_owned();
            let base = target.split('[').next().unwrap_or_default();
            if !crate::parse::is_name(base.as_bytes()) {
                return Err(format!(
                    "`{target}': invalid variable name for name reference"
                ));
            }
            if target == name {
                return Err(format!(
                    "{name}: nameref variable self references not allowed"
                ));
            }
            self.vars
                .set_raw(name, value.to_vec())
                .map_err(|e| e.to_string())?;
        } else if let Some(var) = self.vars.var_raw(name).filter(|v| !v.attrs.nameref) {
            // `x=1; declare -n x`: the value must name a variable.
            if let Value::Scalar(value) = &var.value {
                let base = value.split(|&b| b == b'[').next().unwrap_or_default();
                if !value.is_empty() && !crate::parse::is_name(base) {
                    return Err(format!(
                        "`{}': invalid variable name for name reference",
                        String::from_utf8_lossy(value)
                    ));
                }
            }
        } else if self.vars.var_raw(name).is_none() {
            self.vars
                .set_value(name, Value::Unset)
                .map_err(|e| e.to_string())?;
        }
        self.vars.set_attrs_raw(name, |attrs| {
            attrs.nameref = true;
            attrs.readonly |= d.set.readonly;
            attrs.exported |= d.set.exported;
        });
        Ok(())
    }

    /// `name=text` for a declared variable: `(…)` is an array's elements
    /// (read back with the parser, since the shell already expanded and
    /// quoted them); anything else a scalar, evaluated for `-i`.
    fn assign_declared(&mut self, name: &str, text: &[u8], append: bool) -> Result<(), String> {
        let array = text.starts_with(b"(") && text.ends_with(b")");
        let is_array = matches!(
            self.vars.var(name).map(|v| &v.value),
            Some(Value::Indexed(_) | Value::Assoc(_))
        );
        let op: &[u8] = if append { b"+=" } else { b"=" };
        let source = if array {
            [b"__declared".as_slice(), op, text].concat()
        } else {
            [
                b"__declared".as_slice(),
                op,
                crate::quote::quote(text).as_slice(),
            ]
            .concat()
        };
        let list = crate::parse::parse(&source).map_err(|e| e.to_string())?;
        let Some(Command::Simple(simple)) = list
            .items
            .first()
            .and_then(|item| item.and_or.first.commands.first())
        else {
            return Err(format!("{name}: cannot assign"));
        };
        let Some(mut assignment) = simple.assignments.first().cloned() else {
            return Err(format!("{name}: cannot assign"));
        };
        assignment.name = name.to_owned();
        if !array && is_array {
            // `declare -a a=x` sets element 0, as bash does.
            if let AssignValue::Scalar(_) = assignment.value {
                assignment.index = Some(crate::ast::Word::literal("0"));
            }
        }
        self.assign(&assignment).map_err(|_| String::new())
    }

    /// `target=value` as an assignment statement would make it (`a[2]=x`
    /// included): the text is quoted and read back by the parser.
    pub fn assign_text(&mut self, target: &str, value: &[u8], append: bool) -> Result<(), String> {
        let op: &[u8] = if append { b"+=" } else { b"=" };
        let source = [target.as_bytes(), op, crate::quote::quote(value).as_slice()].concat();
        let list = crate::parse::parse(&source).map_err(|e| e.to_string())?;
        let Some(Command::Simple(simple)) = list
            .items
            .first()
            .and_then(|item| item.and_or.first.commands.first())
        else {
            return Err(format!("`{target}': not a valid identifier"));
        };
        match simple.assignments.first() {
            Some(assignment) if simple.words.is_empty() => {
                self.assign(assignment).map_err(|_| String::new())
            }
            _ => Err(format!("`{target}': not a valid identifier")),
        }
    }

    /// A variable as builtins see it.
    pub fn var_info(name: &str, var: &Var) -> VarInfo {
        let os = |v: &[u8]| OsString::from_vec(v.to_vec());
        let value = match &var.value {
            Value::Unset => VarValue::Unset,
            Value::Indexed(a) if var.attrs.unassigned && a.is_empty() => VarValue::Unset,
            Value::Assoc(a) if var.attrs.unassigned && a.is_empty() => VarValue::Unset,
            Value::Scalar(v) => VarValue::Scalar(os(v)),
            Value::Indexed(a) => VarValue::Indexed(a.iter().map(|(k, v)| (*k, os(v))).collect()),
            Value::Assoc(a) => VarValue::Assoc(a.iter().map(|(k, v)| (os(k), os(v))).collect()),
        };
        let attrs = VarAttrs {
            exported: var.attrs.exported,
            readonly: var.attrs.readonly,
            integer: var.attrs.integer,
            lower: var.attrs.lower,
            upper: var.attrs.upper,
            indexed: matches!(var.value, Value::Indexed(_)),
            assoc: matches!(var.value, Value::Assoc(_)),
            nameref: var.attrs.nameref,
        };
        VarInfo {
            name: name.to_owned(),
            attrs,
            value,
        }
    }
}
