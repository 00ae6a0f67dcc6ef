//! Differential testing against bash: a seeded generator writes random
//! scripts from the grammar minishell supports (loops, `if`, `case`,
//! functions, arithmetic, parameter expansions, pipelines of builtins,
//! redirections to files, subshells, groups), and each script runs through
//! bash and minishell; their standard output and exit status must agree.
//!
//! The scripts are the same on every run for a seed, and leave out what
//! may rightly differ: process IDs, `$RANDOM`, time, and the wording of
//! error messages (standard error is not compared). Every loop is bounded.
//!
//! `MINISHELL_DIFF_CASES=N` runs N scripts (300 by default) and
//! `MINISHELL_DIFF_SEED=S` starts from another seed (1 by default). A
//! failure prints the script, its case seed and both outputs; rerun one
//! case with `MINISHELL_DIFF_SEED=<case seed> MINISHELL_DIFF_CASES=1`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// splitmix64: small, fast, and the same everywhere, which is all a test
/// generator needs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The variables scripts read and write. Loop counters (`c0`, `c1`…) are
/// apart: nothing else assigns them, so every loop ends.
const VARS: &[&str] = &["a", "b", "s", "n", "e"];

/// Values that exercise splitting, patterns and case changes.
const TEXTS: &[&str] = &[
    "x",
    "hello",
    "a b",
    "  lead",
    "trail  ",
    "A.B.C",
    "path/to/file.txt",
    "",
    "12",
    "-3",
    "aaa",
    "MiXeD",
    "x*y",
    "one:two:three",
];

/// Patterns for `case`, `${x#p}` and the like.
const PATTERNS: &[&str] = &[
    "*", "a*", "*.txt", "?", "[ab]*", "*[0-9]", "h*o", "*.*", "x", "*/", "[!a]*", "MiX*",
];

