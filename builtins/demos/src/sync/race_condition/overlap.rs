//! When did the threads of `race-condition` really count at the same time?
//! Not from when each began and ended (a thread the scheduler took off its
//! CPU for a while is not counting, though its loop has not ended), but
//! from each thread's own time marks, taken as each chunk of increments
//! began and ended. Each mark holds the time and the CPU time the thread
//! had used: in a chunk whose CPU time grew by at least half the time that
//! passed the thread was on its CPU, counting; in one whose CPU time stood
//! still it was waiting for a CPU, and it counts for nothing. The waits
//! between chunks count for nothing either. (How fast it counted does not matter: two threads on one
//! cache line slow each other down, and that is the race, not a pause.)

use std::time::Duration;

use super::count::Mark;

/// The intervals in which a thread was counting, in order, merged where
/// they touch. `marks` holds two per chunk: its beginning and its end.
pub fn counting(marks: &[Mark]) -> Vec<(Duration, Duration)> {
    let on_cpu = |a: &Mark, b: &Mark| (b.cpu.saturating_sub(a.cpu)) * 2 >= b.wall - a.wall;
    let mut merged: Vec<(Duration, Duration)> = Vec::new();
    for pair in marks.chunks_exact(2).filter(|w| on_cpu(&w[0], &w[1])) {
        let (start, end) = (pair[0].wall, pair[1].wall);
        match merged.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// How long at least two of the threads were counting at once, given each
/// thread's counting intervals: the time in which a store of one could
/// fall between the load and the store of another.
pub fn together(threads: &[Vec<(Duration, Duration)>]) -> Duration {
    // A sweep over every interval's start (+1) and end (-1).
    let mut edges: Vec<(Duration, i32)> = threads
        .iter()
        .flatten()
        .flat_map(|&(start, end)| [(start, 1), (end, -1)])
        .collect();
    // Ends before starts at the same instant: touching is not overlapping.
    edges.sort();
    let mut active = 0;
    let mut since = Duration::ZERO;
    let mut total = Duration::ZERO;
    for (at, step) in edges {
        if active >= 2 {
            total += at - since;
        }
        active += step;
        since = at;
    }
    total
}

/// The total length of some intervals.
pub fn length(intervals: &[(Duration, Duration)]) -> Duration {
    intervals.iter().map(|(a, b)| *b - *a).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk's two marks for each (start, end) in us, with the CPU time
    /// growing as much as the time, except in the chunks listed in `off`.
    fn marks(chunks: &[(u64, u64)], off: &[usize]) -> Vec<Mark> {
        let mut cpu = Duration::ZERO;
        let mut marks = Vec::new();
        for (i, &(start, end)) in chunks.iter().enumerate() {
            let mark = |t: u64, cpu| Mark {
                wall: Duration::from_micros(t),
                cpu,
            };
            marks.push(mark(start, cpu));
            if !off.contains(&i) {
                cpu += Duration::from_micros(end - start);
            }
            marks.push(mark(end, cpu));
        }
        marks
    }

    #[test]
    fn a_step_off_the_cpu_is_a_pause_and_does_not_count() {
        // Chunks of 10 us, then one of 5 ms waiting for a CPU, then 10 us
        // again; the chunks touch, but for a 2 us wait before the last.
        let marks = marks(
            &[
                (0, 10),
                (10, 20),
                (20, 30),
                (30, 5030),
                (5030, 5040),
                (5042, 5050),
            ],
            &[3],
        );
        let intervals = counting(&marks);
        assert_eq!(
            intervals,
            [
                (Duration::from_micros(0), Duration::from_micros(30)),
                (Duration::from_micros(5030), Duration::from_micros(5040)),
                (Duration::from_micros(5042), Duration::from_micros(5050)),
            ]
        );
        assert_eq!(length(&intervals), Duration::from_micros(48));
    }

    #[test]
    fn together_is_where_two_or_more_count_at_once() {
        let a = vec![(Duration::from_micros(0), Duration::from_micros(100))];
        let b = vec![
            (Duration::from_micros(50), Duration::from_micros(80)),
            (Duration::from_micros(90), Duration::from_micros(200)),
        ];
        assert_eq!(together(&[a.clone(), b]), Duration::from_micros(40));
        // One after the other: nothing together.
        let c = vec![(Duration::from_micros(100), Duration::from_micros(150))];
        assert_eq!(together(&[a.clone(), c]), Duration::ZERO);
        assert_eq!(together(&[a]), Duration::ZERO);
    }
}
