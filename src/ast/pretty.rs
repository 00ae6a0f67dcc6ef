//! Printing a function back the way bash does for `type` and `declare -f`:
//! one command per line, four spaces per level, `;` after each command but
//! the last of a block.

use super::*;

/// `name () ` and the body, as bash prints a function.
pub fn function(def: &FunctionDef) -> String {
    let mut out = format!("{} () \n", def.name);
    compound(&mut out, &def.body, 0);
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// A list's items, one per line at `level`, each but the last ended with
/// `;`; a background item is followed on the same line by the next.
fn list(out: &mut String, list: &List, level: usize) {
    let count = list.items.len();
    let mut at_line_start = true;
    for (i, item) in list.items.iter().enumerate() {
        if at_line_start {
            indent(out, level);
        }
        and_or(out, &item.and_or, level);
        if item.background {
            out.push_str(" &");
            if i + 1 < count {
                out.push(' ');
                at_line_start = false;
                continue;
            }
        } else if i + 1 < count {
            out.push(';');
        }
        out.push('\n');
        at_line_start = true;
    }
}

fn and_or(out: &mut String, list: &AndOrList, level: usize) {
    pipeline(out, &list.first, level);
    for (op, next) in &list.rest {
        out.push_str(match op {
            AndOr::And => " && ",
            AndOr::Or => " || ",
        });
        pipeline(out, next, level);
    }
}

fn pipeline(out: &mut String, pipeline: &Pipeline, level: usize) {
    match pipeline.timed {
        Some(Timed::Bash) => out.push_str("time "),
        Some(Timed::Posix) => out.push_str("time -p "),
        None => {}
    }
    if pipeline.negated {
        out.push_str("! ");
    }
    for (i, command) in pipeline.commands.iter().enumerate() {
        if i > 0 {
            out.push_str(" | ");
        }
        match command {
            Command::Simple(simple) => simple_command(out, simple),
            Command::Compound(c) => compound(out, c, level),
            Command::Function(def) => {
                out.push_str(&def.name);
                out.push_str(" () \n");
                indent(out, level);
                compound(out, &def.body, level);
            }
        }
    }
}

/// A simple command on one line; here-document bodies follow it on the
/// lines after.
fn simple_command(out: &mut String, command: &SimpleCommand) {
    out.push_str(&command.to_string());
    heredoc_bodies(out, &command.redirections);
}

fn heredoc_bodies(out: &mut String, redirections: &[Redirection]) {
    for redirection in redirections {
        if let RedirTarget::HereDoc(doc) = &redirection.target {
            out.push('\n');
            if let Some(body) = doc.body.get() {
                out.push_str(&body_text(body));
            }
            out.push_str(&String::from_utf8_lossy(&doc.delimiter));
            out.push('\n');
        }
    }
}

/// A here-document body as it was written: literal text, or the parts of
/// the implicit double quotes without the quotes.
fn body_text(body: &Word) -> String {
    match body.parts.as_slice() {
        [WordPart::SingleQuoted(text)] => String::from_utf8_lossy(text).into_owned(),
        [WordPart::DoubleQuoted(parts)] => parts
            .iter()
            .map(|p| match p {
                WordPart::Literal(t) => String::from_utf8_lossy(t).into_owned(),
                other => other.to_string(),
            })
            .collect(),
        _ => body.to_string(),
    }
}

/// A compound command, its first line not indented (the caller stands
/// there), its inner lines at `level + 1`, its last at `level`.
fn compound(out: &mut String, c: &Compound, level: usize) {
    match &c.kind {
        CompoundKind::Group(body) => {
            out.push_str("{ \n");
            list(out, body, level + 1);
            indent(out, level);
            out.push('}');
        }
        CompoundKind::Subshell(body) => {
            out.push_str(&format!("( {body} )"));
        }
        CompoundKind::If(command) => if_command(out, &command.branches, &command.otherwise, level),
        CompoundKind::While(command) => {
            let keyword = if command.until { "until" } else { "while" };
            out.push_str(keyword);
            out.push(' ');
            inline_list(out, &command.condition);
            out.push_str("; do\n");
            list(out, &command.body, level + 1);
            indent(out, level);
            out.push_str("done");
        }
        CompoundKind::For(command) | CompoundKind::Select(command) => {
            let keyword = match c.kind {
                CompoundKind::Select(_) => "select",
                _ => "for",
            };
            out.push_str(&format!("{keyword} {}", command.name));
            if let Some(words) = &command.words {
                out.push_str(" in");
                for word in words {
                    out.push(' ');
                    out.push_str(&word.to_string());
                }
            }
            out.push_str(";\n");
            do_body(out, &command.body, level);
        }
        CompoundKind::ArithFor(command) => {
            out.push_str(&format!(
                "for (({}; {}; {}))\n",
                command.init.text, command.condition.text, command.step.text
            ));
            do_body(out, &command.body, level);
        }
        CompoundKind::Case(command) => {
            out.push_str(&format!("case {} in \n", command.word));
            for item in &command.items {
                indent(out, level + 1);
                let patterns: Vec<String> = item.patterns.iter().map(|p| p.to_string()).collect();
                out.push_str(&patterns.join(" | "));
                out.push_str(")\n");
                if item.body.items.is_empty() {
                    out.push('\n');
                } else {
                    list(out, &item.body, level + 2);
                }
                indent(out, level + 1);
                out.push_str(match item.terminator {
                    CaseTerminator::Break => ";;",
                    CaseTerminator::FallThrough => ";&",
                    CaseTerminator::Continue => ";;&",
                });
                out.push('\n');
            }
            indent(out, level);
            out.push_str("esac");
        }
        CompoundKind::Arith(arith) => out.push_str(&format!("(( {} ))", arith.text)),
        CompoundKind::Cond(expr) => out.push_str(&format!("[[ {expr} ]]")),
    }
    for redirection in &c.redirections {
        out.push(' ');
        out.push_str(&redirection.to_string());
    }
    heredoc_bodies(out, &c.redirections);
}

/// `if`, with each `elif` printed as an `if` nested in the `else`, as bash
/// prints it.
fn if_command(out: &mut String, branches: &[(List, List)], otherwise: &Option<List>, level: usize) {
    let Some(((condition, body), rest)) = branches.split_first() else {
        return;
    };
    out.push_str("if ");
    inline_list(out, condition);
    out.push_str("; then\n");
    list(out, body, level + 1);
    if !rest.is_empty() {
        indent(out, level);
        out.push_str("else\n");
        indent(out, level + 1);
        if_command(out, rest, otherwise, level + 1);
        out.push_str(";\n");
    } else if let Some(otherwise) = otherwise {
        indent(out, level);
        out.push_str("else\n");
        list(out, otherwise, level + 1);
    }
    indent(out, level);
    out.push_str("fi");
}

fn do_body(out: &mut String, body: &List, level: usize) {
    indent(out, level);
    out.push_str("do\n");
    list(out, body, level + 1);
    indent(out, level);
    out.push_str("done");
}

/// A condition list on one line: `if a; b; then`.
fn inline_list(out: &mut String, list: &List) {
    out.push_str(&list.to_string());
}
