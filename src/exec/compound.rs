//! Compound commands: `{ }`, `if`, the loops, `case`, `(( ))`, `[[ ]]` and
//! `time`. Each runs in the shell itself, inside the frame its redirections
//! opened; a loop consumes one level of `break` or `continue` and passes
//! the rest up.

use super::Flow;
use crate::ast::*;
use crate::expand::{self, ExpandError};
use crate::shell::Shell;

/// What a loop does with the flow its body returned.
enum Turn {
    Next,
    Stop(Flow),
}

/// One level of `break`/`continue` belongs to this loop; more levels, and
/// any other flow, go on up.
fn turn(flow: Flow) -> Turn {
    match flow {
        Flow::Normal | Flow::Continue(1) => Turn::Next,
        Flow::Continue(n) => Turn::Stop(Flow::Continue(n - 1)),
        Flow::Break(1) => Turn::Stop(Flow::Normal),
        Flow::Break(n) => Turn::Stop(Flow::Break(n - 1)),
        other => Turn::Stop(other),
    }
}

impl Shell {
    pub(super) fn run_compound(&mut self, compound: &Compound) -> Flow {
        // `for f in <(a)`, `done < <(a)`: open until the command ends.
        let passed = self.fds.passed_count();
        let flow = self.run_compound_command(compound);
        self.fds.close_passed_from(passed);
        flow
    }

    fn run_compound_command(&mut self, compound: &Compound) -> Flow {
        let redirected = !compound.redirections.is_empty();
        if redirected {
            // A redirection's error names the line the command ends on.
            self.lineno = compound.end_line;
            if let Err(e) = self.push_redirections(&compound.redirections) {
                return self.expansion_failed(e);
            }
        }
        self.lineno = compound.line;
        let flow = match &compound.kind {
            CompoundKind::Subshell(list) => self.run_subshell(list),
            CompoundKind::Group(list) => self.run_list(list),
            CompoundKind::If(command) => self.run_if(command),
            CompoundKind::While(command) => self.run_while(command),
            CompoundKind::For(command) => self.run_for(command),
            CompoundKind::ArithFor(command) => self.run_arith_for(command),
            CompoundKind::Case(command) => self.run_case(command),
            CompoundKind::Select(command) => self.run_select(command),
            CompoundKind::Arith(arith) => self.run_arith(arith),
            CompoundKind::Cond(expr) => self.run_cond(expr),
        };
        if redirected {
            self.fds.pop();
        }
        flow
    }

    fn run_if(&mut self, command: &IfCommand) -> Flow {
        for (condition, body) in &command.branches {
            let flow = self.run_condition(condition);
            if !flow.is_normal() {
                return flow;
            }
            if self.status == 0 {
                return self.run_list(body);
            }
        }
        match &command.otherwise {
            Some(list) => self.run_list(list),
            None => {
                self.status = 0;
                Flow::Normal
            }
        }
    }

    /// Runs a loop's turns with `turn_body` until it stops; the loop's
    /// status is its body's last, or 0 if the body never ran.
    fn looping(&mut self, mut turn_body: impl FnMut(&mut Shell) -> Option<Flow>) -> Flow {
        self.loop_depth += 1;
        let mut status = 0;
        let flow = loop {
            let Some(flow) = turn_body(self) else {
                break Flow::Normal;
            };
            status = self.status;
            match turn(flow) {
                Turn::Next => {}
                Turn::Stop(flow) => break flow,
            }
        };
        self.loop_depth -= 1;
        if flow == Flow::Normal || matches!(flow, Flow::Break(_) | Flow::Continue(_)) {
            self.status = status;
        }
        flow
    }

    fn run_while(&mut self, command: &WhileLoop) -> Flow {
        self.looping(|shell| {
            let flow = shell.run_condition(&command.condition);
            if !flow.is_normal() {
                return Some(flow);
            }
            if (shell.status == 0) == command.until {
                return None;
            }
            Some(shell.run_list(&command.body))
        })
    }

