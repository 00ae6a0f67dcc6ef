//! Tests across parser and evaluator: variables in a map, the same
//! expressions through bash and through us, printing and parsing back, and
//! a rough timing of a loop's arithmetic.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::process::Command;
use std::time::Instant;

use crate::ast::arith::Arith;
use crate::expand::arith::{ArithVars, Subscript, eval};
use crate::parse::arith::parse_arith;
use crate::parse::arith_error::ArithError;

/// Variables as bash keeps them, enough for the tests: scalars, indexed
/// and associative arrays, readonly names and `set -u`.
#[derive(Default)]
pub struct MapVars {
    scalars: HashMap<String, Vec<u8>>,
    arrays: HashMap<String, BTreeMap<i64, Vec<u8>>>,
    assoc: HashMap<String, HashMap<Vec<u8>, Vec<u8>>>,
    readonly: HashSet<String>,
    pub nounset: bool,
}

impl MapVars {
    pub fn with(scalars: &[(&str, &str)]) -> Self {
        let mut vars = MapVars::default();
        for (name, value) in scalars {
            vars.set_scalar(name, value);
        }
        vars
    }

    pub fn set_scalar(&mut self, name: &str, value: &str) {
        self.scalars.insert(name.into(), value.into());
    }

    pub fn set_array(&mut self, name: &str, values: &[&str]) {
        let elements = (0..).zip(values).map(|(i, v)| (i, v.as_bytes().to_vec()));
        self.arrays.insert(name.into(), elements.collect());
    }

    pub fn set_assoc(&mut self, name: &str, pairs: &[(&str, &str)]) {
        let pairs = pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()));
        self.assoc.insert(name.into(), pairs.collect());
    }

    pub fn set_readonly(&mut self, name: &str, value: &str) {
        self.set_scalar(name, value);
        self.readonly.insert(name.into());
    }

    pub fn scalar(&self, name: &str) -> Option<&str> {
        self.scalars
            .get(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    pub fn element(&self, name: &str, index: i64) -> Option<&str> {
        let value = self.arrays.get(name)?.get(&index)?;
        std::str::from_utf8(value).ok()
    }

    pub fn key(&self, name: &str, key: &str) -> Option<&str> {
        let value = self.assoc.get(name)?.get(key.as_bytes())?;
        std::str::from_utf8(value).ok()
    }

    /// `${name[*]}` for an array, `$name` for a scalar.
    fn show(&self, name: &str) -> String {
        if let Some(array) = self.arrays.get(name) {
            let values: Vec<_> = array.values().map(|v| String::from_utf8_lossy(v)).collect();
            return values.join(" ");
        }
        self.scalar(name).unwrap_or_default().to_owned()
    }

    /// An indexed subscript made absolute as bash makes it: negative
    /// counts back from one past the highest index.
    fn absolute(&self, name: &str, index: i64) -> Option<i64> {
        if index >= 0 {
            return Some(index);
        }
        let top = self
            .arrays
            .get(name)
            .and_then(|a| a.keys().next_back().copied());
        let index = top
            .map_or(Some(0), |top| top.checked_add(1))?
            .checked_add(index)?;
        (index >= 0).then_some(index)
    }
}

fn store(slot: &mut Vec<u8>, value: i64) {
    // Reuses the slot's memory: the timing below must see no allocation.
    slot.clear();
    let _ = write!(slot, "{value}");
}

impl ArithVars for MapVars {
    fn get(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
    ) -> Result<Option<Cow<'_, [u8]>>, ArithError> {
        let exists = self.scalars.contains_key(name)
            || self.arrays.contains_key(name)
            || self.assoc.contains_key(name);
        if !exists && self.nounset {
            return Err(ArithError::unbound(name));
        }
        let index = match subscript {
            None => 0,
            Some(Subscript::Index(index)) => match self.absolute(name, index) {
                Some(index) => index,
                None => return Ok(None),
            },
            Some(Subscript::Text(key)) => {
                if let Some(map) = self.assoc.get(name) {
                    return Ok(map.get(key).map(|v| Cow::Borrowed(&v[..])));
                }
                let text = String::from_utf8_lossy(key);
                return Err(ArithError::shell(format!(
                    "{name}[{text}]: bad array subscript"
                )));
            }
        };
        if let Some(map) = self.assoc.get(name) {
            return Ok(map
                .get(index.to_string().as_bytes())
                .map(|v| Cow::Borrowed(&v[..])));
        }
        if let Some(array) = self.arrays.get(name) {
            return Ok(array.get(&index).map(|v| Cow::Borrowed(&v[..])));
        }
        Ok(self
            .scalars
            .get(name)
            .filter(|_| index == 0)
            .map(|v| Cow::Borrowed(&v[..])))
    }

    fn set(
        &mut self,
        name: &str,
        subscript: Option<Subscript<'_>>,
        value: i64,
    ) -> Result<(), ArithError> {
        if self.readonly.contains(name) {
            return Err(ArithError::shell(format!("{name}: readonly variable")));
        }
        let index = match subscript {
            None => 0,
            Some(Subscript::Index(index)) => match self.absolute(name, index) {
                Some(index) => index,
                None => {
                    let message = format!("{name}[{index}]: bad array subscript");
                    return Err(ArithError::shell(message));
                }
            },
            Some(Subscript::Text(key)) => {
                if let Some(map) = self.assoc.get_mut(name) {
                    store(map.entry(key.to_vec()).or_default(), value);
                    return Ok(());
                }
                let text = String::from_utf8_lossy(key);
                return Err(ArithError::shell(format!(
                    "`{name}[{text}]': not a valid identifier"
                )));
            }
        };
        if let Some(map) = self.assoc.get_mut(name) {
            store(
                map.entry(index.to_string().into_bytes()).or_default(),
                value,
            );
        } else if subscript.is_none() && !self.arrays.contains_key(name) {
            match self.scalars.get_mut(name) {
                Some(slot) => store(slot, value),
                None => store(self.scalars.entry(name.to_owned()).or_default(), value),
            }
        } else {
            let array = self.arrays.entry(name.to_owned()).or_default();
            if let Some(old) = self.scalars.remove(name) {
                array.insert(0, old);
            }
            store(array.entry(index).or_default(), value);
        }
        Ok(())
    }

    fn is_assoc(&self, name: &str) -> bool {
        self.assoc.contains_key(name)
    }
}

