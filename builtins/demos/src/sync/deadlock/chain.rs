//! The wait-for chain of `deadlock`: from the threads' log of what they
//! locked, asked for and unlocked, who holds what and waits for whom.

use serde::Serialize;

/// What happened to a thread and a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// It asked for the lock, and is about to block until it gets it.
    Waiting,
    /// It got the lock.
    Locked,
    /// It let the lock go: recorded just before, while it still held it,
    /// so that this comes before the next holder's `Locked`.
    Unlocked,
}

/// One step, as the thread that took it recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The order the steps happened in: 0, 1, 2... across all threads.
    /// Taken while the thread holds the lock the step is about, so a lock
    /// changes hands between one holder's `unlocked` and the next one's
    /// `locked`, in this order too.
    pub seq: usize,
    /// ms since the threads were started.
    pub at_ms: f64,
    pub thread: usize,
    pub step: Step,
    pub resource: usize,
    /// For `locked`: how long the thread waited for the lock.
    pub waited_ms: f64,
}

/// One link of the chain: a thread, what it holds, what it waits for, and
/// who holds that.
#[derive(Debug, Serialize)]
pub struct Link {
    pub thread: usize,
    pub holds: Vec<usize>,
    pub waits_for: usize,
    /// `None` if nobody holds it: then the wait ends by itself.
    pub held_by: Option<usize>,
}

/// The wait-for chain, built from the events: start at the first thread
/// still waiting, go to the thread holding what it waits for, and so on
/// until a thread repeats (a cycle) or the chain ends.
pub fn wait_chain(events: &[Event]) -> Vec<Link> {
    // Who holds each resource now, and what each thread waits for.
    let mut holder: Vec<(usize, usize)> = Vec::new(); // (resource, thread)
    let mut waiting: Vec<(usize, usize)> = Vec::new(); // (thread, resource)
    for event in events {
        let held = (event.resource, event.thread);
        match event.step {
            Step::Waiting => waiting.push((event.thread, event.resource)),
            Step::Locked => {
                waiting.retain(|&w| w != (event.thread, event.resource));
                holder.push(held);
            }
            // Only this thread's hold ends: the next holder's stays.
            Step::Unlocked => holder.retain(|&h| h != held),
        }
    }
    let mut chain: Vec<Link> = Vec::new();
    let mut next = waiting.first().map(|&(thread, _)| thread);
    while let Some(thread) = next {
        if chain.iter().any(|link| link.thread == thread) {
            break;
        }
        let Some(&(_, waits_for)) = waiting.iter().find(|&&(t, _)| t == thread) else {
            break;
        };
        let held_by = holder
            .iter()
            .find(|&&(r, _)| r == waits_for)
            .map(|&(_, t)| t);
        chain.push(Link {
            thread,
            holds: holder
                .iter()
                .filter(|&&(_, t)| t == thread)
                .map(|&(r, _)| r)
                .collect(),
            waits_for,
            held_by,
        });
        next = held_by;
    }
    chain
}

/// Whether following the chain comes back to its first thread: a cycle,
/// the definition of a deadlock.
pub fn is_cycle(chain: &[Link]) -> bool {
    chain.len() > 1
        && chain.last().and_then(|link| link.held_by) == chain.first().map(|link| link.thread)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: usize, thread: usize, step: Step, resource: usize) -> Event {
        Event {
            seq,
            at_ms: 0.0,
            thread,
            step,
            resource,
            waited_ms: 0.0,
        }
    }

    #[test]
    fn an_unlock_does_not_erase_the_next_holder() {
        // Thread 2 took resource 1 from thread 1, and the two then wait
        // for each other. Even listed out of order, with thread 2's
        // `locked` before thread 1's `unlocked`, thread 2 holds resource 1.
        let events = [
            event(0, 1, Step::Locked, 1),
            event(1, 2, Step::Waiting, 1),
            event(2, 2, Step::Locked, 1),
            event(3, 1, Step::Unlocked, 1),
            event(4, 1, Step::Locked, 2),
            event(5, 1, Step::Waiting, 1),
            event(6, 2, Step::Waiting, 2),
        ];
        let chain = wait_chain(&events);
        let links: Vec<_> = chain
            .iter()
            .map(|l| (l.thread, l.holds.clone(), l.waits_for, l.held_by))
            .collect();
        assert_eq!(
            links,
            [(1, vec![2], 1, Some(2)), (2, vec![1], 2, Some(1))],
            "{chain:?}"
        );
        assert!(is_cycle(&chain));
    }

    #[test]
    fn a_wait_that_got_its_lock_is_no_wait() {
        let events = [
            event(0, 1, Step::Locked, 1),
            event(1, 2, Step::Waiting, 1),
            event(2, 1, Step::Unlocked, 1),
            event(3, 2, Step::Locked, 1),
        ];
        assert!(wait_chain(&events).is_empty());
        let one_way = [event(0, 1, Step::Locked, 1), event(1, 2, Step::Waiting, 1)];
        let chain = wait_chain(&one_way);
        assert_eq!(chain.len(), 1);
        assert!(!is_cycle(&chain));
    }
}
