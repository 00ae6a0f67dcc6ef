//! The Gantt chart in the terminal: the CPU's time line as a bar with one
//! cell per time slice, labelled with the process that ran, and the times
//! of the cell borders underneath.
//!
//! ```text
//! | P1  | P2  | P3  | P1  |P2| P3  |P3|
//! 0     2     4     6     8  9     11 12
//! ```

/// The chart of `cells`, each (label, start, end) with `end > start`, in
/// time order and without gaps: two lines.
pub fn chart(cells: &[(&str, u32, u32)]) -> String {
    let end = cells.last().map_or(0, |&(_, _, end)| end);
    // Columns per time unit: enough for every label inside its cell and
    // for every time under the bar, with a space after it.
    let unit = cells
        .iter()
        .map(|&(label, start, end)| (label.len() + 1).div_ceil((end - start) as usize))
        .chain([end.to_string().len() + 1, 2])
        .max()
        .unwrap_or(2);
    let mut bar = String::new();
    let mut times = String::from("0");
    for &(label, start, end) in cells {
        let inside = (end - start) as usize * unit - 1;
        let before = (inside - label.len()) / 2;
        bar.push('|');
        bar.push_str(&format!(
            "{:before$}{label:<width$}",
            "",
            width = inside - before
        ));
        // Never negative: the previous time is shorter than a unit.
        let pad = (end as usize * unit).saturating_sub(times.len());
        times.push_str(&format!("{:pad$}{end}", ""));
    }
    bar.push('|');
    format!("{bar}\n{times}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lectures_round_robin() {
        let cells = [
            ("P1", 0, 2),
            ("P2", 2, 4),
            ("P3", 4, 6),
            ("P1", 6, 8),
            ("P2", 8, 9),
            ("P3", 9, 11),
            ("P3", 11, 12),
        ];
        assert_eq!(
            chart(&cells),
            "| P1  | P2  | P3  | P1  |P2| P3  |P3|\n\
             0     2     4     6     8  9     11 12\n"
        );
    }

    #[test]
    fn long_labels_and_times_widen_the_units() {
        assert_eq!(
            chart(&[("long", 0, 1), ("b", 1, 2)]),
            "|long| b  |\n0    1    2\n"
        );
        assert_eq!(
            chart(&[("a", 0, 100)]).lines().nth(1).unwrap().len(),
            400 + 3
        );
    }
}
