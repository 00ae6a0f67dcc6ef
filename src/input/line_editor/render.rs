//! Drawing the prompt, the line and its hint on the terminal, wrapped at
//! the terminal's width, and putting the cursor where it belongs.
//!
//! Every redraw goes back to where the prompt started, writes it all again
//! over what was there and clears from its end to the end of the screen,
//! in one `write`: simple, and right after any edit anywhere in a line of
//! several rows. Clearing after, not before: a clear from the screen's
//! first cell is a clear of the whole screen, which tmux (scroll-on-clear)
//! first copies into its history, from where a wider window brings the
//! old drawing back into view above the new one. Where the cursor
//! lands is computed, not asked of the terminal: each character's display
//! width (two for most CJK, none for a combining accent) is added up from
//! the prompt's start, wrapping where the terminal wraps. The width is
//! read at each redraw, so a resized window is drawn to its new size.
//!
//! A resize moves what is on the screen before the editor hears of it:
//! the terminals in use today (tmux, VTE, kitty, alacritty, konsole, foot)
//! rewrap a wrapped line to the new width, the cursor with it. So when the
//! window changes size, where the cursor now stands below the prompt's
//! first row is computed again at the new width from what was drawn
//! before it ([`Screen::resize`]), and the next redraw goes up that far.
//! A terminal that does not rewrap (xterm) keeps the rows as they were:
//! narrowed, going up by the new count clears a row or two of what was
//! above the prompt, rather than leaving stale rows of the line.

use unicode_width::UnicodeWidthChar;

use super::text::byte_of_char;

/// What a byte that is not UTF-8 looks like on the screen.
const BYTE_SHOWN: char = char::REPLACEMENT_CHARACTER;

/// How far apart a terminal's tab stops are, until a program sets them.
const TAB_STOPS: usize = 8;

/// A place on the screen, counted from the prompt's first row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    pub row: usize,
    pub column: usize,
}

/// Walks text as the terminal would, to learn where it ends.
struct Pen {
    at: Place,
    width: usize,
    /// The last character filled the row: the terminal holds the cursor
    /// on the last column until something more is written, the layout
    /// already counts it on the next row.
    wrapped: bool,
}

impl Pen {
    fn new(width: usize) -> Pen {
        Pen {
            at: Place::default(),
            width: width.max(1),
            wrapped: false,
        }
    }

    fn put(&mut self, c: char) {
        if c == '\n' {
            self.at = Place {
                row: self.at.row + 1,
                column: 0,
            };
            self.wrapped = false;
            return;
        }
        if c == '\r' {
            self.at.column = 0;
            self.wrapped = false;
            return;
        }
        // To the next tab stop (every 8 columns), as far as the last
        // column: a tab never wraps.
        if c == '\t' {
            let stop = (self.at.column / TAB_STOPS + 1) * TAB_STOPS;
            self.at.column = stop.min(self.width - 1).max(self.at.column);
            self.wrapped = false;
            return;
        }
        let width = char_width(c);
        if width == 0 {
            return;
        }
        // A wide character that does not fit goes to the next row whole,
        // as the terminal puts it.
        if self.at.column + width > self.width {
            self.at = Place {
                row: self.at.row + 1,
                column: 0,
            };
        }
        self.at.column += width;
        self.wrapped = false;
        if self.at.column >= self.width {
            self.at = Place {
                row: self.at.row + 1,
                column: 0,
            };
            self.wrapped = true;
        }
    }

