//! Parameter expansion: `$x`, `${x}` and every `${x…}` operator, on
//! scalars, positional parameters and arrays.
//!
//! First the parameter's value is found (through `${!x}` indirection and
//! `[i]`, `[@]`, `[*]` subscripts), then the operator applied: to the one
//! string, or to each element of `$@` and `${a[@]}`, which stay separate
//! fields in quotes.

use super::{ExpandError, Expanded, Field, Sink, Walker};
use crate::ast::{Param, ParamExpr, ParamOp, ReplaceMode, Subscript, Word};
use crate::pattern::Pattern;
use crate::vars::Value as VarValue;

/// A parameter's value before its operator.
#[derive(Debug, Clone)]
enum Value {
    /// One string; `None` when unset.
    One(Option<Vec<u8>>),
    /// `$@`, `${a[@]}`: elements, separate fields even in quotes.
    Separate(Vec<Vec<u8>>),
    /// `$*`, `${a[*]}`: elements joined with `$IFS`'s first byte in quotes.
    Joined(Vec<Vec<u8>>),
}

impl Value {
    fn is_unset(&self) -> bool {
        match self {
            Value::One(v) => v.is_none(),
            Value::Separate(v) | Value::Joined(v) => v.is_empty(),
        }
    }

    /// Whether the value is null for `${x:-…}` and kin. For arrays bash
    /// asks whether the elements joined make an empty string: with a space
    /// for `@`, with `separator` (IFS's first byte, none if IFS is empty)
    /// for `*`. So `("" "")` is not null, except as `${a[*]}` with `IFS=`.
    fn is_null(&self, separator: Option<u8>) -> bool {
        match self {
            Value::One(v) => v.as_ref().is_none_or(|v| v.is_empty()),
            Value::Separate(v) => v.len() <= 1 && v.iter().all(|e| e.is_empty()),
            Value::Joined(v) => {
                (v.len() <= 1 || separator.is_none()) && v.iter().all(|e| e.is_empty())
            }
        }
    }

    /// Applies `f`, which may fail, to the string or to each element.
    fn try_map(self, mut f: impl FnMut(Vec<u8>) -> Expanded<Vec<u8>>) -> Expanded<Value> {
        Ok(match self {
            Value::One(v) => Value::One(Some(f(v.unwrap_or_default())?)),
            Value::Separate(v) => Value::Separate(v.into_iter().map(f).collect::<Expanded<_>>()?),
            Value::Joined(v) => Value::Joined(v.into_iter().map(f).collect::<Expanded<_>>()?),
        })
    }

    /// Applies `f` to the string, or to each element.
    fn map(self, mut f: impl FnMut(Vec<u8>) -> Vec<u8>) -> Value {
        match self {
            Value::One(v) => Value::One(Some(f(v.unwrap_or_default()))),
            Value::Separate(v) => Value::Separate(v.into_iter().map(f).collect()),
            Value::Joined(v) => Value::Joined(v.into_iter().map(f).collect()),
        }
    }
}

