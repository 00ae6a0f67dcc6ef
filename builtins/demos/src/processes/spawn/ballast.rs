//! The `spawn` demo's ballast: memory it allocates and touches so that it
//! is resident and fork has page tables to copy, and how big it is.

/// The demo's resident set size, from /proc/self/status.
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The memory the kernel could give without swapping, from /proc/meminfo.
fn available_kib() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Memory the demo allocates and touches, so that it is resident and fork
/// has page tables to copy.
#[derive(Default)]
pub struct Ballast {
    blocks: Vec<Vec<u8>>,
    mib: usize,
}

impl Ballast {
    /// Allocates what `mib` MiB needs beyond what is held. A size the
    /// allocator refuses is an error, not an abort.
    pub fn grow_to(&mut self, mib: usize) -> Result<(), String> {
        if mib <= self.mib {
            return Ok(());
        }
        let refused = || format!("ballast {mib} MiB: the allocation was refused");
        let more = mib - self.mib;
        let bytes = more.checked_mul(1 << 20).ok_or_else(refused)?;
        // Touching more than the kernel can give would not fail here: it
        // would wake the OOM killer, or make the machine swap.
        if let Some(available) = available_kib()
            && more as u64 * 1024 > available
        {
            return Err(format!(
                "ballast {mib} MiB: {more} MiB more is above the {} MiB available (MemAvailable)",
                available / 1024
            ));
        }
        let mut block: Vec<u8> = Vec::new();
        block.try_reserve_exact(bytes).map_err(|_| refused())?;
        // Fresh memory comes from the kernel untouched; writing every byte
        // makes every page resident, whatever the page size.
        block.resize(bytes, 1);
        self.blocks.push(std::hint::black_box(block));
        self.mib = mib;
        Ok(())
    }

    /// Keeps the writes: the ballast is read, as far as the compiler knows.
    pub fn keep(self) {
        std::hint::black_box(&self.blocks);
    }
}
