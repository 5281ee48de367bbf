//! "Did you mean …?": the closest valid spelling for a mistyped id or key, and the
//! line of a TOML file a key or value sits on, so user mistakes are reported with
//! the file, the line and the fix.

/// Edit distance (Levenshtein) between two strings, by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `wrong`: the smallest edit distance, or one whose last
/// dotted segment equals `wrong`'s (`imei` → `device.identifier.imei`).
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = wrong.to_ascii_lowercase();
    let tail = w.rsplit('.').next().unwrap_or(&w).to_string();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let c_tail = c.rsplit('.').next().unwrap_or(c);
        let d = if c_tail == tail {
            0
        } else {
            distance(&w, &c.to_ascii_lowercase()).min(distance(&tail, c_tail) + 1)
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    // Far-off guesses help no one.
    best.filter(|(d, _)| *d <= wrong.chars().count().max(4) / 2 + 1)
        .map(|(_, c)| c)
}

/// " (did you mean `x`?)" or nothing.
pub fn hint(wrong: &str, candidates: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let list: Vec<String> = candidates
        .into_iter()
        .map(|c| c.as_ref().to_string())
        .collect();
    match closest(wrong, list.iter().map(String::as_str)) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    }
}

/// The 1-based line on which `needle` first appears at or after `from_line`.
pub fn line_of(text: &str, needle: &str, from_line: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find(|(_, l)| {
            let l = l.trim_start();
            !l.starts_with('#') && l.contains(needle)
        })
        .map(|(i, _)| i + 1)
}

/// The 1-based line of key `key` (`key = …`) inside the `[table]` of a TOML file.
pub fn table_line_of_key(text: &str, table: &str, key: &str) -> Option<usize> {
    let header = format!("[{table}]");
    let start = text.lines().position(|l| l.trim() == header)?;
    text.lines()
        .enumerate()
        .skip(start + 1)
        .take_while(|(_, l)| !l.trim_start().starts_with('['))
        .find(|(_, l)| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(i, _)| i + 1)
}

/// The line of the `n`-th (0-based) `[[table]]` header.
pub fn table_line(text: &str, table: &str, n: usize) -> Option<usize> {
    let header = format!("[[{table}]]");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(n)
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_full_id_for_a_short_key() {
        let ids = [
            "device.identifier.imei",
            "device.identifier.mac",
            "contact.email",
        ];
        assert_eq!(closest("imei", ids), Some("device.identifier.imei"));
        assert_eq!(
            closest("device.id.imei", ids),
            Some("device.identifier.imei")
        );
        assert_eq!(closest("contact.emial", ids), Some("contact.email"));
        assert_eq!(closest("zzzzzzzzzzzz", ids), None);
    }
}
