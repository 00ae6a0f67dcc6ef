//! First come, first served: the processes run in the order given, each
//! its whole burst, with no preemption.

use super::{Process, Ready, Slice};

/// The timeline of FCFS over `processes`, all arriving at time 0.
pub fn schedule(processes: &[Process]) -> Vec<Slice> {
    let mut clock = 0;
    (0..processes.len())
        .map(|i| {
            let start = clock;
            clock += processes[i].burst;
            Slice {
                process: i,
                start,
                end: clock,
                ready: Ready::list(i..processes.len()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outcome, workload};
    use super::*;

    #[test]
    fn runs_in_the_order_given() {
        // P1 0-4, P2 4-7, P3 7-12.
        let processes = workload("P1:4 P2:3 P3:5");
        let slices = schedule(&processes);
        assert_eq!(
            outcome(&processes, &slices),
            ("P1 P2 P3".into(), vec![4, 7, 12])
        );
        assert_eq!(slices[1].ready, Ready::list([1, 2]));
    }

    #[test]
    fn ignores_priorities() {
        let processes = workload("A:24:19 B:3:-20 C:3");
        let slices = schedule(&processes);
        assert_eq!(
            outcome(&processes, &slices),
            ("A B C".into(), vec![24, 27, 30])
        );
    }
}