    /// Text that may hold colour sequences (`ESC [ … m`), which take no
    /// room, and OSC sequences (`ESC ] … BEL`, a window title).
    fn put_coloured(&mut self, text: &str) {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\x1b' {
                self.put(c);
                continue;
            }
            match chars.next() {
                Some('[') => {
                    while chars.next_if(|c| !('@'..='~').contains(c)).is_some() {}
                    chars.next();
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// How many columns `c` takes on the screen.
fn char_width(c: char) -> usize {
    if byte_of_char(c).is_some() {
        return 1;
    }
    if c.is_control() {
        return 0;
    }
    c.width().unwrap_or(0)
}

/// The line as written to the screen: a byte that is not UTF-8 shows as
/// U+FFFD (its stand-in character would show as whatever the font has).
fn shown(text: &str) -> String {
    text.chars()
        .map(|c| match byte_of_char(c) {
            Some(_) => BYTE_SHOWN,
            None => c,
        })
        .collect()
}

/// One picture of the prompt and the line.
pub struct Frame<'a> {
    pub prompt: &'a str,
    /// The line, plain, and as drawn (with colours, or the same).
    pub line: &'a str,
    pub coloured_line: &'a str,
    /// Byte index of the cursor in `line`.
    pub cursor: usize,
    /// Drawn after the line, dim: plain text and as drawn.
    pub hint: &'a str,
    pub coloured_hint: &'a str,
}

/// Where the cursor ends after `frame`, where the drawing ends, and
/// whether it ends with the terminal holding a wrap.
pub struct Layout {
    pub cursor: Place,
    pub end: Place,
    pub end_wrapped: bool,
}

pub fn layout(frame: &Frame<'_>, width: usize) -> Layout {
    let mut pen = Pen::new(width);
    pen.put_coloured(frame.prompt);
    frame.line[..frame.cursor].chars().for_each(|c| pen.put(c));
    let cursor = pen.at;
    frame.line[frame.cursor..].chars().for_each(|c| pen.put(c));
    frame.hint.chars().for_each(|c| pen.put(c));
    Layout {
        cursor,
        end: pen.at,
        end_wrapped: pen.wrapped,
    }
}

/// What the screen holds of the editor's drawing.
#[derive(Default)]
pub struct Screen {
    /// The row the cursor is on, from the prompt's first row.
    cursor_row: usize,
    /// The last drawing filled its last row, and the cursor is at the
    /// start of the row below it: a newline there would leave a blank row.
    on_fresh_row: bool,
    /// What the last drawing put before the cursor, the prompt and the
    /// line up to the cursor, and whether something came after it: where
    /// the cursor stands once the terminal rewrapped them is found again
    /// from them.
    before_cursor: (String, String),
    text_after_cursor: bool,
}

impl Screen {
    /// Starts a fresh drawing where the cursor is (a new prompt, or after
    /// a list of completions).
    pub fn forget(&mut self) {
        *self = Screen::default();
    }

    /// The window is now `width` columns wide, and the terminal rewrapped
    /// the drawing to it: the cursor's row below the prompt's first row is
    /// what the text before it takes at the new width.
    pub fn resize(&mut self, width: usize) {
        let (prompt, line) = &self.before_cursor;
        let mut pen = Pen::new(width);
        pen.put_coloured(prompt);
        line.chars().for_each(|c| pen.put(c));
        let mut row = pen.at.row;
        if self.on_fresh_row && !pen.wrapped {
            // The `\r\n` after a full last row ended that row: the cursor
            // is on the row below the rewrapped text.
            row += 1;
        } else if pen.wrapped && !self.on_fresh_row && !self.text_after_cursor {
            // The text before the cursor now fills its last row exactly,
            // and nothing follows it: the terminal holds the cursor on
            // that row's last column.
            row -= 1;
        }
        self.cursor_row = row;
    }

    /// Whether the cursor stands at the start of an empty row below the
    /// drawing (the drawing filled the row above to its last column).
    pub fn on_fresh_row(&self) -> bool {
        self.on_fresh_row
    }

    /// The bytes that redraw `frame` in place of the last drawing.
    pub fn redraw(&mut self, frame: &Frame<'_>, width: usize) -> String {
        let layout = layout(frame, width);
        let mut out = String::new();
        if self.cursor_row > 0 {
            out.push_str(&format!("\x1b[{}A", self.cursor_row));
        }
        out.push('\r');
        out.push_str(frame.prompt);
        out.push_str(&shown(frame.coloured_line));
        out.push_str(frame.coloured_hint);
        if layout.end_wrapped {
            // Takes the cursor to the next row, where the layout counts it
            // (and where the clear leaves the last column of the row above
            // alone: the terminal holds the cursor on it until then).
            out.push_str("\r\n");
        }
        out.push_str("\x1b[J");
        let up = layout.end.row - layout.cursor.row;
        if up > 0 {
            out.push_str(&format!("\x1b[{up}A"));
        }
        if up > 0 || layout.cursor.column != layout.end.column {
            out.push('\r');
            if layout.cursor.column > 0 {
                out.push_str(&format!("\x1b[{}C", layout.cursor.column));
            }
        }
        self.cursor_row = layout.cursor.row;
        self.on_fresh_row = layout.end_wrapped && layout.cursor == layout.end;
        let (prompt, line) = &mut self.before_cursor;
        prompt.replace_range(.., frame.prompt);
        line.replace_range(.., &frame.line[..frame.cursor]);
        self.text_after_cursor = layout.cursor != layout.end;
        out
    }
}

/// The terminal's width in columns (80 when it does not say).
pub fn terminal_width() -> usize {
    for fd in [1, 0] {
        // SAFETY: TIOCGWINSZ writes a `winsize` into the local one given;
        // a descriptor that is no terminal makes it fail, which is checked.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let answer = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) };
        if answer == 0 && size.ws_col > 0 {
            return usize::from(size.ws_col);
        }
    }
    80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame<'a>(prompt: &'a str, line: &'a str, cursor: usize, hint: &'a str) -> Frame<'a> {
        Frame {
            prompt,
            line,
            coloured_line: line,
            cursor,
            hint,
            coloured_hint: hint,
        }
    }

    fn place(row: usize, column: usize) -> Place {
        Place { row, column }
    }

    #[test]
    fn a_short_line_and_colours_that_take_no_room() {
        let f = frame("\x1b[1;32mms>\x1b[0m ", "echo hi", 4, "");
        let l = layout(&f, 80);
        assert_eq!(
            (l.cursor, l.end, l.end_wrapped),
            (place(0, 8), place(0, 11), false)
        );
    }

