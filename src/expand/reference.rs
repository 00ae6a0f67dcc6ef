//! What a nameref stands for at the moment it is used: a variable, an
//! element of an array (`declare -n r='a[i]'` evaluates `i` at each use,
//! as bash does), every element (`a[@]`), or nothing, when its chain of
//! namerefs loops.

use super::{ExpandError, Expanded};
use crate::shell::Shell;
use crate::vars::{Value, VarError, split_subscript};

/// The place a name leads to.
pub enum Reference {
    /// A variable by its own name (possibly one the shell computes, such
    /// as `RANDOM` or `FUNCNAME`).
    Name(String),
    /// One element of an indexed array or one key of an associative one.
    Element { base: String, key: Key },
    /// `a[@]` (`joined: false`) or `a[*]`: readable, never assignable.
    All { base: String, joined: bool },
    /// A loop of namerefs: bash warns, reads nothing and assigns nothing.
    Broken,
}

/// An element's place in its array.
pub enum Key {
    Index(i64),
    Text(Vec<u8>),
}

/// Whether `name` is a nameref, the only names [`resolve`] has work for:
/// a cheap test that keeps `$x` of a plain variable on its fast path.
pub fn is_nameref(shell: &Shell, name: &str) -> bool {
    shell.vars.var_raw(name).is_some_and(|v| v.attrs.nameref)
}

/// Follows `name`'s namerefs and evaluates the subscript at their end.
pub fn resolve(shell: &mut Shell, name: &str) -> Expanded<Reference> {
    let target = match shell.vars.resolve(name) {
        Ok(target) => target.into_owned(),
        Err(error) => {
            if error != VarError::ChainTooLong {
                shell.report_error(&error.to_string());
            }
            return Ok(Reference::Broken);
        }
    };
    let Some((base, inside)) = split_subscript(&target) else {
        return Ok(Reference::Name(target));
    };
    let base = base.to_owned();
    match inside {
        "@" => {
            return Ok(Reference::All {
                base,
                joined: false,
            });
        }
        "*" => return Ok(Reference::All { base, joined: true }),
        _ => {}
    }
    let value = shell.vars.var(&base).map(|v| &v.value);
    if let Some(Value::Assoc(_)) = value {
        let key = inside.as_bytes().to_vec();
        return Ok(Reference::Element {
            base,
            key: Key::Text(key),
        });
    }
    let mut index = super::eval_arith_text(shell, inside.as_bytes())?;
    if index < 0 {
        let last = match shell.vars.var(&base).map(|v| &v.value) {
            Some(Value::Indexed(a)) => a.keys().next_back().copied(),
            Some(Value::Scalar(_)) => Some(0),
            _ => None,
        };
        match last {
            Some(last) if last + 1 + index >= 0 => index += last + 1,
            _ => {
                shell.report_error(&format!("{base}[{inside}]: bad array subscript"));
                return Err(ExpandError::Abandon(1));
            }
        }
    }
    Ok(Reference::Element {
        base,
        key: Key::Index(index),
    })
}

/// The value at a place, as `$name` reads it (an array's element 0 for a
/// plain name).
pub fn read(shell: &mut Shell, place: &Reference) -> Option<Vec<u8>> {
    match place {
        Reference::Name(name) if name == "RANDOM" => {
            shell.take_random_seed();
            shell.dynamic_var(name)
        }
        Reference::Name(name) => match shell.vars.get(name) {
            Some(value) => Some(value.to_vec()),
            None if shell.vars.var_raw(name).is_none() => shell.dynamic_var(name),
            None => None,
        },
        Reference::Element { base, key } => match (shell.vars.var(base).map(|v| &v.value), key) {
            (Some(Value::Indexed(a)), Key::Index(i)) => a.get(i).cloned(),
            (Some(Value::Scalar(v)), Key::Index(0)) => Some(v.clone()),
            (Some(Value::Assoc(a)), Key::Text(k)) => a.get(k).map(<[u8]>::to_vec),
            (None, Key::Index(i)) => {
                let array = shell.dynamic_array(base)?;
                usize::try_from(*i).ok().and_then(|i| array.get(i).cloned())
            }
            _ => None,
        },
        Reference::All { base, joined } => {
            let values: Vec<Vec<u8>> = match shell.vars.var(base).map(|v| &v.value) {
                Some(Value::Scalar(v)) => vec![v.clone()],
                Some(Value::Indexed(a)) => a.values().cloned().collect(),
                Some(Value::Assoc(a)) => a.iter().map(|(_, v)| v.to_vec()).collect(),
                _ => shell.dynamic_array(base).unwrap_or_default(),
            };
            let separator = match joined {
                true => shell
                    .vars
                    .get("IFS")
                    .map_or(b' ', |ifs| ifs.first().copied().unwrap_or(0)),
                false => b' ',
            };
            Some(values.join(&[separator][..]))
        }
        Reference::Broken => None,
    }
}

/// Assigns at a place, as `name=value` does. The error is reported here.
pub fn write(shell: &mut Shell, place: &Reference, value: Vec<u8>) -> Expanded<()> {
    let result = match place {
        Reference::Name(name) => shell.vars.set(name, value),
        Reference::Element {
            base,
            key: Key::Index(i),
        } => shell.vars.set_element(base, *i, value),
        Reference::Element {
            base,
            key: Key::Text(k),
        } => shell.vars.set_key(base, k.clone(), value),
        Reference::All { base, joined } => {
            let all = if *joined { "*" } else { "@" };
            shell.report_error(&format!("{base}[{all}]: bad array subscript"));
            return Err(ExpandError::Abandon(1));
        }
        Reference::Broken => return Err(ExpandError::Abandon(1)),
    };
    result.map_err(|e| {
        shell.report_error(&e.to_string());
        ExpandError::Abandon(1)
    })
}
