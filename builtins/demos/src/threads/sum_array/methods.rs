//! The five ways `sum-array` sums the array: one loop, threads, forked
//! processes, rayon's reduce, and threads under one global lock as
//! CPython's GIL makes them. Each returns the sum; timing is the demo's.

use std::sync::Mutex;

use serde::Serialize;

use super::super::array::split;

/// One way of summing the array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Sequential,
    Threads,
    Processes,
    Rayon,
    Gil,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Sequential,
        Method::Threads,
        Method::Processes,
        Method::Rayon,
        Method::Gil,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Sequential => "sequential",
            Method::Threads => "threads",
            Method::Processes => "processes",
            Method::Rayon => "rayon",
            Method::Gil => "gil",
        }
    }
}

/// Sums `array` the way `method` does, with `workers` workers.
pub fn sum_with(array: &[i32], method: Method, workers: usize) -> Result<i64, String> {
    Ok(match method {
        Method::Sequential => sum_slice(array),
        Method::Threads => sum_threads(array, workers).map_err(|e| e.to_string())?,
        Method::Processes => sum_processes(array, workers)?,
        Method::Rayon => sum_rayon(array, workers)?,
        Method::Gil => sum_gil(array, workers).map_err(|e| e.to_string())?,
    })
}

/// Ints summed in one block before widening to i64: values below 1000,
/// 2^20 of them, stay far below i32's limit, so the inner loop adds
/// 32-bit lanes (eight per AVX2 instruction) and never checks for overflow.
const BLOCK: usize = 1 << 20;

/// The summing loop every method shares, as fast as memory allows. The
/// inner `fold` compiles to vector adds; where the CPU has AVX2 a copy
/// compiled for it is used (chosen at run time, so the binary still runs
/// on any x86-64).
pub fn sum_slice(xs: &[i32]) -> i64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { sum_slice_avx2(xs) };
    }
    sum_blocks(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn sum_slice_avx2(xs: &[i32]) -> i64 {
    sum_blocks(xs)
}

#[inline(always)]
fn sum_blocks(xs: &[i32]) -> i64 {
    xs.chunks(BLOCK)
        .map(|block| i64::from(block.iter().fold(0i32, |acc, &x| acc.wrapping_add(x))))
        .sum()
}

/// std threads, one contiguous slice each, joined by the scope. A thread
/// that cannot be created is an error, not a panic.
fn sum_threads(array: &[i32], workers: usize) -> std::io::Result<i64> {
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(workers);
        for part in split(array.len(), workers) {
            let worker =
                std::thread::Builder::new().spawn_scoped(scope, move || sum_slice(&array[part]))?;
            handles.push(worker);
        }
        Ok(handles.into_iter().map(|h| h.join().unwrap_or(0)).sum())
    })
}

/// The library reduce: rayon splits the work over a pool of `workers`
/// threads and adds the partial sums, as OpenMP's `reduction(+:sum)` does.
fn sum_rayon(array: &[i32], workers: usize) -> Result<i64, String> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(pool.install(|| array.par_chunks(BLOCK).map(sum_slice).sum()))
}

/// How many ints a thread adds per turn with the global lock held, like
/// the bytecodes CPython runs between GIL hand-offs.
const GIL_BATCH: usize = 1024;

/// Threads that may add only while holding one global lock: the work is
/// split, but the adding is not parallel. This is what Python threads do
/// under CPython's global interpreter lock, and why the lab's threaded
/// Python sum is no faster than the plain loop.
fn sum_gil(array: &[i32], workers: usize) -> std::io::Result<i64> {
    let gil = Mutex::new(0i64);
    std::thread::scope(|scope| {
        for part in split(array.len(), workers) {
            let (gil, array) = (&gil, array);
            std::thread::Builder::new().spawn_scoped(scope, move || {
                for batch in array[part].chunks(GIL_BATCH) {
                    let mut total = gil.lock().unwrap_or_else(|e| e.into_inner());
                    *total += sum_slice(batch);
                }
            })?;
        }
        Ok::<(), std::io::Error>(())
    })?;
    Ok(gil.into_inner().unwrap_or_else(|e| e.into_inner()))
}

/// `workers` forked children, each summing its part and writing the partial
/// sum into its slot of a page shared with the parent (MAP_SHARED): a child
/// cannot return a value any other way but its exit status.
fn sum_processes(array: &[i32], workers: usize) -> Result<i64, String> {
    use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};
    use nix::sys::wait::{WaitStatus, waitpid};
    use nix::unistd::{ForkResult, fork};
    use std::num::NonZeroUsize;

    let parts = split(array.len(), workers);
    let bytes =
        NonZeroUsize::new(parts.len() * std::mem::size_of::<i64>()).unwrap_or(NonZeroUsize::MIN);
    // SAFETY: a fresh anonymous mapping aliases nothing; it is unmapped
    // below, after every child has written its slot and exited.
    let shared = unsafe {
        mmap_anonymous(
            None,
            bytes,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }
    .map_err(|e| format!("mmap: {e}"))?;
    let slots = shared.cast::<i64>();
    let mut children = Vec::with_capacity(parts.len());
    let mut failure = None;
    for (i, part) in parts.iter().enumerate() {
        // SAFETY: the demo process is single-threaded here (the thread
        // methods join their workers, and rayon's pool is dropped before
        // this runs); the child only reads the array, writes its own slot
        // and _exits, taking no lock.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                let sum = sum_slice(&array[part.clone()]);
                // SAFETY: slot i lies inside the shared mapping, written by
                // this child only; _exit skips the parent's exit handlers.
                unsafe {
                    slots.as_ptr().add(i).write_volatile(sum);
                    libc::_exit(0)
                }
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                failure = Some(format!("fork: {e}"));
                break;
            }
        }
    }
    // Every child started is waited for, even after a failure, so none is
    // left a zombie; one that did not exit 0 left its slot unwritten.
    for child in children {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, 0)) => {}
            Ok(other) => {
                failure.get_or_insert(format!("worker {child} did not finish: {other:?}"));
            }
            Err(e) => {
                failure.get_or_insert(format!("waitpid: {e}"));
            }
        }
    }
    // SAFETY: every child has exited, so the slots are written and nobody
    // else touches the mapping; it is unmapped right after.
    let total = (0..parts.len())
        .map(|i| unsafe { slots.as_ptr().add(i).read_volatile() })
        .sum();
    // SAFETY: `shared` came from mmap with this length and is not used again.
    let _ = unsafe { munmap(shared, bytes.get()) };
    match failure {
        Some(message) => Err(message),
        None => Ok(total),
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::array::random_ints;
    use super::*;

    #[test]
    fn every_method_gives_the_sequential_sum() {
        for len in [0, 1, 7, 1000, 100_003] {
            let array = random_ints(len, 3);
            let expected: i64 = array.iter().map(|&x| i64::from(x)).sum();
            for method in Method::ALL {
                for workers in [1, 2, 3, 8] {
                    assert_eq!(
                        sum_with(&array, method, workers),
                        Ok(expected),
                        "{method:?} x{workers}, len {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_block_sum_handles_blocks_of_any_length() {
        let array = vec![999; BLOCK * 2 + 5];
        assert_eq!(sum_slice(&array), 999 * (BLOCK as i64 * 2 + 5));
    }
}
