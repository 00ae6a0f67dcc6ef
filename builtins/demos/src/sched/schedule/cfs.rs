//! The Completely Fair Scheduler as the lecture describes it: the ready
//! processes sit in a tree sorted by vruntime; at each context switch the
//! leftmost (smallest vruntime) runs for a time slice, its vruntime grows
//! and, unless it finished, it goes back in the tree. The tree is a
//! BTreeMap where the kernel has a red-black tree: both insert in
//! O(log n) and find the leftmost at once.
//!
//! vruntime grows by runtime * 1024 / weight, the weight of the nice value
//! from the kernel's `sched_prio_to_weight` table: a nice-0 process's
//! vruntime is its runtime, a higher-priority one's grows slower.

use std::collections::BTreeMap;

use super::{Process, Ready, Slice};

/// vruntime is counted in millionths of a time unit, in integers, as the
/// kernel counts it in nanoseconds: one time unit = 1 ms.
pub const SCALE: u64 = 1_000_000;

/// The weight of a nice-0 process (the kernel's NICE_0_LOAD, unscaled).
const NICE_0_WEIGHT: u64 = 1024;

/// `sched_prio_to_weight` from the kernel's kernel/sched/core.c, for nice
/// -20 to 19: each nice step is about 1.25 times the weight, about 10%
/// more or less CPU.
#[rustfmt::skip]
const WEIGHTS: [u64; 40] = [
    /* -20 */ 88761, 71755, 56483, 46273, 36291,
    /* -15 */ 29154, 23254, 18705, 14949, 11916,
    /* -10 */  9548,  7620,  6100,  4904,  3906,
    /*  -5 */  3121,  2501,  1991,  1586,  1277,
    /*   0 */  1024,   820,   655,   526,   423,
    /*   5 */   335,   272,   215,   172,   137,
    /*  10 */   110,    87,    70,    56,    45,
    /*  15 */    36,    29,    23,    18,    15,
];

/// The weight of nice value `nice` (-20 to 19, checked when parsed).
pub(crate) fn weight(nice: i32) -> u64 {
    let index = usize::try_from(nice + 20)
        .unwrap_or(0)
        .min(WEIGHTS.len() - 1);
    WEIGHTS[index]
}

/// How much vruntime `ran` time units add at nice value `nice`, rounded
/// down as the kernel's integer arithmetic does.
fn delta(ran: u32, nice: i32) -> u64 {
    u64::from(ran) * SCALE * NICE_0_WEIGHT / weight(nice)
}

/// A vruntime in time units, for printing.
pub fn in_units(vruntime: u64) -> f64 {
    vruntime as f64 / SCALE as f64
}

/// The timeline of CFS with time slice `slice` over `processes`, all
/// ready at time 0 with vruntime 0.
pub fn schedule(processes: &[Process], slice: u32) -> Vec<Slice> {
    // The key orders by vruntime, then by when the process went in: equal
    // vruntimes leave the one that has waited longer on the left, as the
    // kernel's tree puts an equal key to the right of those already in.
    let mut tree: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    let mut inserted = 0;
    for i in 0..processes.len() {
        tree.insert((0, inserted), i);
        inserted += 1;
    }
    let mut left: Vec<u32> = processes.iter().map(|p| p.burst).collect();
    let mut slices = Vec::new();
    let mut clock = 0;
    while let Some(((vruntime, _), i)) = tree.pop_first() {
        let ready = std::iter::once((vruntime, i))
            .chain(tree.iter().map(|(&(v, _), &j)| (v, j)))
            .map(|(v, j)| Ready {
                process: j,
                vruntime: Some(v),
            })
            .collect();
        let ran = left[i].min(slice);
        left[i] -= ran;
        slices.push(Slice {
            process: i,
            start: clock,
            end: clock + ran,
            ready,
        });
        clock += ran;
        if left[i] > 0 {
            tree.insert((vruntime + delta(ran, processes[i].priority), inserted), i);
            inserted += 1;
        }
    }
    slices
}

/// Each process's vruntime at the end: the sum of what each of its
/// slices added, as [`schedule`] added it.
pub fn vruntimes(processes: &[Process], slices: &[Slice]) -> Vec<u64> {
    let mut vruntime = vec![0; processes.len()];
    for s in slices {
        vruntime[s.process] += delta(s.end - s.start, processes[s.process].priority);
    }
    vruntime
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outcome, workload};
    use super::*;

    #[test]
    fn the_weights_are_the_kernels() {
        assert_eq!((weight(-20), weight(0), weight(19)), (88761, 1024, 15));
        // 2 units at nice -5: 2 * 1024 / 3121 = 0.656199... units.
        assert_eq!(delta(2, -5), 656_199);
        assert_eq!(delta(2, 0), 2 * SCALE);
    }

    #[test]
    fn equal_nice_values_take_turns_like_round_robin() {
        let processes = workload("P1:4 P2:3 P3:5");
        let slices = schedule(&processes, 2);
        let expected = ("P1 P2 P3 P1 P2 P3 P3".into(), vec![8, 9, 12]);
        assert_eq!(outcome(&processes, &slices), expected);
        assert_eq!(
            vruntimes(&processes, &slices),
            [4 * SCALE, 3 * SCALE, 5 * SCALE]
        );
    }

    #[test]
    fn a_lower_nice_value_runs_more_often() {
        // P1 (nice -5) 0-2, vruntime 0.656; P2 2-4, 2.0; P1 4-6, 1.312;
        // P1 again 6-8 (1.312 < 2.0), done; P2 8-10, 10-12.
        let processes = workload("P1:6:-5 P2:6:0");
        let slices = schedule(&processes, 2);
        let expected = ("P1 P2 P1 P1 P2 P2".into(), vec![8, 12]);
        assert_eq!(outcome(&processes, &slices), expected);
        // At time 6 the tree holds P1 left of P2.
        let tree: Vec<_> = slices[3]
            .ready
            .iter()
            .map(|r| (r.process, r.vruntime))
            .collect();
        assert_eq!(tree, [(0, Some(1_312_398)), (1, Some(2 * SCALE))]);
    }
}
