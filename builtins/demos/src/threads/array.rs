//! The sum-array lab's input: L pseudo-random ints in [0, 1000) from a
//! seed, and how the work is cut among workers.

use std::ops::Range;

/// The lab's array length: 100,000,000 ints.
pub const LAB_LEN: usize = 100_000_000;

/// `len` ints in [0, 1000), the same for the same seed on every run and in
/// every demo.
pub fn random_ints(len: usize, seed: u64) -> Vec<i32> {
    let mut ints = vec![0; len];
    fill_random(&mut ints, seed);
    ints
}

/// The same as [`random_ints`], but a length too large for memory is an
/// error, not an abort.
pub fn try_random_ints(
    len: usize,
    seed: u64,
) -> Result<Vec<i32>, std::collections::TryReserveError> {
    let mut ints = Vec::new();
    ints.try_reserve_exact(len)?;
    ints.resize(len, 0);
    fill_random(&mut ints, seed);
    Ok(ints)
}

/// Fills `out` with the ints [`random_ints`] would give, in place: a demo
/// that keeps its array in a mapping of its own needs no second copy
/// (xorshift64*: fast, and good enough to sum).
pub fn fill_random(out: &mut [i32], seed: u64) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for slot in out {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let x = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        // The high bits are the best; map them onto 0..1000 without a
        // division (Lemire's multiply-shift).
        *slot = (((x >> 32) * 1000) >> 32) as i32;
    }
}

/// Splits `0..len` into `workers` contiguous parts whose sizes differ by at
/// most one, so a length that does not divide evenly still covers
/// every element exactly once.
pub fn split(len: usize, workers: usize) -> Vec<Range<usize>> {
    let workers = workers.max(1);
    let (base, extra) = (len / workers, len % workers);
    let mut start = 0;
    (0..workers)
        .map(|i| {
            let size = base + usize::from(i < extra);
            let range = start..start + size;
            start += size;
            range
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_in_range_and_repeatable() {
        let a = random_ints(10_000, 7);
        assert!(a.iter().all(|&x| (0..1000).contains(&x)));
        assert_eq!(a, random_ints(10_000, 7));
        assert_ne!(a, random_ints(10_000, 8));
        let mean = a.iter().map(|&x| x as f64).sum::<f64>() / a.len() as f64;
        assert!((450.0..550.0).contains(&mean), "mean {mean}");
    }

    #[test]
    fn parts_cover_everything_once() {
        for (len, workers) in [(10, 3), (7, 8), (100, 1), (0, 4), (1_000_003, 8)] {
            let parts = split(len, workers);
            assert_eq!(parts.len(), workers);
            assert_eq!(parts.first().map_or(0, |r| r.start), 0);
            assert_eq!(parts.last().map_or(0, |r| r.end), len);
            for pair in parts.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert!(pair[0].len().abs_diff(pair[1].len()) <= 1);
            }
        }
    }
}