/// Runs `test` on a stack as large as a shell's main thread has (8 MB):
/// the tests of the nesting bounds need it in a debug build, whose frames
/// are several times those of the shell as it ships.
pub fn on_shell_stack(test: impl FnOnce() + Send + 'static) {
    let thread = std::thread::Builder::new().stack_size(8 << 20).spawn(test);
    let joined = thread.map(std::thread::JoinHandle::join);
    assert!(
        matches!(joined, Ok(Ok(()))),
        "the test failed on its thread"
    );
}

// ------------------------------------------------------- bash, side by side

/// The variables each case starts with, for bash and for [`MapVars`].
const SCALARS: &[(&str, &str)] = &[
    ("x", "5"),
    ("y", "-3"),
    ("z", "0"),
    ("n", "10"),
    ("i", "0"),
    ("s", "x+1"),
    ("t", "y*2"),
    ("u", ""),
    ("v", " "),
    ("w", "1 +"),
    ("o", "010"),
    ("h", "0x1f"),
    ("r1", "r2"),
    ("r2", "r1"),
    ("p", "p"),
    ("big", "9223372036854775807"),
    ("neg", "-9223372036854775808"),
    ("c1", "c2"),
    ("c2", "c3"),
    ("c3", "7"),
    ("q", "08"),
    ("bar", "foo bar"),
    ("nl", " 3\n"),
];
const ARRAY: &[&str] = &["10", "20", "30"];
const ASSOC: &[(&str, &str)] = &[("k", "7"), ("a b", "2"), ("x", "1")];
/// What each case prints after its value: the variables it may change.
const SHOWN: &[&str] = &["x", "y", "z", "n", "i", "j", "k", "a"];

fn fresh_vars() -> MapVars {
    let mut vars = MapVars::with(SCALARS);
    vars.set_array("a", ARRAY);
    vars.set_assoc("m", ASSOC);
    vars
}