impl Walker<'_> {
    pub(super) fn param(
        &mut self,
        expr: &ParamExpr,
        quoted: bool,
        sink: &mut dyn Sink,
    ) -> Expanded<()> {
        let value = self.base_value(expr)?;
        let value = match &expr.op {
            ParamOp::Value => {
                self.check_unset(expr, &value)?;
                value
            }
            ParamOp::Length => {
                self.check_unset(expr, &value)?;
                // bash counts nothing through a nameref to an element.
                let element = self.names_an_element(expr);
                let n = match &value {
                    Value::One(_) if element => 0,
                    Value::One(v) => self.char_count(v.as_deref().unwrap_or_default()),
                    Value::Separate(v) | Value::Joined(v) => v.len(),
                };
                Value::One(Some(n.to_string().into_bytes()))
            }
            ParamOp::Default { colon, word } => {
                if missing(&value, *colon, self.null_separator(quoted)) {
                    return self.op_word(word, quoted, sink);
                }
                value
            }
            ParamOp::Alternative { colon, word } => {
                if !missing(&value, *colon, self.null_separator(quoted)) {
                    return self.op_word(word, quoted, sink);
                }
                // What is missing still expands as itself: nothing, or
                // (`"${@:+x}"` with one empty parameter) one empty field.
                value
            }
            ParamOp::Assign { colon, word } => {
                if missing(&value, *colon, self.null_separator(quoted)) {
                    let text = super::string(self.shell, word)?;
                    self.assign(expr, text.clone())?;
                    Value::One(Some(text))
                } else {
                    value
                }
            }
            ParamOp::Error { colon, word } => {
                if missing(&value, *colon, self.null_separator(quoted)) {
                    let message = match word.parts.is_empty() {
                        true => match colon {
                            true => "parameter null or not set".to_owned(),
                            false => "parameter not set".to_owned(),
                        },
                        false => {
                            String::from_utf8_lossy(&super::string(self.shell, word)?).into_owned()
                        }
                    };
                    let name = expr.param.to_string();
                    self.shell.report_error(&format!("{name}: {message}"));
                    return Err(ExpandError::Fatal(1));
                }
                value
            }
            ParamOp::RemovePrefix { longest, pattern } => {
                self.check_unset(expr, &value)?;
                let pattern = self.pattern(pattern, false)?;
                let longest = *longest;
                value.map(|v| {
                    let cut = match longest {
                        true => pattern.longest_prefix(&v),
                        false => pattern.shortest_prefix(&v),
                    };
                    match cut {
                        Some(n) => v[n..].to_vec(),
                        None => v,
                    }
                })
            }
            ParamOp::RemoveSuffix { longest, pattern } => {
                self.check_unset(expr, &value)?;
                let pattern = self.pattern(pattern, false)?;
                let longest = *longest;
                value.map(|v| {
                    let cut = match longest {
                        true => pattern.longest_suffix(&v),
                        false => pattern.shortest_suffix(&v),
                    };
                    match cut {
                        Some(n) => v[..n].to_vec(),
                        None => v,
                    }
                })
            }
            ParamOp::Replace {
                mode,
                pattern,
                replacement,
            } => {
                self.check_unset(expr, &value)?;
                let pattern = self.pattern(pattern, true)?;
                let replacement = super::pattern_field(self.shell, replacement)?;
                let ampersand = self.shell.options.patsub_replacement;
                value.map(|v| replace(&v, &pattern, &replacement, *mode, ampersand))
            }
            ParamOp::Substring { offset, length } => {
                self.check_unset(expr, &value)?;
                let offset = self.arith_word(offset)?;
                let length = match length {
                    Some(word) => Some(self.arith_word(word)?),
                    None => None,
                };
                self.substring(expr, value, offset, length)?
            }
            ParamOp::Case {
                upper,
                all,
                pattern,
            } => {
                self.check_unset(expr, &value)?;
                let pattern = match pattern.parts.is_empty() {
                    true => None,
                    false => Some(self.pattern(pattern, false)?),
                };
                let utf8 = self.shell.utf8();
                value.map(|v| change_case(&v, *upper, *all, pattern.as_deref(), utf8))
            }
            ParamOp::Transform(b'P') => {
                self.check_unset(expr, &value)?;
                value.try_map(|v| {
                    let decoded = crate::prompt::decode(self.shell, &v);
                    prompt_expansion(self.shell, &decoded)
                })?
            }
            // `${a[@]@A}` of an array: the one declaration that recreates
            // it all, as `declare -p` prints it.
            ParamOp::Transform(b'A')
                if matches!(expr.subscript, Some(Subscript::All | Subscript::Star))
                    && self.whole_array_declaration(expr).is_some() =>
            {
                self.check_unset(expr, &value)?;
                Value::One(self.whole_array_declaration(expr))
            }
            ParamOp::Transform(letter) => {
                self.check_unset(expr, &value)?;
                let letter = *letter;
                let name = expr.param.to_string();
                let attrs = self.attribute_letters(&name);
                value.map(|v| transform(&v, letter, &name, &attrs))
            }
            ParamOp::Names { quoted_separately } => {
                let Param::Named(prefix) = &expr.param else {
                    return Ok(());
                };
                let names = self
                    .shell
                    .vars
                    .names_with_prefix(prefix)
                    .into_iter()
                    .map(String::into_bytes)
                    .collect();
                match quoted_separately {
                    true => Value::Separate(names),
                    false => Value::Joined(names),
                }
            }
            ParamOp::Keys => self.keys(expr),
        };
        self.push(value, quoted, sink);
        Ok(())
    }

    /// The word of `${x:-word}` or `${x:+word}`, in the quoting of the
    /// `${ }` itself: in double quotes one field (even empty), outside
    /// them split and globbed like the value it stands for.
    fn op_word(&mut self, word: &Word, quoted: bool, sink: &mut dyn Sink) -> Expanded<()> {
        if quoted {
            sink.keep();
            return self.parts(&word.parts, true, sink);
        }
        let outer = std::mem::replace(&mut self.split_literals, true);
        let result = self.parts(&word.parts, false, sink);
        self.split_literals = outer;
        result
    }

    /// Pushes a value into the sink, as its kind says.
    fn push(&self, value: Value, quoted: bool, sink: &mut dyn Sink) {
        match value {
            Value::One(None) => {}
            Value::One(Some(text)) => self.push_value(&text, quoted, sink),
            Value::Separate(values) => self.push_fields(&values, quoted, sink),
            Value::Joined(values) if quoted || !sink.splits() => {
                let separator = self
                    .shell
                    .vars
                    .get("IFS")
                    .map_or(Some(b' '), |ifs| ifs.first().copied());
                let mut joined = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        joined.extend(separator);
                    }
                    joined.extend_from_slice(v);
                }
                match quoted {
                    true => sink.quoted(&joined),
                    false => sink.expanded(&joined, b""),
                }
            }
            Value::Joined(values) => self.push_fields(&values, false, sink),
        }
    }

    /// What joins `${a[*]}` when asking whether it is null: in quotes
    /// IFS's first byte (a space when IFS is unset, none when it is
    /// empty); unquoted its elements stay apart, as `$@`'s do.
    fn null_separator(&self, quoted: bool) -> Option<u8> {
        if !quoted {
            return Some(b' ');
        }
        self.shell
            .vars
            .get("IFS")
            .map_or(Some(b' '), |ifs| ifs.first().copied())
    }

    /// `set -u`: expanding an unset parameter is an error that ends a
    /// script (`$@` and `$*` are exempt, as in bash).
    fn check_unset(&mut self, expr: &ParamExpr, value: &Value) -> Expanded<()> {
        if !self.shell.options.nounset || !matches!(value, Value::One(None)) {
            return Ok(());
        }
        let name = match (&expr.param, &expr.subscript) {
            (Param::Named(n), Some(Subscript::Index(i))) => format!("{n}[{i}]"),
            (param, _) => param.to_string(),
        };
        self.shell
            .report_error(&format!("{name}: unbound variable"));
        Err(ExpandError::Fatal(1))
    }

    /// `declare -p`'s line for the array `expr` names, if it is one.
    fn whole_array_declaration(&self, expr: &ParamExpr) -> Option<Vec<u8>> {
        let Param::Named(name) = &expr.param else {
            return None;
        };
        let var = self.shell.vars.var(name)?;
        if !matches!(
            var.value,
            crate::vars::Value::Indexed(_) | crate::vars::Value::Assoc(_)
        ) {
            return None;
        }
        let info = crate::shell::Shell::var_info(name, var);
        Some(minishell_builtins::declaration_line(&info).into_bytes())
    }

    /// The parameter's value, through `${!x}` and subscripts.
    fn base_value(&mut self, expr: &ParamExpr) -> Expanded<Value> {
        if expr.indirect {
            // `${!ref}` of a nameref is the name at the end of its chain.
            if let (Param::Named(name), None) = (&expr.param, &expr.subscript) {
                if super::reference::is_nameref(self.shell, name) {
                    let target = self.shell.vars.resolve(name).ok();
                    return Ok(Value::One(target.map(|t| t.as_bytes().to_vec())));
                }
            }
            let target = self.simple_value(&expr.param, &expr.subscript)?;
            let Value::One(Some(name)) = target else {
                let text = expr.to_string();
                self.shell
                    .report_error(&format!("{text}: invalid indirect expansion"));
                return Err(ExpandError::Abandon(1));
            };
            let Some((param, subscript)) = self.parse_reference(&name) else {
                let text = String::from_utf8_lossy(&name).into_owned();
                self.shell
                    .report_error(&format!("{text}: invalid variable name"));
                return Err(ExpandError::Abandon(1));
            };
            return self.simple_value(&param, &subscript);
        }
        self.simple_value(&expr.param, &expr.subscript)
    }

    /// A name such as `x`, `a[2]`, `a[@]`, `1` or `@`, as `${!x}` finds it.
    fn parse_reference(&self, text: &[u8]) -> Option<(Param, Option<Subscript>)> {
        let text = std::str::from_utf8(text).ok()?;
        if let Some(open) = text.find('[') {
            let name = &text[..open];
            let inside = text[open + 1..].strip_suffix(']')?;
            if !crate::parse::is_name(name.as_bytes()) {
                return None;
            }
            let subscript = match inside {
                "@" => Subscript::All,
                "*" => Subscript::Star,
                index => Subscript::Index(Word::literal(index)),
            };
            return Some((Param::Named(name.to_owned()), Some(subscript)));
        }
        let param = match text {
            "@" => Param::AllSeparate,
            "*" => Param::AllJoined,
            "#" => Param::Count,
            "?" => Param::Status,
            "$" => Param::ShellPid,
            "!" => Param::LastBackground,
            "-" => Param::Options,
            _ if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                Param::Positional(text.parse().ok()?)
            }
            _ if crate::parse::is_name(text.as_bytes()) => Param::Named(text.to_owned()),
            _ => return None,
        };
        Some((param, None))
    }

    fn simple_value(&mut self, param: &Param, subscript: &Option<Subscript>) -> Expanded<Value> {
        if let (Param::Named(name), None) = (param, subscript) {
            if super::reference::is_nameref(self.shell, name) {
                let place = super::reference::resolve(self.shell, name)?;
                return Ok(Value::One(super::reference::read(self.shell, &place)));
            }
            if name == "RANDOM" {
                self.shell.take_random_seed();
            }
            let vars = &self.shell.vars;
            return Ok(Value::One(match vars.get(name) {
                Some(value) => Some(value.to_vec()),
                None if vars.var_raw(name).is_none() => self.shell.dynamic_var(name),
                None => None,
            }));
        }
        let shell = &*self.shell;
        let number = |n: i64| Value::One(Some(n.to_string().into_bytes()));
        Ok(match param {
            Param::Named(name) => match subscript {
                None => Value::One(None),
                Some(Subscript::All) => Value::Separate(self.elements(name)),
                Some(Subscript::Star) => Value::Joined(self.elements(name)),
                Some(Subscript::Index(index)) => {
                    let index = index.clone();
                    Value::One(self.element(name, &index)?)
                }
            },
            Param::Positional(0) => Value::One(Some(shell.params.zero.clone())),
            Param::Positional(n) => Value::One(shell.params.args.get(n - 1).cloned()),
            Param::Status => number(i64::from(shell.status)),
            Param::ShellPid => number(i64::from(shell.pid)),
            Param::LastBackground => {
                Value::One(shell.last_background.map(|p| p.to_string().into_bytes()))
            }
            Param::Count => number(shell.params.args.len() as i64),
            Param::AllSeparate => Value::Separate(shell.params.args.clone()),
            Param::AllJoined => Value::Joined(shell.params.args.clone()),
            Param::Options => Value::One(Some(shell.option_letters().into_bytes())),
        })
    }

    /// Every element of an array, in index order (a scalar is an array of
    /// one element).
    fn elements(&self, name: &str) -> Vec<Vec<u8>> {
        let name = &*self.shell.vars.resolve(name).unwrap_or_default();
        if self.shell.vars.var(name).is_none() {
            if let Some(array) = self.shell.dynamic_array(name) {
                return array;
            }
        }
        match self.shell.vars.var(name).map(|v| &v.value) {
            Some(VarValue::Scalar(v)) => vec![v.clone()],
            Some(VarValue::Indexed(a)) => a.values().cloned().collect(),
            Some(VarValue::Assoc(a)) => a.iter().map(|(_, v)| v.to_vec()).collect(),
            Some(VarValue::Unset) | None => Vec::new(),
        }
    }

    /// Whether `${#x}` names a nameref to one element (`r='a[1]'`).
    fn names_an_element(&self, expr: &ParamExpr) -> bool {
        let (Param::Named(name), None) = (&expr.param, &expr.subscript) else {
            return false;
        };
        super::reference::is_nameref(self.shell, name)
            && self
                .shell
                .vars
                .resolve(name)
                .is_ok_and(|t| crate::vars::split_subscript(&t).is_some())
    }

    /// `${!a[@]}`: the indices or keys.
    fn keys(&self, expr: &ParamExpr) -> Value {
        let Param::Named(name) = &expr.param else {
            return Value::Separate(Vec::new());
        };
        let keys = match self.shell.vars.var(name).map(|v| &v.value) {
            Some(VarValue::Scalar(_)) => vec![b"0".to_vec()],
            Some(VarValue::Indexed(a)) => a.keys().map(|k| k.to_string().into_bytes()).collect(),
            Some(VarValue::Assoc(a)) => a.iter().map(|(k, _)| k.to_vec()).collect(),
            _ => Vec::new(),
        };
        match expr.subscript {
            Some(Subscript::Star) => Value::Joined(keys),
            _ => Value::Separate(keys),
        }
    }

    /// `${a[i]}`: an arithmetic index of an indexed array (negative counts
    /// from the end), or a key of an associative one.
    fn element(&mut self, name: &str, index: &Word) -> Expanded<Option<Vec<u8>>> {
        let assoc = matches!(
            self.shell.vars.var(name).map(|v| &v.value),
            Some(VarValue::Assoc(_))
        );
        if assoc {
            let key = super::string(self.shell, index)?;
            return Ok(match self.shell.vars.var(name).map(|v| &v.value) {
                Some(VarValue::Assoc(a)) => a.get(&key).map(<[u8]>::to_vec),
                _ => None,
            });
        }
        let i = self.arith_word(index)?;
        let name = &*self.shell.vars.resolve(name).unwrap_or_default();
        if self.shell.vars.var(name).is_none() {
            if let Some(array) = self.shell.dynamic_array(name) {
                let len = array.len() as i64;
                let i = if i < 0 { len + i } else { i };
                return Ok(usize::try_from(i).ok().and_then(|i| array.get(i).cloned()));
            }
        }
        Ok(match self.shell.vars.var(name).map(|v| &v.value) {
            Some(VarValue::Scalar(v)) if i == 0 || i == -1 => Some(v.clone()),
            Some(VarValue::Indexed(a)) => {
                let i = if i < 0 {
                    a.keys().next_back().map_or(i, |last| last + 1 + i)
                } else {
                    i
                };
                a.get(&i).cloned()
            }
            _ => None,
        })
    }

    /// `${x:=w}` assigns `w` to `x` (not to positional parameters).
    fn assign(&mut self, expr: &ParamExpr, value: Vec<u8>) -> Expanded<()> {
        let Param::Named(name) = &expr.param else {
            let text = expr.param.to_string();
            self.shell
                .report_error(&format!("${text}: cannot assign in this way"));
            return Err(ExpandError::Abandon(1));
        };
        let result = match &expr.subscript {
            Some(Subscript::Index(index)) => {
                let i = self.arith_word(index)?;
                self.shell.vars.set_element(name, i, value)
            }
            _ => self.shell.vars.set(name, value),
        };
        if let Err(e) = result {
            self.shell.report_error(&e.to_string());
            return Err(ExpandError::Abandon(1));
        }
        Ok(())
    }

    fn pattern(&mut self, word: &Word, nocase: bool) -> Expanded<std::rc::Rc<Pattern>> {
        super::pattern(self.shell, word, false, nocase)
    }

    /// An arithmetic expression written as a word (an index, an offset).
    fn arith_word(&mut self, word: &Word) -> Expanded<i64> {
        let text = super::string(self.shell, word)?;
        super::eval_arith_text(self.shell, &text)
    }

    /// `${x:offset:length}`, on characters of a string, or on elements of
    /// `$@` (where offset 0 is `$0`) and arrays.
    fn substring(
        &mut self,
        expr: &ParamExpr,
        value: Value,
        offset: i64,
        length: Option<i64>,
    ) -> Expanded<Value> {
        if length.is_some_and(|l| l < 0) && !matches!(value, Value::One(_)) {
            let text = expr.to_string();
            self.shell
                .report_error(&format!("{text}: substring expression < 0"));
            return Err(ExpandError::Abandon(1));
        }
        let slice = |len: usize| -> Option<(usize, usize)> {
            let len = len as i64;
            let start = if offset < 0 { len + offset } else { offset };
            if start < 0 || start > len {
                return None;
            }
            let end = match length {
                None => len,
                Some(l) if l < 0 => len + l,
                Some(l) => (start + l).min(len),
            };
            (end >= start).then_some((start as usize, end as usize))
        };
        Ok(match value {
            Value::One(v) => {
                let v = v.unwrap_or_default();
                let utf8 = self.shell.utf8();
                let bounds = char_bounds(&v, utf8);
                match slice(bounds.len() - 1) {
                    Some((a, b)) => Value::One(Some(v[bounds[a]..bounds[b]].to_vec())),
                    None if length.is_some_and(|l| l < 0) => {
                        let text = expr.to_string();
                        self.shell
                            .report_error(&format!("{text}: substring expression < 0"));
                        return Err(ExpandError::Abandon(1));
                    }
                    None => Value::One(Some(Vec::new())),
                }
            }
            Value::Separate(elements) | Value::Joined(elements) => {
                let positional = matches!(expr.param, Param::AllSeparate | Param::AllJoined);
                let mut all = elements;
                if positional {
                    all.insert(0, self.shell.params.zero.clone());
                }
                let picked = match slice(all.len()) {
                    Some((a, b)) => all[a..b].to_vec(),
                    None => Vec::new(),
                };
                match expr.param {
                    Param::AllJoined => Value::Joined(picked),
                    _ if expr.subscript == Some(Subscript::Star) => Value::Joined(picked),
                    _ => Value::Separate(picked),
                }
            }
        })
    }

    fn char_count(&self, text: &[u8]) -> usize {
        char_bounds(text, self.shell.utf8()).len() - 1
    }

    /// The letters of `${x@a}`: the variable's attributes.
    fn attribute_letters(&self, name: &str) -> String {
        let Some(var) = self.shell.vars.var(name) else {
            return String::new();
        };
        let mut letters = String::new();
        match var.value {
            VarValue::Indexed(_) => letters.push('a'),
            VarValue::Assoc(_) => letters.push('A'),
            _ => {}
        }
        if var.attrs.integer {
            letters.push('i');
        }
        if var.attrs.lower {
            letters.push('l');
        }
        if var.attrs.readonly {
            letters.push('r');
        }
        if var.attrs.upper {
            letters.push('u');
        }
        if var.attrs.exported {
            letters.push('x');
        }
        letters
    }
}

