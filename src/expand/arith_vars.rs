//! Arithmetic in the shell: the shell's variables as the evaluator sees
//! them ([`ArithVars`]), and the two ways expansion evaluates: an
//! expression parsed once with its command, or text known only after
//! expansion (`$(( $x + 1 ))`, an array index).

use std::borrow::Cow;

use super::arith::{ArithVars, Subscript, eval};
use super::reference;
use super::{ExpandError, Expanded};
use crate::ast::{Arith, ArithSub};
use crate::parse::arith::parse_arith;
use crate::parse::arith_error::ArithError;
use crate::shell::Shell;
use crate::vars::Value;

/// The value of `$(( ))`, `(( ))` or a `for (( ))` part. An error is
/// reported and drops the rest of the command line, as in bash.
pub fn eval_arith(shell: &mut Shell, arith: &ArithSub) -> Expanded<i64> {
    match &arith.parsed {
        Some(Ok(parsed)) => evaluate(shell, parsed),
        Some(Err(error)) => Err(failed(shell, error)),
        None => {
            let text = super::string(shell, &arith.text)?;
            eval_arith_text(shell, &text)
        }
    }
}

/// The value of an arithmetic text that is already expanded.
pub fn eval_arith_text(shell: &mut Shell, text: &[u8]) -> Expanded<i64> {
    match parse_arith(text) {
        Ok(parsed) => evaluate(shell, &parsed),
        Err(error) => Err(failed(shell, &error)),
    }
}

fn evaluate(shell: &mut Shell, parsed: &Arith) -> Expanded<i64> {
    let result = eval(parsed, &mut ShellVars { shell });
    result.map_err(|error| failed(shell, &error))
}

/// An error drops the rest of the line, except an unset variable under
/// `set -u`, which ends a script as it does in `$x`.
fn failed(shell: &mut Shell, error: &ArithError) -> ExpandError {
    if !error.is_reported() {
        shell.report_error(&error.to_string());
    }
    match error.kind() {
        crate::parse::arith_error::ArithErrorKind::Unbound => ExpandError::Fatal(1),
        _ => ExpandError::Abandon(1),
    }
}

/// The shell's variables, for the evaluator.
struct ShellVars<'s> {
    shell: &'s mut Shell,
}

impl ArithVars for ShellVars<'_> {
    fn get(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
    ) -> Result<Option<Cow<'_, [u8]>>, ArithError> {
        if subscript.is_none() && reference::is_nameref(self.shell, name) {
            let place = reference::resolve(self.shell, name).map_err(|_| ArithError::reported())?;
            return Ok(reference::read(self.shell, &place).map(Cow::Owned));
        }
        if name == "RANDOM" {
            self.shell.take_random_seed();
        }
        let exists = self.shell.vars.var(name).is_some();
        let value = match subscript {
            None if !exists => self.shell.dynamic_var(name).map(Cow::Owned),
            None => self.shell.vars.get(name).map(Cow::Borrowed),
            Some(Subscript::Index(i)) => match self.shell.vars.var(name).map(|v| &v.value) {
                Some(Value::Indexed(a)) => {
                    let i = if i < 0 {
                        a.keys().next_back().map_or(i, |last| last + 1 + i)
                    } else {
                        i
                    };
                    a.get(&i).map(|v| Cow::Borrowed(v.as_slice()))
                }
                Some(Value::Scalar(v)) if i == 0 || i == -1 => Some(Cow::Borrowed(v.as_slice())),
                _ => None,
            },
            Some(Subscript::Text(key)) => match self.shell.vars.var(name).map(|v| &v.value) {
                Some(Value::Assoc(a)) => a.get(unquoted_key(key)).map(Cow::Borrowed),
                _ => {
                    let key = String::from_utf8_lossy(key);
                    return Err(ArithError::shell(format!(
                        "{name}[{key}]: bad array subscript"
                    )));
                }
            },
        };
        if value.is_none() && !exists && self.shell.options.nounset {
            return Err(ArithError::unbound(name));
        }
        Ok(value)
    }

    fn set(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
        value: i64,
    ) -> Result<(), ArithError> {
        let text = value.to_string().into_bytes();
        if subscript.is_none() && reference::is_nameref(self.shell, name) {
            let place = reference::resolve(self.shell, name).map_err(|_| ArithError::reported())?;
            return reference::write(self.shell, &place, text).map_err(|_| ArithError::reported());
        }
        let vars = &mut self.shell.vars;
        let result = match subscript {
            None => vars.set(name, text),
            // `a[-1]` counts back from the last element, as in reading.
            Some(Subscript::Index(i)) if i < 0 => {
                let last = match vars.var(name).map(|v| &v.value) {
                    Some(Value::Indexed(a)) => a.keys().next_back().copied(),
                    Some(Value::Scalar(_)) => Some(0),
                    _ => None,
                };
                match last.map(|last| last + 1 + i) {
                    Some(index) if index >= 0 => vars.set_element(name, index, text),
                    _ => {
                        let message = format!("{name}[{i}]: bad array subscript");
                        return Err(ArithError::shell(message));
                    }
                }
            }
            Some(Subscript::Index(i)) => vars.set_element(name, i, text),
            Some(Subscript::Text(key)) => vars.set_key(name, unquoted_key(key).to_vec(), text),
        };
        result.map_err(|e| ArithError::shell(e.to_string()))
    }

    fn is_assoc(&self, name: &str) -> bool {
        matches!(
            self.shell.vars.var(name).map(|v| &v.value),
            Some(Value::Assoc(_))
        )
    }
}

/// An associative array's key as arithmetic text holds it: `m['k']` and
/// `m["k"]` name the key `k`, as bash unquotes keys.
fn unquoted_key(key: &[u8]) -> &[u8] {
    match key {
        [b'\'', inner @ .., b'\''] | [b'"', inner @ .., b'"'] => inner,
        _ => key,
    }
}
