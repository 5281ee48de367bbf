//! The live table of `capture` and `proxy`: per host, its party, connections,
//! requests and the personal data types seen (never values), redrawn in place on a
//! terminal.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use privaudit::detect::Detector;
use privaudit::exchange::Exchange;
use privaudit::sdk::annotate::Annotator;
use privaudit::signatures::Ontology;

/// Hosts tracked one by one; see [`OTHER_HOSTS`].
const MAX_HOSTS: usize = 10_000;
/// The row that counts every host past [`MAX_HOSTS`].
const OTHER_HOSTS: &str = "(other hosts)";

/// What the table shows for one server.
#[derive(Default)]
struct HostRow {
    party: String,
    connections: u64,
    requests: u64,
    /// data type → times seen.
    types: BTreeMap<String, u64>,
}

/// Hosts seen so far, and how many lines the last in-place drawing took.
pub struct LiveView {
    hosts: BTreeMap<String, HostRow>,
    drawn_lines: usize,
    tty: bool,
}

impl LiveView {
    /// `tty`: redraw in place; otherwise only [`LiveView::finish`] prints.
    pub fn new(tty: bool) -> Self {
        LiveView {
            hosts: BTreeMap::new(),
            drawn_lines: 0,
            tty,
        }
    }

    /// A request: counted for its host, with the personal data types found in it.
    /// Returns those types.
    pub fn exchange(
        &mut self,
        x: &Exchange,
        detector: &Detector,
        annotator: &Annotator,
    ) -> Vec<String> {
        let host = x
            .host()
            .or_else(|| x.dst.map(|d| d.ip.to_string()))
            .unwrap_or_else(|| "?".into());
        let mut seen = BTreeSet::new();
        for o in detector.scan(x) {
            seen.insert(o.data_type);
        }
        let row = self.row(&host, annotator);
        row.requests += 1;
        for t in &seen {
            *row.types.entry(t.clone()).or_default() += 1;
        }
        seen.into_iter().collect()
    }

    /// Clears the live drawing and prints the final table (also when not a terminal).
    pub fn finish(&mut self, ontology: &Ontology, header: &str) {
        if self.tty && self.drawn_lines > 0 {
            let _ = write!(std::io::stderr(), "\x1b[{}A\x1b[J", self.drawn_lines);
        }
        self.drawn_lines = 0;
        eprint!("{}", self.render(ontology, header));
    }

    /// A new connection to `host`.
    pub fn connection(&mut self, host: &str, annotator: &Annotator) {
        self.row(host, annotator).connections += 1;
    }

    fn row<'a>(&'a mut self, host: &str, annotator: &Annotator) -> &'a mut HostRow {
        // A long capture on a busy link (scans, P2P) meets endless addresses: beyond
        // MAX_HOSTS rows the rest are counted together, so memory stays bounded.
        let host = if self.hosts.len() >= MAX_HOSTS && !self.hosts.contains_key(host) {
            OTHER_HOSTS
        } else {
            host
        };
        self.hosts
            .entry(host.to_string())
            .or_insert_with(|| HostRow {
                party: annotator.party(Some(host), None).to_string(),
                ..HostRow::default()
            })
    }

    /// The table as text, busiest hosts with personal data first, at most 30 rows.
    pub fn render(&self, ontology: &Ontology, header: &str) -> String {
        let mut t = comfy_table::Table::new();
        t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
        t.set_header(vec![
            "host",
            "party",
            "conns",
            "requests",
            "personal data seen",
        ]);
        let mut rows: Vec<(&String, &HostRow)> = self.hosts.iter().collect();
        // Hosts that received personal data first, then the busiest.
        rows.sort_by(|a, b| {
            b.1.types
                .len()
                .cmp(&a.1.types.len())
                .then(b.1.requests.cmp(&a.1.requests))
                .then(b.1.connections.cmp(&a.1.connections))
                .then(a.0.cmp(b.0))
        });
        let shown = rows.len().min(30);
        for (host, r) in &rows[..shown] {
            t.add_row(vec![
                host.to_string(),
                r.party.clone(),
                r.connections.to_string(),
                r.requests.to_string(),
                r.types
                    .iter()
                    .map(|(ty, n)| format!("{} ×{n}", ontology.name_en(ty)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]);
        }
        let mut s = format!("{header}\n{t}\n");
        if rows.len() > shown {
            s.push_str(&format!("… and {} more hosts\n", rows.len() - shown));
        }
        s
    }

    /// Redraws in place on a terminal: up to the first line drawn last time, clear
    /// to the end of the screen, draw.
    #[cfg_attr(not(feature = "live"), allow(dead_code))]
    pub fn draw(&mut self, ontology: &Ontology, header: &str) {
        if !self.tty {
            return;
        }
        let text = self.render(ontology, header);
        let mut err = std::io::stderr().lock();
        if self.drawn_lines > 0 {
            let _ = write!(err, "\x1b[{}A\x1b[J", self.drawn_lines);
        }
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
        self.drawn_lines = text.lines().count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn hosts_past_the_cap_share_one_row() {
        let sdks = Arc::new(privaudit::sdk::signatures::SdkDb::load(None).expect("SDK db"));
        let annotator = Annotator::new(
            privaudit::sdk::attribution::Attributor::new(Vec::new(), sdks),
            None,
        );
        let mut view = LiveView::new(false);
        for i in 0..MAX_HOSTS + 5 {
            view.connection(&format!("h{i}.example"), &annotator);
        }
        // Known hosts keep their own rows.
        view.connection("h0.example", &annotator);
        assert_eq!(view.hosts.len(), MAX_HOSTS + 1);
        assert_eq!(view.hosts[OTHER_HOSTS].connections, 5);
        assert_eq!(view.hosts["h0.example"].connections, 2);
    }
}
