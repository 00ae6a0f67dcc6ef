//! The line editor's keys through a real pseudo-terminal: each test types
//! keys that edit a line, then checks what the edited line ran. A line
//! runs `printf '[%s]\n' …`, so its output (`[word]`) never looks like the
//! line as drawn.

mod common;

use common::pty::{PROMPT, start, start_in};

/// A shell without colours (so a drawn line is not cut by colour codes).
fn plain_shell() -> expectrl::Session {
    let home = tempfile::tempdir().unwrap().keep();
    start_in(&home, &[("PS1", PROMPT), ("NO_COLOR", "1")])
}

/// Types `keys`, then waits for `output` and the next prompt.
fn typed_gives(shell: &mut expectrl::Session, keys: &str, output: &str) {
    shell.send(keys).unwrap();
    shell.expect(output).unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn moves_deletes_kills_and_yanks() {
    let mut shell = plain_shell();
    let p = "printf '[%s]\\n' ";
    // Left, insert, Ctrl-A, Ctrl-E.
    typed_gives(
        &mut shell,
        &format!("{p}wrld\x1b[D\x1b[D\x1b[Do\x01\x05\r"),
        "[world]\r\n",
    );
    // Ctrl-W twice, then Ctrl-Y gives back the last word killed.
    typed_gives(
        &mut shell,
        &format!("{p}one two\x17\x17three \x19\r"),
        "[three]\r\n[one]\r\n",
    );
    // Ctrl-U drops what was typed; Ctrl-K kills to the end.
    typed_gives(
        &mut shell,
        &format!("xyz\x15{p}kept\x1b[D\x1b[D\x0b\r"),
        "[ke]\r\n",
    );
    // Ctrl-T at the end swaps the last two.
    typed_gives(&mut shell, &format!("{p}ab\x14\r"), "[ba]\r\n");
    // Delete (ESC [ 3 ~), then Backspace as ^H.
    typed_gives(
        &mut shell,
        &format!("{p}abc\x1b[D\x1b[D\x1b[3~\x08\r"),
        "[c]\r\n",
    );
    // Alt-Backspace; Alt-B then Alt-D.
    typed_gives(&mut shell, &format!("{p}foo bar\x1b\x7f\r"), "[foo]\r\n");
    typed_gives(
        &mut shell,
        &format!("{p}foo bar\x1bb\x1bd baz\r"),
        "[foo]\r\n[baz]\r\n",
    );
    // Home and End in their variants, Ctrl-B and Ctrl-F.
    typed_gives(
        &mut shell,
        &format!("{p}b\x1b[1~\x1bOF\x02a\x06c\x1b[H\x1b[4~\r"),
        "[abc]\r\n",
    );
}

#[test]
fn escape_sequences_the_editor_does_not_know_insert_nothing() {
    let mut shell = plain_shell();
    // F5, Insert, F1 (SS3), a focus report.
    typed_gives(
        &mut shell,
        "printf '[%s]\\n' x\x1b[15~y\x1b[2~\x1bOPz\x1b[I\r",
        "[xyz]\r\n",
    );
}

/// A line longer than the terminal is wide wraps, and an edit in its
/// middle (on its second row) lands where the cursor is.
#[test]
fn a_long_line_wraps_and_edits_in_the_middle() {
    let mut shell = plain_shell();
    shell.get_process_mut().set_window_size(20, 24).unwrap();
    let a = "a".repeat(30);
    let b = "b".repeat(20);
    let lefts = "\x1b[D".repeat(20);
    typed_gives(
        &mut shell,
        &format!("printf '[%s]\\n' {a}{b}{lefts}XY\r"),
        &format!("[{a}XY{b}]\r\n"),
    );
}

#[test]
fn up_and_down_keep_the_line_being_typed() {
    let mut shell = plain_shell();
    typed_gives(&mut shell, "printf '[%s]\\n' older\r", "[older]\r\n");
    // Up shows the older line, Down brings back the draft.
    typed_gives(
        &mut shell,
        "printf '[%s]\\n' draft\x1b[A\x1b[B-2\r",
        "[draft-2]\r\n",
    );
    // Ctrl-P recalls, and the recalled line can be edited.
    typed_gives(&mut shell, "\x10\x10\x08\x08est\r", "[oldest]\r\n");
}

#[test]
fn ctrl_r_finds_an_older_command() {
    let mut shell = plain_shell();
    typed_gives(&mut shell, "printf '[%s]\\n' first\r", "[first]\r\n");
    typed_gives(&mut shell, "printf '[%s]\\n' second\r", "[second]\r\n");
    shell.send("\x12fir").unwrap();
    shell.expect("(reverse-i-search)`fir'").unwrap();
    typed_gives(&mut shell, "\r", "[first]\r\n");
    // Ctrl-R again goes further back; a key other than Enter edits it.
    shell.send("\x12printf\x12").unwrap();
    shell.expect("`printf': printf '[%s]\\n' second").unwrap();
    typed_gives(&mut shell, "\x05-x\r", "[second-x]\r\n");
}

/// Right (or End, or Ctrl-F) at the end of the line takes the hint.
#[test]
fn right_at_the_end_takes_the_hint() {
    let mut shell = start();
    typed_gives(&mut shell, "printf '[%s]\\n' hinted\r", "[hinted]\r\n");
    shell.send("printf '[%s]\\n' hin").unwrap();
    shell.expect("\x1b[2mted\x1b[0m").unwrap();
    typed_gives(&mut shell, "\x1b[C\r", "[hinted]\r\n");
}

#[test]
fn ctrl_l_clears_the_screen_and_draws_the_line_again() {
    let mut shell = plain_shell();
    shell.send("printf '[%s]\\n' kept\x0c").unwrap();
    shell.expect("\x1b[2J").unwrap();
    shell.expect("printf '[%s]\\n' kept").unwrap();
    typed_gives(&mut shell, "\r", "[kept]\r\n");
}

/// How often `needle` is in `haystack`: each drawing of the line starts
/// with the prompt, so this counts redraws.
fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// A window resized while a wrapped line shows: the line is drawn again
/// at once at the new width, nothing typed, going up to the prompt by the
/// rows the cursor is below it at the new width (the terminal rewrapped
/// them), and only once.
#[test]
fn a_resize_redraws_the_line_at_once_at_the_new_width() {
    let mut shell = plain_shell();
    shell.get_process_mut().set_window_size(80, 24).unwrap();
    let line = format!("echo {}", "x".repeat(100));
    shell.send(&line).unwrap();
    // 109 columns with the prompt: two rows of 80, the cursor on the second.
    shell.expect(format!("{PROMPT}{line}\x1b[J")).unwrap();
    // Three rows of 40: the cursor on the third, two below the prompt.
    shell.get_process_mut().set_window_size(40, 24).unwrap();
    shell
        .expect(format!("\x1b[2A\r{PROMPT}{line}\x1b[J"))
        .unwrap();
    // One row of 200.
    shell.get_process_mut().set_window_size(200, 24).unwrap();
    let found = shell.expect(format!("{PROMPT}{line}\x1b[J")).unwrap();
    assert_eq!(found.before(), b"\r", "drawn from the prompt's row");
    // The next key is drawn once, from where the line is.
    shell.send("Z").unwrap();
    let found = shell.expect(format!("\r{PROMPT}{line}Z\x1b[J")).unwrap();
    assert_eq!(count(found.before(), PROMPT), 0, "one redraw");
    shell.send("\r").unwrap();
    shell.expect(format!("{}Z\r\n", "x".repeat(100))).unwrap();
    shell.expect(PROMPT).unwrap();
}

/// A bracketed paste is text: its newlines (sent as CR, as a terminal
/// sends them) go into the line, nothing runs until Enter, and it is
/// drawn once; Enter runs it all. Bracketed paste is off again before
/// the commands run.
#[test]
fn a_bracketed_paste_is_text_until_enter() {
    let mut shell = plain_shell();
    shell.send("\x1b[200~echo a\recho b\x1b[201~").unwrap();
    let found = shell
        .expect(format!("{PROMPT}echo a\r\necho b\x1b[J"))
        .unwrap();
    assert_eq!(count(found.before(), "echo"), 0, "drawn once");
    shell.send("\r").unwrap();
    shell.expect("\x1b[?2004la\r\nb\r\n").unwrap();
    shell.expect(format!("\x1b[?2004h\r{PROMPT}")).unwrap();
    // A tab in a paste is text, not completion; a byte that is not UTF-8
    // stays that byte.
    shell
        .send("\x1b[200~printf '[%s]\\n' x\ty\x1b[201~\r")
        .unwrap();
    shell.expect("[x]\r\n[y]\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell
        .send(b"\x1b[200~echo A\xffB | od -An -tx1\x1b[201~\r")
        .unwrap();
    shell.expect(" 41 ff 42 0a").unwrap();
    shell.expect(PROMPT).unwrap();
    // Ctrl-C and Ctrl-D turn it off too.
    shell.send("abandoned\x03").unwrap();
    shell.expect("^C").unwrap();
    shell.expect("\x1b[?2004l").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("\x04").unwrap();
    shell.expect("\x1b[?2004l").unwrap();
    shell.expect(expectrl::Eof).unwrap();
}
