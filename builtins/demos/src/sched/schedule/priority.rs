//! Fixed-priority scheduling, with priorities as nice values (the lecture:
//! "lower nice-ness = higher priority"). Two forms: non-preemptive, where
//! the highest-priority process runs to the end; and the lecture's
//! "Priority-Based Round-Robin", with one queue per priority and the
//! highest non-empty queue served round-robin.

use std::collections::{BTreeMap, VecDeque};

use super::{Process, Ready, Slice};

/// Non-preemptive priority: every process is ready at time 0, so the
/// order is the processes sorted by nice value, ties in the order given
/// (the sort is stable).
pub fn schedule(processes: &[Process]) -> Vec<Slice> {
    let mut order: Vec<usize> = (0..processes.len()).collect();
    order.sort_by_key(|&i| processes[i].priority);
    let mut clock = 0;
    (0..order.len())
        .map(|k| {
            let i = order[k];
            let start = clock;
            clock += processes[i].burst;
            Slice {
                process: i,
                start,
                end: clock,
                ready: Ready::list(order[k..].iter().copied()),
            }
        })
        .collect()
}

/// Priority-based round-robin with time slice `quantum`: a queue per nice
/// value, kept in a map ordered by it, so the first queue is the highest
/// priority. An emptied queue leaves the map.
pub fn schedule_rr(processes: &[Process], quantum: u32) -> Vec<Slice> {
    let mut queues: BTreeMap<i32, VecDeque<usize>> = BTreeMap::new();
    for (i, process) in processes.iter().enumerate() {
        queues.entry(process.priority).or_default().push_back(i);
    }
    let mut left: Vec<u32> = processes.iter().map(|p| p.burst).collect();
    let mut slices = Vec::new();
    let mut clock = 0;
    loop {
        let ready = Ready::list(queues.values().flatten().copied());
        let Some(mut queue) = queues.first_entry() else {
            break;
        };
        // Never empty: a queue is removed as soon as it empties, below.
        let Some(i) = queue.get_mut().pop_front() else {
            break;
        };
        let ran = left[i].min(quantum);
        left[i] -= ran;
        slices.push(Slice {
            process: i,
            start: clock,
            end: clock + ran,
            ready,
        });
        clock += ran;
        if left[i] > 0 {
            queue.get_mut().push_back(i);
        } else if queue.get().is_empty() {
            queue.remove();
        }
    }
    slices
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outcome, workload};
    use super::*;

    #[test]
    fn the_lowest_nice_value_runs_first_and_to_the_end() {
        // P2 (1) 0-1, P5 (2) 1-6, P1 (3) 6-16, P3 (4) 16-18, P4 (5) 18-19.
        let processes = workload("P1:10:3 P2:1:1 P3:2:4 P4:1:5 P5:5:2");
        let slices = schedule(&processes);
        let expected = ("P2 P5 P1 P3 P4".into(), vec![16, 1, 18, 19, 6]);
        assert_eq!(outcome(&processes, &slices), expected);
    }

    #[test]
    fn ties_run_in_the_order_given() {
        // P2 and P3 share -5: P2 0-3, P3 3-8, then P1 8-12.
        let processes = workload("P1:4:0 P2:3:-5 P3:5:-5");
        let slices = schedule(&processes);
        assert_eq!(
            outcome(&processes, &slices),
            ("P2 P3 P1".into(), vec![12, 3, 8])
        );
        assert_eq!(slices[0].ready, Ready::list([1, 2, 0]));
    }

    #[test]
    fn the_top_queue_runs_round_robin_before_the_next() {
        // Queue -5: P2 0-2, P3 2-4, P2 4-6 (done), P3 6-7 (done);
        // queue 0: P1 7-9, 9-10 (done).
        let processes = workload("P1:3:0 P2:4:-5 P3:3:-5");
        let slices = schedule_rr(&processes, 2);
        let expected = ("P2 P3 P2 P3 P1 P1".into(), vec![10, 6, 7]);
        assert_eq!(outcome(&processes, &slices), expected);
        assert_eq!(slices[1].ready, Ready::list([2, 1, 0]));
    }
}
