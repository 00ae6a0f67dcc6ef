//! Evaluating `[[ expression ]]`: words are expanded without splitting or
//! globbing, `==` takes a pattern, `=~` an extended regular expression
//! (setting `BASH_REMATCH`), `-eq` and its kin arithmetic on both sides.
//! The tests themselves are the ones `test` uses too
//! (`minishell_builtins::conditions`).

use minishell_builtins::conditions;

use crate::ast::{CondBinary, CondExpr};
use crate::expand::{self, ExpandError, Expanded};
use crate::shell::Shell;
use crate::vars::Value;

/// Whether the expression holds. `&&` and `||` evaluate their right side
/// only when it decides the result, as in bash.
pub fn evaluate(shell: &mut Shell, expr: &CondExpr) -> Expanded<bool> {
    Ok(match expr {
        CondExpr::Word(word) => !expand::string(shell, word)?.is_empty(),
        CondExpr::Not(inner) => !evaluate(shell, inner)?,
        CondExpr::Group(inner) => evaluate(shell, inner)?,
        CondExpr::And(left, right) => evaluate(shell, left)? && evaluate(shell, right)?,
        CondExpr::Or(left, right) => evaluate(shell, left)? || evaluate(shell, right)?,
        CondExpr::Unary(op, word) => {
            let operand = expand::string(shell, word)?;
            match op.0 {
                b'v' => variable_is_set(shell, &operand),
                b'o' => {
                    let name = String::from_utf8_lossy(&operand).into_owned();
                    shell.options.by_name(&name).is_some_and(|on| *on)
                }
                b'R' => false,
                letter => conditions::unary(letter, &operand).unwrap_or(false),
            }
        }
        CondExpr::Binary(op, left, right) => {
            let left_text = expand::string(shell, left)?;
            match op {
                CondBinary::Match | CondBinary::NoMatch => {
                    let pattern = expand::pattern(shell, right, true, true)?;
                    pattern.matches(&left_text) == (*op == CondBinary::Match)
                }
                CondBinary::Regex => {
                    let regex = expand::regex(shell, right)?;
                    regex_match(shell, &left_text, &regex)?
                }
                CondBinary::Less => left_text < expand::string(shell, right)?,
                CondBinary::Greater => left_text > expand::string(shell, right)?,
                CondBinary::NewerThan | CondBinary::OlderThan | CondBinary::SameFile => {
                    let right_text = expand::string(shell, right)?;
                    conditions::files(op.text(), &left_text, &right_text)
                }
                _ => {
                    let a = expand::eval_arith_text(shell, &left_text)?;
                    let right_text = expand::string(shell, right)?;
                    let b = expand::eval_arith_text(shell, &right_text)?;
                    conditions::integers(op.text(), a, b)
                }
            }
        }
    })
}

/// `-v name` (or `-v a[i]`): whether the variable has a value.
pub fn variable_is_set(shell: &Shell, operand: &[u8]) -> bool {
    let text = String::from_utf8_lossy(operand);
    if let Some((name, rest)) = text.split_once('[') {
        let Some(index) = rest.strip_suffix(']') else {
            return false;
        };
        return match shell.vars.var(name).map(|v| &v.value) {
            Some(Value::Indexed(a)) => match index {
                "@" | "*" => !a.is_empty(),
                i => i.trim().parse().is_ok_and(|i: i64| a.contains_key(&i)),
            },
            Some(Value::Assoc(a)) => match index {
                "@" | "*" => !a.is_empty(),
                key => a.get(key.as_bytes()).is_some(),
            },
            Some(Value::Scalar(_)) => index == "0" || index == "@" || index == "*",
            _ => false,
        };
    }
    let positional = text
        .parse::<usize>()
        .is_ok_and(|n| n >= 1 && n <= shell.params.args.len());
    shell.vars.is_set(&text) || positional
}

/// `=~`: matches the text against an extended regular expression, and
/// sets `BASH_REMATCH` to the match and its groups. An invalid expression
/// is status 2.
fn regex_match(shell: &mut Shell, text: &[u8], regex: &[u8]) -> Expanded<bool> {
    let compiled = match crate::regex::Regex::new(regex) {
        Ok(compiled) => compiled,
        Err(_) => return Err(ExpandError::Abandon(2)),
    };
    match compiled.captures(text) {
        Some(groups) => {
            let array = groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| (i as i64, g.unwrap_or_default()))
                .collect();
            let _ = shell.vars.set_value("BASH_REMATCH", Value::Indexed(array));
            Ok(true)
        }
        None => {
            let _ = shell
                .vars
                .set_value("BASH_REMATCH", Value::Indexed(Default::default()));
            Ok(false)
        }
    }
}