    fn run_for(&mut self, command: &ForLoop) -> Flow {
        let words = match &command.words {
            Some(words) => match expand::fields(self, words) {
                Ok(words) => words,
                Err(e) => return self.expansion_failed(e),
            },
            None => self.params.args.clone(),
        };
        if self.options.xtrace {
            let mut text = format!("for {} in", command.name).into_bytes();
            for word in &words {
                text.push(b' ');
                text.extend(crate::quote::quote_for_trace(word));
            }
            self.trace_raw(&text);
        }
        if !crate::parse::is_name(command.name.as_bytes()) {
            self.report_error(&format!("`{}': not a valid identifier", command.name));
            self.status = 1;
            return Flow::Normal;
        }
        let mut items = words.into_iter();
        self.looping(|shell| {
            let item = items.next()?;
            let flow = shell.run_debug_trap(|| for_header(command));
            if !flow.is_normal() {
                return Some(flow);
            }
            // A nameref as the loop's variable points at each word in turn.
            let nameref = shell
                .vars
                .var_raw(&command.name)
                .is_some_and(|v| v.attrs.nameref);
            let result = match nameref {
                true => shell.vars.set_raw(&command.name, item),
                false => shell.vars.set(&command.name, item),
            };
            if let Err(e) = result {
                shell.report_error(&e.to_string());
                shell.status = 1;
                return Some(Flow::Break(1));
            }
            Some(shell.run_list(&command.body))
        })
    }

    fn run_arith_for(&mut self, command: &ArithForLoop) -> Flow {
        if let Err(e) = self.arith_value(&command.init) {
            return self.expansion_failed(e);
        }
        let mut first = true;
        self.looping(|shell| {
            if !first {
                if let Err(e) = shell.arith_value(&command.step) {
                    return Some(shell.expansion_failed(e));
                }
            }
            first = false;
            let empty = expand_is_empty(&command.condition);
            let go = empty
                || match shell.arith_value(&command.condition) {
                    Ok(value) => value != 0,
                    Err(e) => return Some(shell.expansion_failed(e)),
                };
            if !go {
                return None;
            }
            Some(shell.run_list(&command.body))
        })
    }

    fn arith_value(&mut self, arith: &ArithSub) -> Result<i64, ExpandError> {
        if expand_is_empty(arith) {
            return Ok(0);
        }
        expand::eval_arith(self, arith)
    }

    fn run_case(&mut self, command: &CaseCommand) -> Flow {
        let flow = self.run_debug_trap(|| format!("case {} in ", command.word));
        if !flow.is_normal() {
            return flow;
        }
        let word = match expand::string(self, &command.word) {
            Ok(word) => word,
            Err(e) => return self.expansion_failed(e),
        };
        if self.options.xtrace {
            let mut text = b"case ".to_vec();
            text.extend(crate::quote::quote_for_trace(&word));
            text.extend_from_slice(b" in");
            self.trace_raw(&text);
        }
        self.status = 0;
        let mut fall_into_next = false;
        for item in &command.items {
            let mut matched = fall_into_next;
            if !matched {
                for pattern in &item.patterns {
                    match expand::pattern(self, pattern, false, true) {
                        Ok(pattern) if pattern.matches(&word) => {
                            matched = true;
                            break;
                        }
                        Ok(_) => {}
                        Err(e) => return self.expansion_failed(e),
                    }
                }
            }
            if !matched {
                continue;
            }
            let flow = self.run_list(&item.body);
            if !flow.is_normal() {
                return flow;
            }
            match item.terminator {
                CaseTerminator::Break => return Flow::Normal,
                CaseTerminator::FallThrough => fall_into_next = true,
                CaseTerminator::Continue => fall_into_next = false,
            }
        }
        Flow::Normal
    }