/// Cases written for this test: every operator, its corners, and the
/// errors. More are made from these below.
#[rustfmt::skip]
const CASES: &[&str] = &[
    // Literals, and the ways they go wrong.
    "", " ", "0", "42", "-42", "+42", "010", "0x1F", "0X1f", "0x", "00", "2#1011", "8#17", "16#ff",
    "36#zz", "36#ZZ", "37#Z", "62#Z", "64#@", "64#_", "64#zZ@_", "10#0009", "9223372036854775807",
    "9223372036854775808", "18446744073709551615", "99999999999999999999999", "0xffffffffffffffff",
    "0x10000000000000000", "07777777777777777777777", "08", "09", "1 + 08", "3a", "0xg", "2#2",
    "1#0", "65#0", "0#0", "2#", "2#1#1", "0x1#1", "1_0", "x 08", "x y 08",
    // Stray bytes and unclosed subscripts.
    "@", "1 @ 2", "x @", "(1) @", "$", "1 $ 2", "1 . 2", "1;2", "a[1", "a[", "1 + a[2", "5[1]",
    "a [1]", "a[1]]",
    // Syntax errors and where they point.
    "1 +", "1 + ", "* 2", "2 3", "1 )", "(1", "(1 2", "()", "(", ")", "1 ? 2", "1 ? 2 3",
    "1 ? : 2", "1 ?", "1 ? 2 :", ",1", "1,", "1,,2",
    // Assignment needs a lone name.
    "1 = 2", "(x) = 1", "x+y=3", "x++ = 1", "++x = 1", "0 ? 1 : x = 2", "-x = 1", "x **= 2",
    "x = = 3", "x =",
    // `++` and `--`, read by what comes before.
    "5++", "5 ++x", "(1)++x", "++x++", "--x--", "++x--", "--x ++ 2", "x--1", "x ++y", "x+++y",
    "x---y", "x ++", "++ x", "-- x", "--5", "++5", "-+-5", "- - x", "!!x", "~~x", "!x++", "-x++",
    "~x--", "x++ + ++x", "x-- - --x", "1 ++ 2", "1+++x", "i++ + i++", "u++", "new++", "--new",
    // Division by 0, negative exponents, and what an untaken branch still checks.
    "1 / 0", "1/0 + 5", "1 % 0", "x / z", "x % (z)", "1/(2-2)", "x /= 0", "x %= 0", "x /= 0, 1",
    "0 && 1/0", "1 || 1/0", "0 && (x /= 0)", "1 ? 2 : 1/0", "0 ? 1/0 : 3", "2**-1", "2**-1 + 3",
    "0 && 2**-1", "1 || 2**-1", "0 && 2**(x-1)",
    // Powers and unary operators.
    "2**0", "0**0", "(-2)**63", "-2**2", "~2**2", "!2**2", "2**3**2", "2**-1**2", "2**62*2",
    "2**63", "2**64", "3**40", "7**-0", "(-1)**999999999999",
    // Wrapping, INT64_MIN, shifts modulo 64, signs of / and %.
    "9223372036854775807 + 1", "-9223372036854775807 - 2", "-9223372036854775808 / -1",
    "-9223372036854775808 % -1", "neg / -1", "neg % -1", "neg * -1", "-neg", "big + 1",
    "big * big", "neg - 1", "x = neg, x /= -1", "x = neg, x %= -1", "1 << 63", "1 << 64",
    "1 << 65", "1 << -1", "-1 >> 63", "-1 >> 64", "8 >> -62", "7 / 2", "-7 / 2", "7 / -2", "7 % 3",
    "-7 % 3", "7 % -3", "-7 % -3",
    // Precedence and associativity.
    "1 < 2 < 3", "3 > 2 > 1", "1 == 1 == 1", "2 != 1 != 0", "5 & 3 | 8 ^ 1", "1 | 2 & 0",
    "1 || 0 && 0", "0 && 0 || 1", "1 ? 2 : 3 ? 4 : 5", "0 ? 2 : 0 ? 4 : 5", "1 ? 2, 3 : 4",
    "0 ? 1 : 2, 3", "1 ? x = 7 : 8", "0 ? x = 7 : 8",
    // Assignments, compound and chained, and the order of their reads.
    "x = 1 ? 5 : 6", "x = y = 9", "x += x++", "x = x++ + x", "x *= 3 + 1", "x <<= 2, x >>= 1, x",
    "x &= 3", "x |= 8", "x ^= 1", "x -= 10", "x += -x", "z ||= 1", "x &&= 1", "(x = 3) + x",
    "x + (x = 3)", "x, y, z", "x = 1, y = 2, x + y",
    // Short circuits.
    "0 && (x = 5)", "1 || (x = 5)", "0 || (x = 5)", "1 && (x = 5)", "0 ? x++ : y++",
    "1 ? x++ : y++",
    // Values that are expressions, blank, octal, recursive.
    "s", "s * 2", "t", "s + t", "u", "v", "u + v + 1", "w", "w + 1", "o", "h", "o + h", "r1", "p",
    "p + 1", "c1", "c1 * 2", "q", "bar", "nl", "nl * 2", "undefined", "undefined + 1",
    // Arrays: indexed, negative, as targets, scalars as arrays, associative.
    "a", "a[0]", "a[1]", "a[2]", "a[3]", "a[-1]", "a[-3]", "a[x-4]", "a[1] + a[2]", "a[ ]",
    "a[1/0]", "a[1+]", "a[a[0]/10]", "0 && a[1+]", "a[1] = 5", "a[5] = 1", "a[i++] = i",
    "a[i++] += i", "a[i]++", "++a[2]", "a[1] *= 2", "a[-1] += 5", "a += 1", "x[0]", "x[1]",
    "x[1] = 2", "m[k]", "m[k] + 1", "m[a b]", "m[x]", "m[nothing]", "m[k]++", "m[new] = 4",
    "m[ k ]",
    // A loop's arithmetic, blanks and newlines, parentheses.
    "j = 4, k = j * 2", "j++, j++, j", "n > 5 ? n - 5 : 5 - n", "i < 10", "i = i + 1",
    "(i += 2) * 3", "n % 3 == 1", "!n", "~n", "n ** 2", "-n ** 2", "(n > 3) + (n < 3)",
    "n & 1 ? 1 : 0", "x\n+\ny", "\tx\t*\ty", "1/\n0", "((((((((((1))))))))))", "(((x)))",
    "((x = 2))", "-(-(-(1)))", "1 + (2 * (3 - (4 / 2)))",
    // Errors after side effects, subscripts inside subscripts, odd orders.
    "a[-1] = 7", "a[-3] += 1", "x=5 y", "x = 5, 2 3", "x = 5, 1/0", "y = (x = 2) * x",
    "a[x - 5] = a[1] + 1", "a[a[0] - 9]--", "m[k] *= m[x] + 1", "i = n, i -= 3, i * i",
    "a[ 1/0 ]", "a[ 2**-1 ] + 1", "a[s]", "a[w]", "a[a[a[0]]]", "a[1]++ + a[1]", "x[0] += 1",
    "s[0] * 2", "1 ? 2 : 3 , 4", "(1 ? 2 : 3) ? 4 : 5", "i-- - --i", "n--, n--, --n",
];