/// One script's generator: the text so far, how deep it nests, which
/// functions exist.
struct Gen {
    rng: Rng,
    out: String,
    depth: usize,
    loops: usize,
    /// Groups made so far: each writes a file of its own, so that none
    /// reads a file an enclosing group is still writing.
    groups: usize,
    /// The functions whose definitions are complete: the only ones a call
    /// may name, so that no function reaches itself and every call ends.
    functions: Vec<String>,
    /// Functions begun so far, for fresh names.
    defined: usize,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng(seed),
            out: String::new(),
            depth: 0,
            loops: 0,
            groups: 0,
            functions: Vec::new(),
            defined: 0,
        }
    }

    fn script(mut self) -> String {
        // Every variable starts set, so that `set -u`-like differences
        // and the environment do not matter.
        for var in VARS {
            let value = quote(self.rng.pick(TEXTS));
            let _ = writeln!(self.out, "{var}={value}");
        }
        self.out.push_str("arr=(zero 'one two' '') ref=a\n");
        let count = 4 + self.rng.below(8);
        for _ in 0..count {
            self.statement();
        }
        self.out.push_str("echo \"end $?\"\n");
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    /// One statement on its own line(s).
    fn statement(&mut self) {
        self.indent();
        let compound = self.depth < 3;
        let choice = self.rng.below(if compound { 22 } else { 11 });
        match choice {
            0 | 1 => self.print(),
            2 => self.assign(),
            3 => self.arith_statement(),
            4 => self.and_or(),
            5 => self.pipeline(),
            6 => self.redirection(),
            7 => self.call(),
            8 => self.split(),
            9 => self.array(),
            10 => self.here(),
            11 => self.if_command(),
            12 => self.while_loop(),
            13 => self.for_loop(),
            14 => self.case_command(),
            15 => self.function(),
            16 => self.subshell(),
            17 => self.group(),
            18 => self.loop_control(),
            _ => self.print(),
        }
    }

    /// Statements inside a compound command, one level deeper.
    fn body(&mut self) {
        self.depth += 1;
        for _ in 0..1 + self.rng.below(3) {
            self.statement();
        }
        self.depth -= 1;
    }

    fn var(&mut self) -> &'static str {
        self.rng.pick(VARS)
    }

    /// A word: text, a variable, an expansion with an operator, an
    /// arithmetic expansion; quoted or not.
    fn word(&mut self) -> String {
        let var = self.var();
        let inner = match self.rng.below(20) {
            0 | 1 => return quote(self.rng.pick(TEXTS)),
            2 | 3 => format!("${var}"),
            4 => format!("${{{var}:-{}}}", self.plain()),
            5 => format!("${{#{var}}}"),
            6 => {
                let op = self.rng.pick(&["#", "##", "%", "%%"]);
                format!("${{{var}{op}{}}}", self.rng.pick(PATTERNS))
            }
            7 => {
                let op = self.rng.pick(&["/", "//", "/#", "/%"]);
                format!(
                    "${{{var}{op}{}/{}}}",
                    self.rng.pick(&["a", "o", "*", "?", "."]),
                    self.plain()
                )
            }
            8 => format!("${{{var}{}}}", self.rng.pick(&["^^", ",,", "^", ","])),
            9 => format!("${{{var}:{}:{}}}", self.rng.below(4), self.rng.below(4)),
            10 => format!("$(({}))", self.arith(2)),
            11 => self
                .rng
                .pick(&["$@", "$*", "$#", "${1-}", "${2:-two}"])
                .to_owned(),
            12 => self
                .rng
                .pick(&[
                    "${arr[@]}",
                    "${arr[*]}",
                    "${#arr[@]}",
                    "${arr[1]}",
                    "${arr[@]:1}",
                    "${!arr[@]}",
                ])
                .to_owned(),
            13 => format!("$(echo {} ${var})", self.plain()),
            14 => "${!ref}".to_owned(),
            15 => format!("${{{var}@Q}}"),
            16 => format!("${{{var}:-\"${{{}}}\"}}", self.var()),
            _ => format!("${{{var}:+{}}}", self.plain()),
        };
        match self.rng.below(3) {
            0 => inner,
            _ => format!("\"{inner}\""),
        }
    }

    /// Text that needs no quoting.
    fn plain(&mut self) -> &'static str {
        self.rng.pick(&["w", "dflt", "X", "1", "z.z"])
    }

    fn words(&mut self, most: usize) -> String {
        let mut words = Vec::new();
        for _ in 0..1 + self.rng.below(most) {
            words.push(self.word());
        }
        words.join(" ")
    }

    /// `printf` shows each field in brackets, so splitting is visible.
    fn print(&mut self) {
        let words = self.words(3);
        let _ = writeln!(self.out, "printf '[%s]' {words}; echo");
    }

    fn assign(&mut self) {
        let var = self.var();
        let value = self.word();
        let _ = writeln!(self.out, "{var}={value}");
    }

    /// An arithmetic expression over small numbers and the counters; no
    /// division (by zero) and no shifts past 63.
    fn arith(&mut self, depth: usize) -> String {
        if depth == 0 || self.rng.chance(30) {
            return match self.rng.below(3) {
                0 => self.rng.below(20).to_string(),
                1 => format!("${{#{}}}", self.var()),
                _ => "n".to_owned(),
            };
        }
        let op = self.rng.pick(&[
            "+", "-", "*", "%", "<", "==", "!=", "&&", "||", "&", "|", "^",
        ]);
        let left = self.arith(depth - 1);
        let right = self.arith(depth - 1);
        match op {
            // `n % 0` divides by zero: keep the right side positive.
            "%" => format!("({left}) % ({right} + 1 > 0 ? {right} + 1 : 1)"),
            _ => format!("({left}) {op} ({right})"),
        }
    }

    fn arith_statement(&mut self) {
        match self.rng.below(3) {
            0 => {
                let e = self.arith(3);
                let _ = writeln!(self.out, "n=$(( {e} )); echo \"n=$n\"");
            }
            1 => {
                let e = self.arith(2);
                let _ = writeln!(self.out, "(( {e} )); echo \"(( )) $?\"");
            }
            _ => {
                let _ = writeln!(self.out, "n=12; (( n += 3, n *= 2 )); echo $n");
            }
        }
    }

    /// A condition: `[ ]`, `[[ ]]`, `true`/`false`, a function call.
    fn condition(&mut self) -> String {
        let var = self.var();
        match self.rng.below(6) {
            0 => format!("[ -n \"${var}\" ]"),
            1 => format!("[[ ${var} == {} ]]", self.rng.pick(PATTERNS)),
            2 => format!("[ \"${{#{var}}}\" -gt {} ]", self.rng.below(6)),
            3 => self
                .rng
                .pick(&["true", "false", "! true", "! false"])
                .to_owned(),
            4 => format!("[[ -z ${var} || ${var} < m ]]"),
            _ => format!("test \"${var}\" = {}", quote(self.rng.pick(TEXTS))),
        }
    }

    fn and_or(&mut self) {
        let cond = self.condition();
        let op = self.rng.pick(&["&&", "||"]);
        let words = self.words(2);
        let _ = writeln!(self.out, "{cond} {op} echo {words}; echo \"st $?\"");
    }

    /// A pipeline of builtins; its last stage runs in a subshell in both
    /// shells, so what it assigns is lost.
    fn pipeline(&mut self) {
        let words = self.words(3);
        let stage = self.rng.pick(&[
            "while read -r l; do echo \"<$l>\"; done",
            "{ read -r x y; echo \"$y|$x\"; }",
            "read -r a; echo \"a=$a\"",
            "true",
            "false",
        ]);
        let negated = if self.rng.chance(20) { "! " } else { "" };
        let _ = writeln!(
            self.out,
            "{negated}echo {words} | {stage}; echo \"pipe $? a=$a\""
        );
    }

    /// Output to files in the current (temporary) directory, read back.
    fn redirection(&mut self) {
        let file = self.rng.pick(&["f1", "f2"]);
        let words = self.words(2);
        let op = self.rng.pick(&[">", ">>"]);
        let _ = writeln!(
            self.out,
            "echo {words} {op} {file}; while read -r l; do echo \"{file}: $l\"; done < {file}"
        );
    }

    /// Field splitting with another IFS, and the positional parameters.
    fn split(&mut self) {
        let ifs = self.rng.pick(&[":", ". ", "", "a", " :"]);
        let words = self.words(3);
        let var = self.var();
        let _ = writeln!(
            self.out,
            "IFS='{ifs}'; set -- {words}; printf '[%s]' \"$@\" $* \"$*\" ${var}; echo; IFS=$' \\t\\n'"
        );
    }

    fn array(&mut self) {
        let words = self.words(3);
        let op = self.rng.pick(&["=", "+="]);
        let _ = writeln!(
            self.out,
            "arr{op}({words}); printf '[%s]' \"${{#arr[@]}}\" \"${{arr[@]}}\"; echo"
        );
    }

    /// A here-string or a here-document read by builtins.
    fn here(&mut self) {
        let words = self.words(2);
        if self.rng.chance(50) {
            let _ = writeln!(self.out, "read -r x y <<< {words}; echo \"$x|$y\"");
        } else {
            let word = self.word();
            let quoted = self.rng.chance(30);
            let delimiter = if quoted { "'EOF'" } else { "EOF" };
            let _ = writeln!(
                self.out,
                "while read -r l; do echo \"h: $l\"; done <<{delimiter}\n{word} $a\nEOF"
            );
        }
    }

    /// `break` or `continue` in a loop of its own.
    fn loop_control(&mut self) {
        let words = self.words(3);
        let what = self.rng.pick(&["break", "continue"]);
        let cond = self.condition();
        let _ = writeln!(
            self.out,
            "for w in {words} end; do if {cond}; then {what}; fi; echo \"w=$w\"; done; echo \"lc $?\""
        );
    }

    fn if_command(&mut self) {
        let cond = self.condition();
        let _ = writeln!(self.out, "if {cond}; then");
        self.body();
        if self.rng.chance(40) {
            self.indent();
            let cond = self.condition();
            let _ = writeln!(self.out, "elif {cond}; then");
            self.body();
        }
        if self.rng.chance(50) {
            self.indent();
            self.out.push_str("else\n");
            self.body();
        }
        self.indent();
        self.out.push_str("fi\n");
    }

    fn while_loop(&mut self) {
        let counter = format!("c{}", self.loops);
        self.loops += 1;
        let limit = 1 + self.rng.below(3);
        let keyword = self.rng.pick(&["while", "until"]);
        let test = match keyword {
            "while" => format!("[ ${counter} -lt {limit} ]"),
            _ => format!("[ ${counter} -ge {limit} ]"),
        };
        let _ = writeln!(self.out, "{counter}=0; {keyword} {test}; do");
        self.depth += 1;
        self.indent();
        let _ = writeln!(
            self.out,
            "{counter}=$(({counter} + 1)); echo \"{counter}=${counter}\""
        );
        self.depth -= 1;
        self.body();
        self.indent();
        self.out.push_str("done\n");
    }

    fn for_loop(&mut self) {
        let words = self.words(3);
        let _ = writeln!(self.out, "for v in {words}; do");
        self.depth += 1;
        self.indent();
        self.out.push_str("printf '{%s}' \"$v\"; echo\n");
        self.depth -= 1;
        self.body();
        self.indent();
        self.out.push_str("done\n");
    }

    fn case_command(&mut self) {
        let word = self.word();
        let _ = writeln!(self.out, "case {word} in");
        for _ in 0..1 + self.rng.below(3) {
            self.indent();
            let mut patterns = vec![self.rng.pick(PATTERNS)];
            if self.rng.chance(30) {
                patterns.push(self.rng.pick(PATTERNS));
            }
            let _ = writeln!(self.out, "  {})", patterns.join("|"));
            self.body();
            self.indent();
            let terminator = self.rng.pick(&[";;", ";;", ";&", ";;&"]);
            let _ = writeln!(self.out, "  {terminator}");
        }
        self.indent();
        self.out.push_str("  *) echo nomatch;;\nesac\n");
    }

    fn function(&mut self) {
        let name = format!("fn{}", self.defined);
        self.defined += 1;
        let _ = writeln!(self.out, "{name}() {{");
        self.depth += 1;
        self.indent();
        self.out.push_str("printf '(%s)' \"$#\" \"$@\"; echo\n");
        if self.rng.chance(50) {
            self.indent();
            let var = self.var();
            let _ = writeln!(self.out, "local {var}=\"in-$1\"; echo \"${var}\"");
        }
        self.depth -= 1;
        self.body();
        self.indent();
        let status = self.rng.below(3);
        let _ = writeln!(self.out, "  return {status}\n}}");
        self.functions.push(name);
        self.indent();
        self.call();
    }

    fn call(&mut self) {
        if self.functions.is_empty() || self.depth > 2 {
            // A function that is not there would print bash's error.
            return self.print();
        }
        let name = self.functions[self.rng.below(self.functions.len())].clone();
        let words = self.words(3);
        let _ = writeln!(self.out, "{name} {words}; echo \"ret $?\"");
    }

    fn subshell(&mut self) {
        let var = self.var();
        let value = self.word();
        let _ = writeln!(self.out, "( {var}={value}; echo \"sub ${var}\"");
        self.body();
        self.indent();
        let status = self.rng.below(3);
        let _ = writeln!(self.out, "  exit {status} ); echo \"after $? ${var}\"");
    }

    fn group(&mut self) {
        let file = format!("g{}", self.groups);
        self.groups += 1;
        self.out.push_str("{\n");
        self.body();
        self.indent();
        let _ = writeln!(
            self.out,
            "}} > {file}; while read -r l; do echo \"{file}: $l\"; done < {file}"
        );
    }
}