/// Whether `${x-w}` (or with `colon`, `${x:-w}`) takes the word.
fn missing(value: &Value, colon: bool, separator: Option<u8>) -> bool {
    value.is_unset() || (colon && value.is_null(separator))
}

/// The byte offsets where characters start, plus the end: UTF-8
/// characters in a UTF-8 locale (an invalid byte counts alone), bytes
/// otherwise.
pub fn char_bounds(text: &[u8], utf8: bool) -> Vec<usize> {
    let mut bounds = Vec::with_capacity(text.len() + 1);
    let mut i = 0;
    while i < text.len() {
        bounds.push(i);
        i += if utf8 { utf8_len(&text[i..]) } else { 1 };
    }
    bounds.push(text.len());
    bounds
}

/// The length of the UTF-8 character at the start of `text` (1 for a byte
/// that does not start a valid one).
fn utf8_len(text: &[u8]) -> usize {
    let want = match text[0] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return 1,
    };
    match text.get(..want) {
        Some(bytes) if std::str::from_utf8(bytes).is_ok() => want,
        _ => 1,
    }
}

/// `${x/p/s}` and its kin: the leftmost longest match replaced (all of
/// them with `//`; anchored at the start or end with `/#`, `/%`).
/// `ampersand`: an unquoted `&` in the replacement stands for the match.
fn replace(
    value: &[u8],
    pattern: &Pattern,
    replacement: &Field,
    mode: ReplaceMode,
    ampersand: bool,
) -> Vec<u8> {
    let ranges: Vec<std::ops::Range<usize>> = match mode {
        ReplaceMode::First => pattern.find(value).into_iter().collect(),
        ReplaceMode::All => pattern.find_all(value),
        ReplaceMode::Prefix => pattern
            .find_prefix(value)
            .map(|end| 0..end)
            .into_iter()
            .collect(),
        ReplaceMode::Suffix => pattern
            .find_suffix(value)
            .map(|start| start..value.len())
            .into_iter()
            .collect(),
    };
    let mut out = Vec::with_capacity(value.len());
    let mut at = 0;
    for range in ranges {
        out.extend_from_slice(&value[at..range.start]);
        match ampersand {
            true => substitute(&mut out, replacement, &value[range.clone()]),
            false => out.extend_from_slice(&replacement.text),
        }
        at = range.end;
    }
    out.extend_from_slice(&value[at..]);
    out
}

