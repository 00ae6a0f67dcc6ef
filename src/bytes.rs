//! Finding one byte in text: the newline that ends a line, the quote that
//! ends a quoted span.
//!
//! Through the `memchr` crate's SSE2 searcher, not its `memchr` function:
//! that one picks AVX2 or SSE2 at its first call by asking the CPU, and
//! the `cpuid` instructions of the question trap to the hypervisor on a
//! virtual machine (3.8 µs each here, 27 µs in all: a fifteenth of
//! `-c true`). Every x86-64 CPU has SSE2, so this searcher asks nothing.
//! It reads 16 bytes a step where AVX2 reads 32; on a shell's lines that
//! is a few instructions, not measured on long texts.

/// The index of the first `needle` in `haystack`.
#[inline]
pub fn find(needle: u8, haystack: &[u8]) -> Option<usize> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // `new` fails only where SSE2 is missing, ruled out by the cfg.
        if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(needle) {
            return searcher.find(haystack);
        }
    }
    memchr::memchr(needle, haystack)
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_the_first_occurrence_at_every_length() {
        // Lengths on both sides of the searcher's 16- and 64-byte blocks.
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 200] {
            let mut text = vec![b'a'; len];
            assert_eq!(find(b'\n', &text), None, "len {len}");
            for at in [0, len / 2, len.saturating_sub(1)] {
                if at < len {
                    text[at] = b'\n';
                    assert_eq!(find(b'\n', &text), Some(at), "len {len} at {at}");
                    text[at] = b'a';
                }
            }
        }
        assert_eq!(find(b'x', b"abxcx"), Some(2));
    }
}