/// Text in single quotes, unless it needs none.
fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-:".contains(&b))
    {
        text.to_owned()
    } else {
        format!("'{text}'")
    }
}

/// What a shell printed and how it ended.
#[derive(PartialEq)]
struct Outcome {
    stdout: String,
    status: Option<i32>,
}

/// `timeout`'s status when it had to kill the command.
const TIMED_OUT: i32 = 124;

/// Runs `script` with `shell` in a fresh directory, with a known
/// environment, killed after 10 seconds.
fn run(shell: &str, script: &str, dir: &Path) -> Outcome {
    std::fs::create_dir_all(dir).expect("a temporary directory");
    std::fs::write(dir.join("script.sh"), script).expect("the script is written");
    let output = Command::new("timeout")
        .args(["10", shell, "script.sh"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir)
        .env("LC_ALL", "C")
        .output()
        .expect("the shell starts");
    Outcome {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        status: output.status.code(),
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_scripts_agree_with_bash() {
    let cases = env_number("MINISHELL_DIFF_CASES", 300);
    let seed = env_number("MINISHELL_DIFF_SEED", 1);
    let minishell = env!("CARGO_BIN_EXE_minishell");
    let root = tempfile::tempdir().expect("a temporary directory");
    let mut failures = Vec::new();
    for i in 0..cases {
        let case_seed = seed.wrapping_add(i);
        let script = Gen::new(case_seed).script();
        let bash = run("bash", &script, &root.path().join(format!("bash-{i}")));
        let mini = run(minishell, &script, &root.path().join(format!("mini-{i}")));
        // A script whose loops never end (the generator can nest two that
        // reset each other's counter) runs until `timeout` kills it under
        // both shells; how much each printed by then says nothing.
        if bash.status == Some(TIMED_OUT) && mini.status == Some(TIMED_OUT) {
            eprintln!("case seed {case_seed}: both shells still ran after 10 s; not compared");
            continue;
        }
        if bash != mini {
            failures.push(format!(
                "--- case seed {case_seed}:\n{script}--- bash (status {:?}):\n{}--- minishell (status {:?}):\n{}",
                bash.status, bash.stdout, mini.status, mini.stdout
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} scripts differ from bash:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_generator_is_deterministic() {
    assert_eq!(Gen::new(7).script(), Gen::new(7).script());
    assert_ne!(Gen::new(7).script(), Gen::new(8).script());
}