/// The replacement text, with each unquoted `&` the matched text and `\&`
/// a plain `&` (bash 5.2's `patsub_replacement`).
fn substitute(out: &mut Vec<u8>, replacement: &Field, matched: &[u8]) {
    let text = &replacement.text;
    let mut i = 0;
    while i < text.len() {
        let quoted = replacement.is_quoted(i);
        match text[i] {
            b'\\' if !quoted && text.get(i + 1) == Some(&b'&') => {
                out.push(b'&');
                i += 2;
                continue;
            }
            b'&' if !quoted => out.extend_from_slice(matched),
            b => out.push(b),
        }
        i += 1;
    }
}

/// `${x^}`, `${x^^}`, `${x,}`, `${x,,}`: the first or every character
/// (matching `pattern`, if given) changed to upper or lower case.
fn change_case(
    value: &[u8],
    upper: bool,
    all: bool,
    pattern: Option<&Pattern>,
    utf8: bool,
) -> Vec<u8> {
    let bounds = char_bounds(value, utf8);
    let mut out = Vec::with_capacity(value.len());
    for (n, pair) in bounds.windows(2).enumerate() {
        let c = &value[pair[0]..pair[1]];
        let change = (all || n == 0) && pattern.is_none_or(|p| p.matches(c));
        if !change {
            out.extend_from_slice(c);
            continue;
        }
        match std::str::from_utf8(c) {
            Ok(s) if utf8 || s.is_ascii() => {
                let changed = match upper {
                    true => s.to_uppercase(),
                    false => s.to_lowercase(),
                };
                out.extend_from_slice(changed.as_bytes());
            }
            _ => out.extend_from_slice(c),
        }
    }
    out
}

