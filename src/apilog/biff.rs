//! A bounds check run before an .xls reaches the spreadsheet reader. calamine turns each
//! sheet's cells into a dense rows × columns grid, so one damaged cell record (a column
//! of 60 000) asks for tens of gigabytes and aborts the process. This walks the compound
//! file's Workbook stream and its BIFF cell records — nothing else — and rejects a sheet
//! whose cells span more than `MAX_CELLS`.

/// Largest dense grid allowed per sheet (BIFF8 allows 65 536 × 256; logs are far smaller).
pub const MAX_CELLS: u64 = 4_000_000;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

const END: u32 = 0xFFFF_FFFE;

/// The Workbook (or BIFF5 Book) stream of a compound file, or None when the container
/// cannot be walked (the reader then decides on its own).
pub fn workbook_stream(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return None;
    }
    let shift = u16_at(b, 30)?;
    if shift != 9 && shift != 12 {
        return None;
    }
    let ss = 1usize << shift;
    let sector = |i: u32| -> Option<&[u8]> {
        let start = (i as usize).checked_add(1)?.checked_mul(ss)?;
        b.get(start..start + ss)
    };
    // FAT sector numbers: 109 in the header, then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(b, 76 + 4 * i))
        .filter(|s| *s < END)
        .collect();
    let mut difat = u32_at(b, 68)?;
    let mut hops = 0;
    while difat < END && hops < 10_000 {
        let s = sector(difat)?;
        let n = ss / 4 - 1;
        fat_sectors.extend((0..n).filter_map(|i| u32_at(s, 4 * i)).filter(|s| *s < END));
        difat = u32_at(s, 4 * n)?;
        hops += 1;
    }
    let mut fat: Vec<u32> = Vec::new();
    for f in fat_sectors {
        let s = sector(f)?;
        fat.extend((0..ss / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    let chain = |start: u32, table: &[u32]| -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = start;
        while at < END && out.len() <= table.len() {
            out.push(at);
            at = match table.get(at as usize) {
                Some(n) => *n,
                None => break,
            };
        }
        out
    };
    let read = |start: u32, limit: usize| -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for s in chain(start, &fat) {
            out.extend_from_slice(sector(s)?);
            if out.len() >= limit {
                break;
            }
        }
        out.truncate(limit);
        Some(out)
    };
    let dir = read(u32_at(b, 48)?, b.len())?;
    let entry = |i: usize| dir.get(i * 128..i * 128 + 128);
    let root = entry(0)?;
    let cutoff = u32_at(b, 56)? as usize;
    for i in 0..dir.len() / 128 {
        let e = entry(i)?;
        let name_len = (u16_at(e, 64)? as usize).min(64);
        let name: String = char::decode_utf16(
            (0..name_len.saturating_sub(2) / 2).filter_map(|k| u16_at(e, 2 * k)),
        )
        .filter_map(Result::ok)
        .collect();
        if e.get(66) != Some(&2) || !(name == "Workbook" || name == "Book") {
            continue;
        }
        let start = u32_at(e, 116)?;
        let size = u32_at(e, 120)? as usize;
        if size >= cutoff {
            return read(start, size);
        }
        // Small streams live in the mini stream, in 64-byte sectors.
        let mini = read(u32_at(root, 116)?, b.len())?;
        let minifat_bytes = read(u32_at(b, 60)?, b.len())?;
        let minifat: Vec<u32> = (0..minifat_bytes.len() / 4)
            .filter_map(|k| u32_at(&minifat_bytes, 4 * k))
            .collect();
        let mut out = Vec::new();
        for s in chain(start, &minifat) {
            let at = (s as usize).checked_mul(64)?;
            out.extend_from_slice(mini.get(at..at + 64)?);
            if out.len() >= size {
                break;
            }
        }
        out.truncate(size);
        return Some(out);
    }
    None
}

