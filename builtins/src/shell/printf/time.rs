//! `%(FORMAT)T`: a time in seconds since the epoch, shown through the C
//! library's `strftime` in local time, as bash does.

use std::ffi::CString;

// SAFETY: the declaration matches POSIX's `void tzset(void)`.
unsafe extern "C" {
    /// Reads `TZ` into the C library's time zone (POSIX; the libc crate
    /// does not declare it).
    fn tzset();
}

/// `strftime(format, localtime(seconds))`; an empty format means `%X`, as
/// in bash. `None` when the time cannot be converted.
pub fn strftime(format: &[u8], seconds: i64) -> Option<Vec<u8>> {
    let format = if format.is_empty() { b"%X" } else { format };
    // strftime returns 0 both for an error and for an empty result, so a
    // marker byte keeps a legitimately empty result apart.
    let mut marked = format.to_vec();
    marked.push(b'.');
    let format = CString::new(marked).ok()?;
    let time = libc::time_t::try_from(seconds).ok()?;
    // SAFETY: tm is plain data, fully written by localtime_r before use.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; tzset reads TZ.
    let converted = unsafe {
        tzset();
        !libc::localtime_r(&time, &mut tm).is_null()
    };
    if !converted {
        return None;
    }
    let mut size = 256;
    while size <= 1 << 20 {
        let mut buffer = vec![0u8; size];
        // SAFETY: the buffer holds `size` bytes, the format is a C string,
        // tm was filled by localtime_r.
        let written =
            unsafe { libc::strftime(buffer.as_mut_ptr().cast(), size, format.as_ptr(), &tm) };
        if written > 0 {
            buffer.truncate(written - 1);
            return Some(buffer);
        }
        size *= 4;
    }
    None
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_strftime() {
        assert_eq!(strftime(b"%s", 86400), Some(b"86400".to_vec()));
        assert_eq!(strftime(b"%%", 0), Some(b"%".to_vec()));
        assert_eq!(strftime(b"", 0).map(|t| t.len()), Some(8));
    }
}
