//! Resource limits: every buffer that grows with hostile input has a documented bound.
//!
//! Exceeding a limit never crashes and never truncates silently: the component that
//! hits it records a [`crate::record::Warning`] naming the limit and the flow.

/// All configurable bounds in one place, so the CLI can expose them and the README can
/// document their defaults.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes of out-of-order TCP data held per direction of a flow before a gap is declared.
    pub reassembly_per_flow: usize,
    /// Bytes of out-of-order TCP data held across all flows.
    pub reassembly_total: usize,
    /// Flows tracked at once; the least recently active are closed first beyond this.
    pub max_flows: usize,
    /// Seconds without a packet after which a flow is closed.
    pub flow_idle_secs: u64,
    /// IPv4/IPv6 datagrams waiting for fragments at once.
    pub max_fragmented_datagrams: usize,
    /// Bytes of an HTTP message head (request line and headers).
    pub http_header_bytes: usize,
    /// Header lines in one HTTP message head.
    pub http_header_count: usize,
    /// Bytes of a request body kept for detection (the rest is counted, not stored).
    pub body_bytes: usize,
    /// Bytes produced by decompressing one body (gzip, deflate, br).
    pub decompressed_bytes: usize,
    /// Largest allowed ratio of decompressed to compressed size.
    pub decompression_ratio: usize,
    /// Bytes of TLS handshake data buffered while waiting for a complete ClientHello.
    pub tls_handshake_bytes: usize,
    /// Pending pipelined HTTP requests per flow waiting for their responses.
    pub http_pending_requests: usize,
    /// HPACK dynamic table size an HTTP/2 peer may ask for.
    pub hpack_table_bytes: usize,
    /// QPACK dynamic table size an HTTP/3 peer may use.
    pub qpack_table_bytes: usize,
    /// Streams of one QUIC connection reassembled at once (HTTP/3 requests open at once).
    pub quic_streams: usize,
    /// Out-of-order bytes held per QUIC stream direction before later data is dropped.
    pub quic_stream_bytes: usize,
}

impl Limits {
    /// One shard's part of the limits that hold across all flows (the flow table and
    /// the total reassembly budget), so `shards` shards together keep the same bounds.
    pub fn share(&self, shards: usize) -> Limits {
        let n = shards.max(1);
        Limits {
            max_flows: self.max_flows.div_ceil(n).max(1),
            reassembly_total: self.reassembly_total.div_ceil(n),
            ..self.clone()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            reassembly_per_flow: 1 << 20,
            reassembly_total: 64 << 20,
            max_flows: 200_000,
            flow_idle_secs: 600,
            max_fragmented_datagrams: 1024,
            http_header_bytes: 64 << 10,
            http_header_count: 256,
            body_bytes: 1 << 20,
            decompressed_bytes: 8 << 20,
            decompression_ratio: 200,
            tls_handshake_bytes: 256 << 10,
            http_pending_requests: 64,
            hpack_table_bytes: 64 << 10,
            qpack_table_bytes: 64 << 10,
            quic_streams: 1024,
            quic_stream_bytes: 256 << 10,
        }
    }
}