/// The first sheet whose cell records span more than `MAX_CELLS`: (rows, columns).
pub fn oversized_sheet(stream: &[u8]) -> Option<(u64, u64)> {
    let mut at = 0;
    let mut bounds: Option<(u16, u16, u16, u16)> = None;
    let check = |b: Option<(u16, u16, u16, u16)>| -> Option<(u64, u64)> {
        let (r0, r1, c0, c1) = b?;
        let rows = u64::from(r1 - r0) + 1;
        let cols = u64::from(c1 - c0) + 1;
        (rows * cols > MAX_CELLS).then_some((rows, cols))
    };
    while let (Some(kind), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let data = stream.get(at + 4..at + 4 + len as usize).unwrap_or(&[]);
        at += 4 + len as usize;
        let cells: Option<(u16, u16, u16)> = match kind {
            // Formula, Blank, Number, Label, BoolErr, Rk, LabelSst: row, col.
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD => {
                let c = u16_at(data, 2);
                u16_at(data, 0).zip(c).map(|(r, c)| (r, c, c))
            }
            // MulRk, MulBlank: row, first col, …, last col.
            0x00BD | 0x00BE if data.len() >= 6 => {
                let last = u16_at(data, data.len() - 2);
                u16_at(data, 0)
                    .zip(u16_at(data, 2))
                    .zip(last)
                    .map(|((r, f), l)| (r, f.min(l), f.max(l)))
            }
            // Dimensions: the reader reserves rows × columns from it, as it reads it
            // (rows u32 in BIFF8, last row/col exclusive, a column above 0xFF means 0).
            0x0200 => {
                let (rf, rl, cf, cl) = match data.len() {
                    10 => (
                        u16_at(data, 0).map(u64::from),
                        u16_at(data, 2).map(u64::from),
                        u16_at(data, 4).map(u64::from),
                        u16_at(data, 6).map(u64::from),
                    ),
                    14 | 16 => (
                        u32_at(data, 0).map(u64::from),
                        u32_at(data, 4).map(u64::from),
                        u16_at(data, 8).map(u64::from),
                        u16_at(data, 10).map(u64::from),
                    ),
                    _ => (None, None, None, None),
                };
                if let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = (rf, rl, cf, cl) {
                    if cf > 0xFF || cl < cf {
                        cf = 0;
                    }
                    if rl >= 1 && cl >= 1 {
                        let rows = rl.checked_sub(rf).unwrap_or(u64::MAX);
                        let cols = cl.checked_sub(cf).unwrap_or(u64::MAX);
                        if rows == 0 || cols == 0 || rows.saturating_mul(cols) > MAX_CELLS {
                            return Some((rows, cols));
                        }
                    }
                }
                None
            }
            // BOF starts a new substream (globals or a sheet).
            0x0809 => {
                if let Some(big) = check(bounds.take()) {
                    return Some(big);
                }
                None
            }
            _ => None,
        };
        if let Some((r, c0, c1)) = cells {
            bounds = Some(match bounds {
                None => (r, r, c0, c1),
                Some((a, b, c, d)) => (a.min(r), b.max(r), c.min(c0), d.max(c1)),
            });
        }
    }
    check(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workbook_stream_of_an_xlwt_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/apilog/camille.xls"
        );
        let b = std::fs::read(path).unwrap();
        let s = workbook_stream(&b).expect("stream");
        // BIFF8 BOF record first.
        assert_eq!(u16_at(&s, 0), Some(0x0809));
        assert!(oversized_sheet(&s).is_none());
    }

    #[test]
    fn rejects_a_cell_far_away() {
        // BOF, a Number at (0,0), a Label at (65000, 250).
        let mut s = vec![0x09, 0x08, 0, 0];
        s.extend([0x03, 0x02, 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        s.extend([0x04, 0x02, 4, 0]);
        s.extend(65000u16.to_le_bytes());
        s.extend(250u16.to_le_bytes());
        assert_eq!(oversized_sheet(&s), Some((65001, 251)));
    }
}
