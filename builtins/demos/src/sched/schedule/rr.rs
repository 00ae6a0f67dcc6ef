//! Round-robin, as the lecture lists its steps: every process joins a
//! queue; the scheduler takes the front one and runs it until it finishes
//! or its time slice ends; if it is not finished it goes to the back.

use std::collections::VecDeque;

use super::{Process, Ready, Slice};

/// The timeline of round-robin with time slice `quantum` over
/// `processes`, queued in the order given at time 0.
pub fn schedule(processes: &[Process], quantum: u32) -> Vec<Slice> {
    let mut left: Vec<u32> = processes.iter().map(|p| p.burst).collect();
    let mut queue: VecDeque<usize> = (0..processes.len()).collect();
    let mut slices = Vec::new();
    let mut clock = 0;
    while let Some(&i) = queue.front() {
        let ready = Ready::list(queue.iter().copied());
        queue.pop_front();
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
            queue.push_back(i);
        }
    }
    slices
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outcome, workload};
    use super::*;

    #[test]
    fn the_lectures_example() {
        // P1 0-2, P2 2-4, P3 4-6, P1 6-8 (done), P2 8-9 (done), P3 9-11,
        // P3 11-12 (done).
        let processes = workload("P1:4 P2:3 P3:5");
        let slices = schedule(&processes, 2);
        let expected = ("P1 P2 P3 P1 P2 P3 P3".into(), vec![8, 9, 12]);
        assert_eq!(outcome(&processes, &slices), expected);
        // At time 6 the queue is P1 P2 P3 again, P1 at the front.
        assert_eq!(slices[3].ready, Ready::list([0, 1, 2]));
        // The last slice finds P3 alone.
        assert_eq!(slices[6].ready, Ready::list([2]));
    }

    #[test]
    fn a_slice_as_long_as_every_burst_is_fcfs() {
        let processes = workload("P1:4 P2:3 P3:5");
        assert_eq!(
            outcome(&processes, &schedule(&processes, 5)),
            ("P1 P2 P3".into(), vec![4, 7, 12])
        );
    }

    #[test]
    fn a_slice_of_one() {
        // P1 P2 P3 P1 P2 P3 P1 P2 (P2 done at 8) P3 P1 (done at 10) P3 P3.
        let processes = workload("P1:4 P2:3 P3:5");
        assert_eq!(
            outcome(&processes, &schedule(&processes, 1)),
            (
                "P1 P2 P3 P1 P2 P3 P1 P2 P3 P1 P3 P3".into(),
                vec![10, 8, 12]
            )
        );
    }
}