    #[test]
    fn long_lines_wrap_at_the_width() {
        // 4 columns of prompt, 16 of text, width 10: rows of 10, 10.
        let f = frame("ms> ", "abcdefghijklmnop", 16, "");
        let l = layout(&f, 10);
        assert_eq!((l.end, l.end_wrapped), (place(2, 0), true));
        // The cursor in the middle of the second row.
        let f = frame("ms> ", "abcdefghijklmnop", 9, "");
        assert_eq!(layout(&f, 10).cursor, place(1, 3));
        // Exactly at a row's end, the cursor is at the next row's start.
        let f = frame("ms> ", "abcdefghijklmnop", 6, "");
        assert_eq!(layout(&f, 10).cursor, place(1, 0));
        // A hint wraps too.
        let f = frame("ms> ", "ab", 2, "cdefghijk");
        assert_eq!(layout(&f, 10).end, place(1, 5));
    }

    #[test]
    fn wide_and_zero_width_characters_and_prompt_rows() {
        // Width 2 each; the third does not fit at column 9 and wraps.
        let f = frame("12345", "日本語", 9, "");
        let l = layout(&f, 10);
        assert_eq!(l.end, place(1, 2));
        assert_eq!(l.cursor, place(1, 2));
        // A combining accent takes no room; a byte takes one.
        let f = frame("> ", "e\u{301}\u{10ffff}", 7, "");
        assert_eq!(layout(&f, 80).end, place(0, 4));
        // A prompt of two lines.
        let f = frame("~/src\n> ", "ls", 2, "");
        assert_eq!(layout(&f, 80).cursor, place(1, 4));
    }

    #[test]
    fn a_redraw_goes_back_to_the_prompt_and_places_the_cursor() {
        let mut screen = Screen::default();
        let f = frame("ms> ", "abcdefghijklmnop", 9, "");
        let out = screen.redraw(&f, 10);
        assert_eq!(out, "\rms> abcdefghijklmnop\r\n\x1b[J\x1b[1A\r\x1b[3C");
        assert!(!screen.on_fresh_row());
        // The next drawing starts one row up, where the prompt is.
        let out = screen.redraw(&frame("ms> ", "ab", 2, ""), 10);
        assert_eq!(out, "\x1b[1A\rms> ab\x1b[J");
        // A line filling its row exactly, the cursor at its end: drawn
        // with the cursor taken to the row below, where a newline is not
        // needed to finish the line.
        let out = screen.redraw(&frame("ms> ", "abcdef", 6, ""), 10);
        assert_eq!(out, "\rms> abcdef\r\n\x1b[J");
        assert!(screen.on_fresh_row());
        assert_eq!(shown("a\u{10ffff}"), "a\u{fffd}");
    }

    /// After a resize the next drawing goes up by the rows the cursor is
    /// below the prompt's first row once the terminal rewrapped them.
    #[test]
    fn a_resize_counts_the_rows_again_at_the_new_width() {
        let up_after = |line: &str, cursor: usize, old: usize, new: usize| {
            let mut screen = Screen::default();
            screen.redraw(&frame("ms> ", line, cursor, ""), old);
            screen.resize(new);
            let out = screen.redraw(&frame("ms> ", line, cursor, ""), new);
            out.split_once('\r').map(|(up, _)| up.to_owned()).unwrap()
        };
        let long = "x".repeat(110);
        // 114 columns: row 1 of 80, row 2 of 40; back to one row at 120.
        assert_eq!(up_after(&long, 110, 80, 40), "\x1b[2A");
        assert_eq!(up_after(&long, 110, 40, 120), "");
        // The cursor in the middle: the rows before it.
        assert_eq!(up_after(&long, 50, 40, 20), "\x1b[2A");
        // Drawn filling its last row, the cursor on the row below: still
        // one row below the rewrapped text at the new width.
        assert_eq!(up_after("abcdef", 6, 10, 20), "\x1b[1A");
        // Filling its last row only at the new width, with nothing after
        // the cursor: the terminal holds the cursor on that row.
        assert_eq!(up_after("abcdefghijklmnop", 16, 30, 10), "\x1b[1A");
        // Text after the cursor: it is at the next row's start.
        assert_eq!(up_after("abcdefghijklmnopq", 16, 30, 10), "\x1b[2A");
        let mut screen = Screen::default();
        screen.redraw(&frame("ms> ", &long, 110, ""), 40);
        screen.forget();
        screen.resize(10);
        let out = screen.redraw(&frame("ms> ", "", 0, ""), 10);
        assert_eq!(out, "\rms> \x1b[J");
    }

    #[test]
    fn a_tab_goes_to_the_next_stop_and_never_wraps() {
        assert_eq!(layout(&frame("> ", "a\tb", 3, ""), 80).end, place(0, 9));
        assert_eq!(layout(&frame("> ", "a\t", 2, ""), 6).end, place(0, 5));
    }
}