/// `${x@Q}` (quoted for reuse), `@E` (backslash escapes expanded), `@U`,
/// `@u`, `@L` (case), `@A` (an assignment statement), `@a` (attributes),
/// `@P` and `@K` (the value as it is).
fn transform(value: &[u8], letter: u8, name: &str, attributes: &str) -> Vec<u8> {
    match letter {
        b'Q' => crate::quote::quote(value),
        b'E' => crate::parse::decode_ansi_c(value),
        b'U' => String::from_utf8_lossy(value).to_uppercase().into_bytes(),
        b'L' => String::from_utf8_lossy(value).to_lowercase().into_bytes(),
        b'u' => change_case(value, true, false, None, true),
        b'A' => {
            let mut out = match attributes.is_empty() {
                true => Vec::new(),
                false => format!("declare -{attributes} ").into_bytes(),
            };
            out.extend_from_slice(name.as_bytes());
            out.push(b'=');
            out.extend(crate::quote::quote(value));
            out
        }
        b'a' => attributes.as_bytes().to_vec(),
        _ => value.to_vec(),
    }
}

/// A decoded prompt's `$x`, `$( )` and `$(( ))` expanded, as bash's
/// `promptvars` does.
fn prompt_expansion(shell: &mut crate::shell::Shell, text: &[u8]) -> super::Expanded<Vec<u8>> {
    match crate::parse::expandable_text(text) {
        Ok(word) => super::string(shell, &word),
        Err(_) => Ok(text.to_vec()),
    }
}