    /// `select NAME in words; do …; done`: a numbered menu on standard
    /// error, a line read from standard input, `NAME` set to the chosen
    /// word (`REPLY` to the line), until `break` or the end of input.
    fn run_select(&mut self, command: &ForLoop) -> Flow {
        let words = match &command.words {
            Some(words) => match expand::fields(self, words) {
                Ok(words) => words,
                Err(e) => return self.expansion_failed(e),
            },
            None => self.params.args.clone(),
        };
        if words.is_empty() {
            self.status = 0;
            return Flow::Normal;
        }
        let mut show_menu = true;
        self.looping(|shell| {
            if show_menu {
                let mut menu = Vec::new();
                for (i, word) in words.iter().enumerate() {
                    menu.extend_from_slice(format!("{}) ", i + 1).as_bytes());
                    menu.extend_from_slice(word);
                    menu.push(b'\n');
                }
                super::write_to_slot(shell.fds.slot(2), &menu);
            }
            let prompt = shell.vars.get("PS3").unwrap_or(b"#? ").to_vec();
            super::write_to_slot(shell.fds.slot(2), &prompt);
            let line = shell.read_line_from(0)?;
            show_menu = line.is_empty();
            let _ = shell.vars.set("REPLY", line.clone());
            let choice = std::str::from_utf8(&line)
                .ok()
                .and_then(|t| t.trim().parse::<usize>().ok())
                .and_then(|n| words.get(n.wrapping_sub(1)));
            let _ = shell
                .vars
                .set(&command.name, choice.cloned().unwrap_or_default());
            if line.is_empty() {
                return Some(Flow::Normal);
            }
            Some(shell.run_list(&command.body))
        })
    }

    /// Reads one line (without its newline) from logical descriptor `fd`,
    /// a byte at a time so nothing after it is taken; `None` at the end.
    pub(super) fn read_line_from(&mut self, fd: i32) -> Option<Vec<u8>> {
        let super::redirect::Slot::Fd(real) = self.fds.slot(fd) else {
            return None;
        };
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match nix::unistd::read(super::borrow_fd(real), &mut byte) {
                Ok(0) => return (!line.is_empty()).then_some(line),
                Ok(_) if byte[0] == b'\n' => return Some(line),
                Ok(_) => line.push(byte[0]),
                Err(nix::errno::Errno::EINTR) => {}
                Err(_) => return None,
            }
        }
    }

    /// `(( expression ))`: status 0 when it is not zero, 1 when it is, and
    /// 1 after an error (which, unlike in `$(( ))`, ends nothing else).
    fn run_arith(&mut self, arith: &ArithSub) -> Flow {
        let flow = self.run_debug_trap(|| format!("(({}))", arith.text));
        if !flow.is_normal() {
            return flow;
        }
        if self.options.xtrace {
            let text = match crate::expand::string(self, &arith.text) {
                Ok(text) => text,
                Err(e) => return self.expansion_failed(e),
            };
            self.trace_raw(&[b"(( ", text.as_slice(), b" ))"].concat());
        }
        self.status = match self.arith_value(arith) {
            Ok(value) => i32::from(value == 0),
            Err(ExpandError::Abandon(status)) => status,
            Err(e) => return self.expansion_failed(e),
        };
        self.check_errexit()
    }

    fn run_cond(&mut self, expr: &CondExpr) -> Flow {
        let flow = self.run_debug_trap(|| format!("[[ {expr} ]]"));
        if !flow.is_normal() {
            return flow;
        }
        if self.options.xtrace {
            let text = format!("[[ {expr} ]]");
            self.trace_raw(text.as_bytes());
        }
        self.status = match crate::cond::evaluate(self, expr) {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(ExpandError::Abandon(status)) => status,
            Err(e) => return self.expansion_failed(e),
        };
        self.check_errexit()
    }
}

/// Whether an arithmetic expression is empty (`for ((;;))`).
fn expand_is_empty(arith: &ArithSub) -> bool {
    arith.text.parts.iter().all(|p| match p {
        WordPart::Literal(t) => t.iter().all(u8::is_ascii_whitespace),
        _ => false,
    })
}

