//! A minimal MaxMind DB writer for tests, written from the public format
//! specification (MaxMind DB File Format Specification 2.0): an IPv6 search tree with
//! 24-bit records, a data section of maps, strings and unsigned integers, and the
//! metadata map. Networks must not overlap; that is all the tests need.

use std::net::IpAddr;

/// A value of the data section.
#[derive(Debug, Clone)]
pub enum Value {
    Str(String),
    U16(u16),
    U32(u32),
    U64(u64),
    Map(Vec<(String, Value)>),
    Array(Vec<Value>),
}

pub fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

pub fn map(pairs: &[(&str, Value)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

pub struct Writer {
    database_type: String,
    nodes: Vec<[Record; 2]>,
    values: Vec<Value>,
}

/// Control byte(s) for a field of `kind` (spec type number) and payload `size`.
fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
    let (first_type, extended) = if kind <= 7 {
        (kind << 5, None)
    } else {
        (0, Some(kind - 7))
    };
    let (size_bits, extra): (u8, Vec<u8>) = if size < 29 {
        (size as u8, vec![])
    } else if size < 29 + 256 {
        (29, vec![(size - 29) as u8])
    } else if size < 285 + 65536 {
        (30, ((size - 285) as u16).to_be_bytes().to_vec())
    } else {
        (31, ((size - 65821) as u32).to_be_bytes()[1..].to_vec())
    };
    out.push(first_type | size_bits);
    if let Some(e) = extended {
        out.push(e);
    }
    out.extend(extra);
}

fn uint(out: &mut Vec<u8>, kind: u8, value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    control(out, kind, 8 - skip);
    out.extend_from_slice(&bytes[skip..]);
}

fn encode(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Str(t) => {
            control(out, 2, t.len());
            out.extend_from_slice(t.as_bytes());
        }
        Value::U16(n) => uint(out, 5, u64::from(*n)),
        Value::U32(n) => uint(out, 6, u64::from(*n)),
        Value::U64(n) => uint(out, 9, *n),
        Value::Map(pairs) => {
            control(out, 7, pairs.len());
            for (k, v) in pairs {
                encode(out, &Value::Str(k.clone()));
                encode(out, v);
            }
        }
        Value::Array(items) => {
            control(out, 11, items.len());
            for v in items {
                encode(out, v);
            }
        }
    }
}

impl Writer {
    pub fn new(database_type: &str) -> Self {
        Writer {
            database_type: database_type.to_string(),
            nodes: vec![[Record::Empty; 2]],
            values: Vec::new(),
        }
    }

    /// Adds `network/prefix` (IPv4 networks go to `::a.b.c.d/96+prefix`).
    pub fn insert(&mut self, network: &str, value: Value) {
        let (addr, len) = network.split_once('/').expect("network/prefix");
        let addr: IpAddr = addr.parse().expect("address");
        let len: usize = len.parse().expect("prefix");
        let (bits, len) = match addr {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), len + 96),
            IpAddr::V6(v6) => (u128::from(v6), len),
        };
        assert!((1..=128).contains(&len));
        let data = self.values.len();
        self.values.push(value);
        let mut node = 0;
        for depth in 0..len {
            let bit = ((bits >> (127 - depth)) & 1) as usize;
            if depth == len - 1 {
                assert!(
                    self.nodes[node][bit] == Record::Empty,
                    "overlapping networks"
                );
                self.nodes[node][bit] = Record::Data(data);
            } else {
                node = match self.nodes[node][bit] {
                    Record::Node(n) => n,
                    Record::Empty => {
                        self.nodes.push([Record::Empty; 2]);
                        let n = self.nodes.len() - 1;
                        self.nodes[node][bit] = Record::Node(n);
                        n
                    }
                    Record::Data(_) => panic!("overlapping networks"),
                };
            }
        }
    }

    /// The database file.
    pub fn build(&self) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::with_capacity(self.values.len());
        for v in &self.values {
            offsets.push(data.len());
            encode(&mut data, v);
        }
        let node_count = self.nodes.len();
        let record = |r: Record| -> u32 {
            let n = match r {
                Record::Empty => node_count,
                Record::Node(i) => i,
                Record::Data(i) => node_count + 16 + offsets[i],
            };
            assert!(n < 1 << 24, "database too large for 24-bit records");
            n as u32
        };
        let mut out = Vec::new();
        for [l, r] in &self.nodes {
            out.extend_from_slice(&record(*l).to_be_bytes()[1..]);
            out.extend_from_slice(&record(*r).to_be_bytes()[1..]);
        }
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
        let metadata = Value::Map(vec![
            ("binary_format_major_version".into(), Value::U16(2)),
            ("binary_format_minor_version".into(), Value::U16(0)),
            // Fixed, so that the checked-in fixture is reproducible byte for byte.
            ("build_epoch".into(), Value::U64(1_767_225_600)),
            (
                "database_type".into(),
                Value::Str(self.database_type.clone()),
            ),
            (
                "description".into(),
                Value::Map(vec![("en".into(), s("privaudit test database"))]),
            ),
            ("ip_version".into(), Value::U16(6)),
            ("languages".into(), Value::Array(vec![s("en")])),
            ("node_count".into(), Value::U32(node_count as u32)),
            ("record_size".into(), Value::U16(24)),
        ]);
        encode(&mut out, &metadata);
        out
    }
}
