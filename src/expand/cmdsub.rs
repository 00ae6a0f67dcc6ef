//! Command substitution: `$( list )` runs the list in a forked copy of the
//! shell with its standard output on a pipe, and becomes what it printed,
//! trailing newlines removed. Its status is kept for `$?` on a line of only
//! assignments (`x=$(false); echo $?` prints 1).

use crate::ast::{Command, List, RedirOp, RedirTarget};
use crate::shell::Shell;

/// Runs `body` and returns its output, without the trailing newlines.
pub fn capture(shell: &mut Shell, body: &List) -> Vec<u8> {
    if !shell.run_substitutions {
        return Vec::new();
    }
    let (mut output, status) = match file_to_read(body) {
        // `$(< file)`: bash reads the file itself, with no process at all.
        Some(word) => shell.read_file_for_substitution(word),
        None => shell.capture_output(body),
    };
    while output.last() == Some(&b'\n') {
        output.pop();
    }
    if output.contains(&0) {
        // A shell string cannot hold NUL: bash drops them, and says so.
        output.retain(|&b| b != 0);
        shell.report_error("warning: command substitution: ignored null byte in input");
    }
    shell.substitution_status = Some(status);
    output
}

/// The file of `$(< file)`: a command of one input redirection and nothing
/// else.
fn file_to_read(body: &List) -> Option<&crate::ast::Word> {
    let [item] = body.items.as_slice() else {
        return None;
    };
    if item.background || !item.and_or.rest.is_empty() {
        return None;
    }
    let pipeline = &item.and_or.first;
    let [Command::Simple(simple)] = pipeline.commands.as_slice() else {
        return None;
    };
    if pipeline.negated || pipeline.timed.is_some() {
        return None;
    }
    if !simple.words.is_empty() || !simple.assignments.is_empty() {
        return None;
    }
    match simple.redirections.as_slice() {
        [r] if r.op == RedirOp::Read && r.fd.is_none_or(|fd| fd == 0) => match &r.target {
            RedirTarget::Word(word) => Some(word),
            RedirTarget::HereDoc(_) => None,
        },
        _ => None,
    }
}