/// `time`'s clock: wall time and the CPU time of the shell and its children.
pub struct Timer {
    start: std::time::Instant,
    user: f64,
    system: f64,
}

/// User and system seconds of this process and its waited-for children.
fn cpu_times() -> (f64, f64) {
    use nix::sys::resource::{UsageWho, getrusage};
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let mut user = 0.0;
    let mut system = 0.0;
    for who in [UsageWho::RUSAGE_SELF, UsageWho::RUSAGE_CHILDREN] {
        if let Ok(usage) = getrusage(who) {
            user += seconds(usage.user_time());
            system += seconds(usage.system_time());
        }
    }
    (user, system)
}

impl Timer {
    pub fn start() -> Timer {
        let (user, system) = cpu_times();
        Timer {
            start: std::time::Instant::now(),
            user,
            system,
        }
    }

    /// Prints the report on standard error: bash's, shaped by
    /// `$TIMEFORMAT`, or POSIX's for `time -p`.
    pub fn report(self, shell: &Shell, kind: Timed) {
        let real = self.start.elapsed().as_secs_f64();
        let (user, system) = cpu_times();
        let (user, system) = ((user - self.user).max(0.0), (system - self.system).max(0.0));
        let text = match kind {
            Timed::Posix => format!("real {real:.2}\nuser {user:.2}\nsys {system:.2}\n"),
            Timed::Bash => {
                let format = match shell.vars.var("TIMEFORMAT") {
                    Some(var) => {
                        String::from_utf8_lossy(var.scalar().unwrap_or_default()).into_owned()
                    }
                    None => "\nreal\t%3lR\nuser\t%3lU\nsys\t%3lS".to_owned(),
                };
                // An empty TIMEFORMAT asks for no report at all.
                if format.is_empty() {
                    return;
                }
                let mut text = time_format(&format, real, user, system);
                text.push('\n');
                text
            }
        };
        super::write_to_slot(shell.fds.slot(2), text.as_bytes());
    }
}

/// Fills in `$TIMEFORMAT`: `%[p][l]R`, `U`, `S` (seconds, `p` digits after
/// the point, `l` as `MmS.FFs`), `%P` (CPU percentage) and `%%`.
fn time_format(format: &str, real: f64, user: f64, system: f64) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = 3;
        let mut long = false;
        if let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            precision = d.min(6) as usize;
            chars.next();
        }
        if chars.peek() == Some(&'l') {
            long = true;
            chars.next();
        }
        let value = match chars.next() {
            Some('R') => real,
            Some('U') => user,
            Some('S') => system,
            Some('P') => {
                let percent = if real > 0.0 {
                    (user + system) / real * 100.0
                } else {
                    0.0
                };
                out.push_str(&format!("{percent:.precision$}"));
                continue;
            }
            Some('%') => {
                out.push('%');
                continue;
            }
            Some(other) => {
                out.push('%');
                out.push(other);
                continue;
            }
            None => {
                out.push('%');
                break;
            }
        };
        if long {
            let minutes = (value / 60.0).floor();
            let seconds = value - minutes * 60.0;
            out.push_str(&format!("{}m{seconds:.precision$}s", minutes as u64));
        } else {
            out.push_str(&format!("{value:.precision$}"));
        }
    }
    out
}

/// `for name in words` as `$BASH_COMMAND` shows a loop's turn.
fn for_header(command: &ForLoop) -> String {
    let mut text = format!("for {}", command.name);
    if let Some(words) = &command.words {
        text.push_str(" in");
        for word in words {
            text.push(' ');
            text.push_str(&word.to_string());
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeformat_fields() {
        assert_eq!(time_format("%3lR", 61.5, 0.0, 0.0), "1m1.500s");
        assert_eq!(time_format("%2U|%S|%%", 0.0, 1.234, 0.5), "1.23|0.500|%");
        assert_eq!(time_format("x%0Ry", 2.6, 0.0, 0.0), "x3y");
    }
}
