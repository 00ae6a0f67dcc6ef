//! A script held in memory: a file read whole at start, or `-c`'s text.

use std::io;

use super::LineSource;

pub struct ScriptSource {
    text: Vec<u8>,
    position: usize,
    lines: usize,
}

impl ScriptSource {
    pub fn new(text: Vec<u8>) -> ScriptSource {
        ScriptSource {
            text,
            position: 0,
            lines: 0,
        }
    }
}

impl LineSource for ScriptSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, _prompt: &str) -> io::Result<bool> {
        let rest = &self.text[self.position..];
        if rest.is_empty() {
            return Ok(false);
        }
        let end = crate::bytes::find(b'\n', rest).map_or(rest.len(), |p| p + 1);
        buf.extend_from_slice(&rest[..end]);
        self.position += end;
        self.lines += 1;
        Ok(true)
    }

    fn at_end(&self) -> bool {
        self.position == self.text.len()
    }
}
