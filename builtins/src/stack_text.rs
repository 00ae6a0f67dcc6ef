//! Text composed on the stack, for what a child says between fork and
//! execve, where it may not allocate: the shell's own error lines and
//! explain mode's narration both use it.

/// Up to `N` bytes of text; what does not fit is cut. `reserve` bytes at
/// the end are kept for [`StackText::push_end`] (a line's closing escape
/// and newline), so a cut line still ends as it should.
pub struct StackText<const N: usize> {
    bytes: [u8; N],
    len: usize,
    reserve: usize,
}

impl<const N: usize> StackText<N> {
    pub fn new(reserve: usize) -> Self {
        StackText {
            bytes: [0; N],
            len: 0,
            reserve: reserve.min(N),
        }
    }

    pub fn push(&mut self, text: &[u8]) {
        let limit = N - self.reserve;
        let n = text.len().min(limit.saturating_sub(self.len));
        self.bytes[self.len..self.len + n].copy_from_slice(&text[..n]);
        self.len += n;
    }

    /// Text into the reserved room at the end.
    pub fn push_end(&mut self, text: &[u8]) {
        let n = text.len().min(N - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&text[..n]);
        self.len += n;
    }

    /// A number in decimal, without `format!` (which allocates).
    pub fn push_number(&mut self, n: i64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut rest = n.unsigned_abs();
        loop {
            i -= 1;
            digits[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if n < 0 {
            self.push(b"-");
        }
        self.push(&digits[i..]);
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Writes the text to `fd`, retrying short writes; errors are dropped
    /// (there is nowhere left to report them).
    pub fn write_to(&self, fd: i32) {
        let mut bytes = self.bytes();
        while !bytes.is_empty() {
            // SAFETY: write is async-signal-safe; the slice is valid for
            // its length.
            let n = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
            if n <= 0 {
                return;
            }
            bytes = &bytes[n as usize..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_cuts() {
        let mut text = StackText::<16>::new(2);
        text.push(b"pid ");
        text.push_number(-4242);
        assert_eq!(text.bytes(), b"pid -4242");
        text.push(b" and more than fits");
        assert_eq!(text.bytes().len(), 14);
        text.push_end(b"\n");
        assert_eq!(text.bytes(), b"pid -4242 and \n");
        let mut zero = StackText::<8>::new(0);
        zero.push_number(0);
        assert_eq!(zero.bytes(), b"0");
    }
}
