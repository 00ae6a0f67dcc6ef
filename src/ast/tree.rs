//! The command tree drawn as a tree, one node per line, for `parse LINE`
//! and explain mode: what the parser built, in the spirit of the course
//! parser's `DisplayStructure`. Leaves (words, redirections, tests) are
//! printed back as written.

use super::*;

/// The tree of `list`, each node on its own line, children indented.
pub fn draw(list: &List) -> String {
    let mut out = String::new();
    draw_list(&mut out, list, 0);
    out
}

fn line(out: &mut String, level: usize, text: &str) {
    for _ in 0..level {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

fn draw_list(out: &mut String, list: &List, level: usize) {
    if let [item] = list.items.as_slice() {
        if !item.background {
            return draw_and_or(out, &item.and_or, level);
        }
    }
    let count = list.items.len();
    let noun = if count == 1 { "command" } else { "commands" };
    line(out, level, &format!("List ({count} {noun}, in turn)"));
    for item in &list.items {
        if item.background {
            line(out, level + 1, "Background (&): the shell does not wait");
            draw_and_or(out, &item.and_or, level + 2);
        } else {
            draw_and_or(out, &item.and_or, level + 1);
        }
    }
}

fn draw_and_or(out: &mut String, and_or: &AndOrList, level: usize) {
    if and_or.rest.is_empty() {
        return draw_pipeline(out, &and_or.first, level);
    }
    line(
        out,
        level,
        "AndOr (each next one runs on the status before)",
    );
    draw_pipeline(out, &and_or.first, level + 1);
    for (op, pipeline) in &and_or.rest {
        line(
            out,
            level + 1,
            match op {
                AndOr::And => "&& (if it succeeded)",
                AndOr::Or => "|| (if it failed)",
            },
        );
        draw_pipeline(out, pipeline, level + 1);
    }
}

fn draw_pipeline(out: &mut String, pipeline: &Pipeline, level: usize) {
    let marks = match (pipeline.negated, pipeline.timed.is_some()) {
        (true, true) => " time !",
        (true, false) => " !",
        (false, true) => " time",
        (false, false) => "",
    };
    if pipeline.commands.len() == 1 && marks.is_empty() {
        return draw_command(out, &pipeline.commands[0], level);
    }
    line(
        out,
        level,
        &format!(
            "Pipeline{marks} ({} commands, one process each, joined by pipes)",
            pipeline.commands.len()
        ),
    );
    for command in &pipeline.commands {
        draw_command(out, command, level + 1);
    }
}

fn draw_command(out: &mut String, command: &Command, level: usize) {
    match command {
        Command::Simple(simple) => draw_simple(out, simple, level),
        Command::Compound(compound) => draw_compound(out, compound, level),
        Command::Function(def) => {
            line(out, level, &format!("FunctionDef {}", def.name));
            draw_compound(out, &def.body, level + 1);
        }
    }
}

fn draw_simple(out: &mut String, simple: &SimpleCommand, level: usize) {
    line(out, level, "SimpleCommand");
    for assignment in &simple.assignments {
        line(out, level + 1, &format!("assign {assignment}"));
    }
    for (i, argument) in simple.words.iter().enumerate() {
        match argument {
            Argument::Word(word) => line(out, level + 1, &format!("argv[{i}] {word}")),
            Argument::Assignment(assignment) => line(
                out,
                level + 1,
                &format!("argv[{i}] (assignment) {assignment}"),
            ),
        }
    }
    for redirection in &simple.redirections {
        line(out, level + 1, &format!("redirect {redirection}"));
    }
}

fn draw_compound(out: &mut String, compound: &Compound, level: usize) {
    let inner = level + 1;
    match &compound.kind {
        CompoundKind::Subshell(list) => {
            line(out, level, "Subshell ( ): a forked copy of the shell");
            draw_list(out, list, inner);
        }
        CompoundKind::Group(list) => {
            line(out, level, "Group { }: in the shell itself");
            draw_list(out, list, inner);
        }
        CompoundKind::If(command) => {
            line(out, level, "If");
            for (i, (condition, body)) in command.branches.iter().enumerate() {
                line(
                    out,
                    inner,
                    if i == 0 {
                        "condition"
                    } else {
                        "elif condition"
                    },
                );
                draw_list(out, condition, inner + 1);
                line(out, inner, "then");
                draw_list(out, body, inner + 1);
            }
            if let Some(otherwise) = &command.otherwise {
                line(out, inner, "else");
                draw_list(out, otherwise, inner + 1);
            }
        }
        CompoundKind::While(command) => {
            line(out, level, if command.until { "Until" } else { "While" });
            line(out, inner, "condition");
            draw_list(out, &command.condition, inner + 1);
            line(out, inner, "body");
            draw_list(out, &command.body, inner + 1);
        }
        CompoundKind::For(command) | CompoundKind::Select(command) => {
            let keyword = match compound.kind {
                CompoundKind::Select(_) => "Select",
                _ => "For",
            };
            let words = match &command.words {
                Some(words) => words
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                None => "\"$@\"".to_owned(),
            };
            line(
                out,
                level,
                &format!("{keyword} {} in {words}", command.name),
            );
            draw_list(out, &command.body, inner);
        }
        CompoundKind::ArithFor(command) => {
            line(
                out,
                level,
                &format!(
                    "ArithFor (({}; {}; {}))",
                    command.init.text, command.condition.text, command.step.text
                ),
            );
            draw_list(out, &command.body, inner);
        }
        CompoundKind::Case(command) => {
            line(out, level, &format!("Case {}", command.word));
            for item in &command.items {
                let patterns: Vec<String> = item.patterns.iter().map(ToString::to_string).collect();
                let end = match item.terminator {
                    CaseTerminator::Break => ";;",
                    CaseTerminator::FallThrough => ";&",
                    CaseTerminator::Continue => ";;&",
                };
                line(
                    out,
                    inner,
                    &format!("pattern {} ({end})", patterns.join("|")),
                );
                draw_list(out, &item.body, inner + 1);
            }
        }
        CompoundKind::Arith(arith) => line(out, level, &format!("Arith (({}))", arith.text)),
        CompoundKind::Cond(expr) => line(out, level, &format!("Cond [[ {expr} ]]")),
    }
    for redirection in &compound.redirections {
        line(out, inner, &format!("redirect {redirection}"));
    }
}