/// Cases where we knowingly part from bash, compared only for failing in
/// both. Bash evaluates while it parses: it reads (and evaluates) the
/// token after an operand before it sees that the token is out of place,
/// so `foo bar` with `bar='foo bar'` recurses in bash before the syntax
/// error. We parse first, and run nothing of a text that does not parse.
const KNOWN_DIFFERENCES: &[&str] = &["bar"];

/// More cases: every binary operator between pairs of operands that probe
/// its corners, and pairs of operators for precedence.
fn made_cases() -> Vec<String> {
    let ops = [
        "*", "/", "%", "+", "-", "<<", ">>", "<=", ">=", "<", ">", "==", "!=", "&", "^", "|", "&&",
        "||", "**",
    ];
    let pairs = [
        ("7", "3"),
        ("-7", "2"),
        ("0", "5"),
        ("x", "y"),
        ("big", "2"),
        ("1", "0"),
    ];
    let mut cases = Vec::new();
    for op in ops {
        for (left, right) in pairs {
            cases.push(format!("{left} {op} {right}"));
        }
    }
    let some = ["+", "*", "<<", "<", "==", "&", "^", "|", "&&", "||", "**"];
    for first in some {
        for second in some {
            cases.push(format!("6 {first} 3 {second} 2"));
        }
    }
    cases
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// What bash prints for each case, one line each: `OK value|x|y|…` or the
/// error message without bash's `bash: line N: ` prefix.
fn bash_results(cases: &[String]) -> Option<Vec<String>> {
    let mut script = String::from("__case() {\n  __e=$1\n  (\n");
    for (name, value) in SCALARS {
        script += &format!("    {name}={}\n", shell_quote(value));
    }
    script += &format!("    a=({})\n", ARRAY.join(" "));
    script += "    declare -A m\n";
    for (key, value) in ASSOC {
        script += &format!("    m[{}]={value}\n", shell_quote(key));
    }
    let shown: Vec<String> = SHOWN.iter().map(|name| format!("${{{name}[*]}}")).collect();
    script += &format!(
        "    __r=$(($__e)) && echo \"OK $__r|{}\"\n",
        shown.join("|")
    );
    script += "  ) 2>&1 | tr '\\n' '\\036'\n  echo\n}\n";
    for case in cases {
        script += &format!("__case {}\n", shell_quote(case));
    }
    let output = Command::new("bash").arg("-c").arg(&script).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    Some(
        text.lines()
            .map(|line| strip_bash_prefix(&line.replace('\u{1e}', "\n")))
            .collect(),
    )
}

/// Drops `bash: line 3: ` (or `environment: line 33: `, as bash says
/// inside a function of `bash -c`) before a message.
fn strip_bash_prefix(line: &str) -> String {
    let trimmed = line.strip_suffix('\n').unwrap_or(line);
    let Some((_, rest)) = trimmed.split_once(": line ") else {
        return trimmed.to_owned();
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[digits..].strip_prefix(": ") {
        Some(message) if digits > 0 && !trimmed.starts_with("OK ") => message.to_owned(),
        _ => trimmed.to_owned(),
    }
}

fn our_result(case: &str) -> String {
    let mut vars = fresh_vars();
    let result = parse_arith(case.as_bytes()).and_then(|parsed| eval(&parsed, &mut vars));
    match result {
        Ok(value) => {
            let shown: Vec<String> = SHOWN.iter().map(|name| vars.show(name)).collect();
            format!("OK {value}|{}", shown.join("|"))
        }
        Err(e) => e.to_string(),
    }
}

#[test]
fn agrees_with_bash() {
    // Some cases name themselves 1024 deep, as bash allows.
    on_shell_stack(compare_with_bash);
}

fn compare_with_bash() {
    let mut cases: Vec<String> = CASES.iter().map(|&case| case.to_owned()).collect();
    cases.extend(made_cases());
    let Some(expected) = bash_results(&cases) else {
        eprintln!("bash did not run: comparison skipped");
        return;
    };
    assert_eq!(expected.len(), cases.len(), "one line per case from bash");
    let mut differences = Vec::new();
    for (case, bash) in cases.iter().zip(&expected) {
        let ours = our_result(case);
        if KNOWN_DIFFERENCES.contains(&case.as_str()) {
            assert!(
                !ours.starts_with("OK ") && !bash.starts_with("OK "),
                "{case}: {ours}"
            );
            continue;
        }
        if &ours != bash {
            differences.push(format!("{case:?}\n  bash: {bash:?}\n  ours: {ours:?}"));
        }
    }
    let errors = expected
        .iter()
        .filter(|line| !line.starts_with("OK "))
        .count();
    eprintln!(
        "{} cases compared with bash, {errors} of them errors",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "{} differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

// ------------------------------------------------------------- round trip

fn round_trip(text: &str) {
    let Ok(first) = parse_arith(text.as_bytes()) else {
        return;
    };
    let printed = first.to_string();
    let second = match parse_arith(printed.as_bytes()) {
        Ok(second) => second,
        Err(e) => panic!("{text:?} printed as {printed:?}, which does not parse: {e}"),
    };
    assert_eq!(first.expr, second.expr, "{text:?} printed as {printed:?}");
    assert_eq!(
        second.to_string(),
        printed,
        "printing is stable for {text:?}"
    );
}

#[test]
fn printed_trees_parse_back_the_same() {
    for case in CASES {
        round_trip(case);
    }
    for case in made_cases() {
        round_trip(&case);
    }
}

/// A small deterministic generator (xorshift): the same expressions on
/// every run, and no dependency.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const LEAVES: &[&str] = &[
    "0", "7", "x", "y", "a[i]", "m[k]", "0x1f", "2#101", "017", "64#_",
];
const NAMES: &[&str] = &["x", "y", "a[1]", "a[i + 1]"];
const PREFIXES: &[&str] = &["-", "+", "!", "~", "- ", "+ ", "++", "--"];
const BINARY: &[&str] = &[
    "*", "/", "%", "+", "-", "<<", ">>", "<=", ">=", "<", ">", "==", "!=", "&", "^", "|", "&&",
    "||", "**", ",", " + ", " - ", "+", "-",
];
const ASSIGNMENTS: &[&str] = &[
    "=", "*=", "/=", "%=", "+=", "-=", "<<=", ">>=", "&=", "^=", "|=",
];

/// A random expression, up to `depth` deep. Most are well formed; the
/// rest (`1 + x = 2`, `x++y`) must fail to parse or survive printing too.
fn expression(random: &mut Random, depth: u32) -> String {
    if depth == 0 {
        return random.pick(LEAVES).to_owned();
    }
    let inner = |random: &mut Random| expression(random, depth - 1);
    match random.below(8) {
        0 => format!("({})", inner(random)),
        1 => {
            let op = random.pick(PREFIXES);
            format!("{op}{}", inner(random))
        }
        2 => format!("{}{}", random.pick(&["++", "--"]), random.pick(NAMES)),
        3 => format!("{}{}", random.pick(NAMES), random.pick(&["++", "--"])),
        4 => {
            let (test, then, otherwise) = (inner(random), inner(random), inner(random));
            format!("{test} ? {then} : {otherwise}")
        }
        5 => {
            let (name, op) = (random.pick(NAMES), random.pick(ASSIGNMENTS));
            format!("({name} {op} {})", inner(random))
        }
        _ => {
            let (left, op, right) = (inner(random), random.pick(BINARY), inner(random));
            format!("{left}{op}{right}")
        }
    }
}

#[test]
fn random_trees_parse_back_the_same() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for _ in 0..3000 {
        let depth = random.below(6) as u32;
        let text = expression(&mut random, depth);
        if parse_arith(text.as_bytes()).is_ok() {
            parsed += 1;
        }
        round_trip(&text);
    }
    assert!(parsed > 1500, "most generated expressions parse ({parsed})");
}

/// Bytes an expression is made of, thrown together: nothing may panic.
#[test]
fn no_input_panics() {
    let alphabet = b"0123456789xyza[]#@_+-*/%<>=!&|^~?:,() \t\nm";
    let mut random = Random(12345);
    for _ in 0..20_000 {
        let len = random.below(24);
        let text: Vec<u8> = (0..len)
            .map(|_| alphabet[random.below(alphabet.len())])
            .collect();
        let mut vars = fresh_vars();
        if let Ok(parsed) = parse_arith(&text) {
            let _ = eval(&parsed, &mut vars);
            let _ = parse_arith(parsed.to_string().as_bytes());
        }
    }
}

// ----------------------------------------------------------------- speed

/// One variable held as its number's text, the least a shell could do:
/// what is left of a turn's time is the evaluator's.
struct OneVar(Vec<u8>);

impl ArithVars for OneVar {
    fn get(
        &mut self,
        _: &str,
        _: Option<Subscript<'_>>,
    ) -> Result<Option<Cow<'_, [u8]>>, ArithError> {
        Ok(Some(Cow::Borrowed(&self.0)))
    }

    fn set(&mut self, _: &str, _: Option<Subscript<'_>>, value: i64) -> Result<(), ArithError> {
        store(&mut self.0, value);
        Ok(())
    }
}

/// `for ((i = 0; i < 200000; i = i + 1))`'s arithmetic, timed and
/// printed (run with `--release --nocapture` to see it), not asserted.
#[test]
fn loop_arithmetic_timing() {
    let parse = |text: &str| parse_arith(text.as_bytes()).map_err(|e| e.to_string());
    let (Ok(test), Ok(step)): (Result<Arith, _>, Result<Arith, _>) =
        (parse("i < 200000"), parse("i = i + 1"))
    else {
        panic!("the loop's texts parse");
    };
    let mut map = MapVars::with(&[("i", "0")]);
    let mut one = OneVar(b"0".to_vec());
    let vars: [(&str, &mut dyn ArithVars); 2] =
        [("a HashMap", &mut map), ("one variable", &mut one)];
    for (name, vars) in vars {
        let start = Instant::now();
        let mut turns = 0u32;
        while eval(&test, vars) == Ok(1) {
            let _ = eval(&step, vars);
            turns += 1;
        }
        let elapsed = start.elapsed();
        assert_eq!(turns, 200_000);
        eprintln!(
            "200,000 turns of `i < 200000` and `i = i + 1` on {name}: {elapsed:?} ({:.0} ns a turn)",
            elapsed.as_nanos() as f64 / f64::from(turns)
        );
    }
    assert_eq!(map.scalar("i"), Some("200000"));
}
