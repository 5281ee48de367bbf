//! The coverage sentences every audit format shares: which requests could not be read
//! (ciphertext payloads per party), so that "no personal data found" is never taken
//! for "none sent".

use crate::audit::Coverage;

/// One line per party whose payloads could not be read, then what that means; empty
/// when every payload was readable.
pub fn unreadable_lines(cov: &Coverage, zh: bool) -> Vec<String> {
    if cov.payload_not_readable.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = cov
        .payload_not_readable
        .iter()
        .map(|p| {
            let example = p
                .example
                .as_ref()
                .map(|e| {
                    let file = e.file.rsplit('/').next().unwrap_or(&e.file);
                    if zh {
                        format!(
                            "（首个：{} {}，{}；{} 第 {} 帧）",
                            e.host, e.field, e.kind, file, e.frame
                        )
                    } else {
                        format!(
                            " (first: {} {}, {}; {} frame {})",
                            e.host, e.field, e.kind, file, e.frame
                        )
                    }
                })
                .unwrap_or_default();
            if zh {
                format!(
                    "载荷无法读取：{} 个请求发往 {}{example}",
                    p.requests, p.party
                )
            } else {
                let s = if p.requests == 1 { "" } else { "s" };
                format!(
                    "payload not readable: {} request{s} to {}{example}",
                    p.requests, p.party
                )
            }
        })
        .collect();
    lines.push(if zh {
        format!(
            "共 {} 个请求的载荷为密文或不透明编码：其中未发现个人信息，不代表未发送。",
            cov.requests_not_readable
        )
    } else {
        format!(
            "{} requests carried ciphertext or opaque encodings: no personal data found in them does not mean none was sent",
            cov.requests_not_readable
        )
    });
    lines
}
