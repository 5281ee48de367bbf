//! Command-line definitions (clap). Flags are documented where they are defined.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::limits::Limits;

#[derive(Debug, Parser)]
#[command(
    name = "privaudit",
    version,
    about = "Audit what a mobile app really does with personal data against what its privacy policy says",
    long_about = None
)]
pub struct Cli {
    /// Print every warning and more detail on errors.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Never draw a progress bar.
    #[arg(long, global = true)]
    pub no_progress: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode captures into one record per DNS message, TLS/QUIC handshake, HTTP
    /// request and connection (Zeek style).
    Flows(FlowsArgs),
    /// Find personal data leaving the device, in any encoding: one observation per
    /// request, data type and field.
    Scan(ScanArgs),
    /// Hold the app's traffic (and package) against its policy declaration: findings
    /// with evidence, exit 1 when any reaches --fail-on.
    Audit(Box<AuditArgs>),
    /// Privacy policies: draft a declaration from the policy text, check one.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// What an app package (APK or IPA) bundles: SDKs with their evidence,
    /// permissions and the data types they unlock, privacy manifests; with captures,
    /// which SDKs also transmit.
    Sdks(SdksArgs),
    /// Capture live from a network interface (libpcap; build with `--features live`):
    /// a pcapng written as it goes, a live table of hosts, parties and data types,
    /// and the audit on Ctrl-C when --policy is given.
    Capture(Box<CaptureArgs>),
    /// TLS key logs: embed one in a capture.
    #[command(subcommand)]
    Keylog(KeylogCommand),
    /// An intercepting HTTP(S) proxy for a test device: decrypts with a local CA,
    /// records every request to a HAR file; `proxy ca` says how to install the CA.
    Proxy(ProxyArgs),
    /// Work with the signature files (SDKs, data types).
    #[command(subcommand)]
    Signatures(SignaturesCommand),
    /// Runtime API-call logs (Camille or PrivacySentry .xls, privaudit JSON Lines): each
    /// call with its data type and the party whose code made it (docs/api-log.md).
    ApiLog(ApiLogArgs),
    /// What changed between two audits (report files or stored runs): SDKs, flows,
    /// permissions, findings new/resolved/unchanged; exit 1 when a new finding
    /// reaches --fail-on.
    Diff(crate::store::cli::DiffArgs),
    /// The runs in a results store.
    History(crate::store::cli::HistoryArgs),
    /// The overview across the apps in a results store.
    Fleet(crate::store::cli::FleetArgs),
    /// Hold a stored run's observations against a new policy or new signatures,
    /// without the captures.
    Reaudit(Box<crate::store::cli::ReauditArgs>),
    /// Store audit JSON reports written earlier (diffs and the fleet view; not
    /// re-auditable: a report does not carry the observations).
    Import(crate::store::cli::ImportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApiLogFormat {
    /// One line per call, for people.
    Table,
    /// One JSON object per call.
    Jsonl,
    /// The whole log with its consent record and unmapped calls.
    Json,
}

#[derive(Debug, Args)]
pub struct ApiLogArgs {
    /// API logs: Camille or PrivacySentry .xls/.xlsx, or privaudit JSON Lines.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    #[arg(long, value_enum, default_value = "table")]
    pub format: ApiLogFormat,

    /// Year for logs whose times carry none (PrivacySentry); default: this year.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// Show arguments and results in full (masked by default).
    #[arg(long)]
    pub show_values: bool,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Use signature files (sdks/, datatypes.toml, api-calls.toml) from this folder.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// Findings by severity, for people.
    Table,
    /// The whole report, versioned schema (`privaudit.audit/1`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: a test case per rule and party, failures for violations.
    Junit,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// A self-contained HTML compliance report.
    Html,
    /// PDF, printed by a headless Chromium.
    Pdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The policy declaration (TOML; see docs/declaration.md).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,

    /// Captures (pcap, pcapng, gzip) or HAR exports of the app's traffic.
    pub inputs: Vec<PathBuf>,

    /// The app package (APK or IPA) or a PrivacyInfo.xcprivacy, for the static rules.
    #[arg(long, value_name = "APK|IPA")]
    pub app: Option<PathBuf>,

    /// The test device's real identifiers (TOML).
    #[arg(long, value_name = "FILE")]
    pub device: Option<PathBuf>,

    /// When the user agreed to the policy (RFC 3339, or seconds since the epoch).
    #[arg(long, value_name = "TIME", conflicts_with = "consent_marker")]
    pub consent_at: Option<String>,

    /// Consent is the first request whose host+path+query matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub consent_marker: Option<String>,

    /// Exit 2 when --consent-marker matches no request (instead of reporting that
    /// the before-consent rules were not evaluated).
    #[arg(long, requires = "consent_marker")]
    pub require_consent_marker: bool,

    /// Exit 1 when a finding reaches this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: crate::audit::Severity,

    /// Findings whose fingerprints are in this file are reported but do not fail.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the fingerprints of this run's findings to FILE (a new baseline).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Transmissions of one identifier to one party per minute before it is excessive.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_per_minute: usize,

    /// A MaxMind-format GeoIP database, for the cross-border rule.
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,

    /// A Google Play Data safety CSV export to check against the policy.
    #[arg(long, value_name = "FILE")]
    pub data_safety: Option<PathBuf>,

    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,

    /// Report language (HTML, Markdown and table titles).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Show personal data values in full (masked by default; secrets such as
    /// passwords and tokens are shown as [redacted]).
    #[arg(long)]
    pub show_values: bool,

    /// A runtime API-call log of the same session (repeatable): Camille or
    /// PrivacySentry .xls, or privaudit JSON Lines (docs/api-log.md).
    #[arg(long = "api-log", value_name = "FILE")]
    pub api_log: Vec<PathBuf>,

    /// Added to the API log's times to reach the capture's clock (`-8h`, `+1.5s`,
    /// `-08:00`); by default zone-less logs are aligned by guessing their zone.
    #[arg(long, value_name = "OFFSET", allow_hyphen_values = true)]
    pub api_log_offset: Option<String>,

    /// Seconds after an API read within which the same party sending that data type
    /// counts as "read and sent".
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub api_log_window: u64,

    /// The terminal table with every column, instead of two lines per finding.
    #[arg(long)]
    pub wide: bool,

    #[command(flatten)]
    pub parties: PartyArgs,

    #[command(flatten)]
    pub keylog: KeylogArgs,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub limits: LimitArgs,

    #[command(flatten)]
    pub store: crate::store::cli::StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeylogCommand {
    /// Write CAPTURE as pcapng with the key log in a Decryption Secrets Block, so one
    /// file carries everything (like `editcap --inject-secrets`).
    Inject {
        /// The capture (pcap or pcapng, optionally gzip-compressed).
        capture: PathBuf,
        /// The NSS key log to embed (repeatable).
        #[arg(long, required = true, value_name = "FILE")]
        keylog: Vec<PathBuf>,
        /// The pcapng file to write.
        #[arg(short, long, value_name = "OUT.pcapng")]
        output: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// List the interfaces libpcap can capture on, and exit.
    #[arg(long)]
    pub list: bool,

    /// The interface to capture on (`any` for all, on Linux).
    #[arg(
        short = 'i',
        long = "interface",
        value_name = "IFACE",
        required_unless_present = "list"
    )]
    pub interface: Option<String>,

    /// A capture filter in tcpdump's BPF syntax (`tcp port 443 or udp port 53`).
    #[arg(short = 'f', long, value_name = "BPF")]
    pub filter: Option<String>,

    /// Write the packets to this pcapng file as they arrive.
    #[arg(short = 'w', long = "write", value_name = "OUT.pcapng")]
    pub write: Option<PathBuf>,

    /// Stop after this long (`90`, `30s`, `5m`, `1h`); otherwise at Ctrl-C.
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,

    /// Bytes kept per packet.
    #[arg(long, default_value_t = 262_144)]
    pub snaplen: u32,

    /// Audit the capture against this declaration when it stops.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// The test device's identifiers (TOML), for the live table and the audit.
    #[arg(long, value_name = "FILE")]
    pub device: Option<PathBuf>,

    /// For the audit: consent is the first request matching this regex.
    #[arg(long, value_name = "REGEX")]
    pub consent_marker: Option<String>,

    /// For the audit: the app package.
    #[arg(long, value_name = "APK|IPA")]
    pub app: Option<PathBuf>,

    /// For the audit: the report format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,

    /// For the audit: write the report here.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// For the audit: exit 1 when a finding reaches this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: crate::audit::Severity,

    #[command(flatten)]
    pub parties: PartyArgs,

    #[command(flatten)]
    pub keylog: KeylogArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Draft a declaration (TOML) from privacy-policy text, Markdown or HTML in any
    /// common encoding (UTF-8, UTF-16, GB18030, Windows-1252); reviewer notes go to
    /// standard error.
    Extract {
        /// The policy: one or more files read together as one policy (the policy page
        /// and a separate SDK-list page). Format by extension (.md/.markdown,
        /// .html/.htm/.xhtml), otherwise HTML when the content looks like a page, else
        /// plain text.
        #[arg(required = true, num_args = 1..)]
        policy: Vec<PathBuf>,
        /// Write the draft here (atomically) instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// What to write: the draft declaration (toml), every matched phrase with its
        /// offsets and rule (json), or a review page with the policy text highlighted (html).
        #[arg(long, value_enum, default_value_t = ExtractFormat::Toml)]
        format: ExtractFormat,
        /// Use signature files from this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
    },
    /// Validate a declaration: TOML shape, data-type ids known to the ontology,
    /// parties known to the SDK signatures.
    Check {
        /// The declaration (TOML).
        declaration: PathBuf,
        /// Use signature files from this folder instead of the built-in ones.
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ProxyArgs {
    #[command(subcommand)]
    pub action: Option<ProxyCommand>,

    /// Address and port to listen on. Loopback by default; use 0.0.0.0:8080 to let a
    /// phone on the same network in (then anyone on that network can use it).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,

    /// The CA folder (created on first use; default
    /// $XDG_DATA_HOME/privaudit/ca or ~/.local/share/privaudit/ca).
    #[arg(long, value_name = "DIR")]
    pub ca_dir: Option<PathBuf>,

    /// Write every exchange to this HAR file as it completes.
    #[arg(short = 'w', long = "write", value_name = "OUT.har")]
    pub write: Option<PathBuf>,

    /// Also trust the CA certificates in this PEM file for servers (repeatable).
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Vec<PathBuf>,

    /// When the proxy stops, audit what it recorded against this declaration
    /// (repeatable; the HAR goes to --write, or a file named after the time).
    #[arg(long, value_name = "FILE")]
    pub policy: Vec<PathBuf>,

    /// Client connections served at once.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_connections: usize,

    /// Seconds without traffic after which a connection is closed.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub idle_timeout: u64,

    /// Body bytes kept per request and per response (the rest is forwarded, not kept).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().body_bytes)]
    pub max_body: usize,

    /// Show query values in full in the log (masked by default).
    #[arg(long)]
    pub show_values: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProxyCommand {
    /// Print where the CA certificate is (creating it if needed) and how to install
    /// it on Android and iOS. Never prints the key.
    Ca {
        /// The CA folder (default as for `proxy`).
        #[arg(long, value_name = "DIR")]
        ca_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// The draft declaration, notes as comments.
    Toml,
    /// One JSON document (`privaudit.policy-extract/1`): draft, notes, every match.
    Json,
    /// A self-contained review page: the policy text with every match highlighted.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SdksFormat {
    /// Tables, for people.
    Table,
    /// One JSON document (`privaudit.sdks/1`).
    Json,
}

#[derive(Debug, Args)]
pub struct SdksArgs {
    /// The app package: an APK, app bundle (.aab), split set (.apks, .xapk), SDK
    /// library (.aar, .jar) or IPA, told apart by content; or a PrivacyInfo.xcprivacy.
    #[arg(value_name = "PACKAGE")]
    pub app: PathBuf,

    /// Captures or HAR files of the app's traffic, to tell SDKs that transmit from
    /// SDKs that are only bundled.
    #[arg(long = "capture", value_name = "FILE")]
    pub captures: Vec<PathBuf>,

    #[arg(long, value_enum, default_value = "table")]
    pub format: SdksFormat,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub parties: PartyArgs,

    #[command(flatten)]
    pub keylog: KeylogArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum SignaturesCommand {
    /// Convert an Exodus Privacy tracker export into privaudit's SDK format and report
    /// which trackers are SDKs privaudit already knows.
    ImportExodus {
        /// The Exodus export (`trackers.json`).
        file: PathBuf,
        /// Write the new SDK entries to this TOML file (default: report only).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Validate a signatures folder (`datatypes.toml`, `sdks/*.toml`) or the built-in one.
    Check {
        /// The folder to check; the built-in signatures when omitted.
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordFormat {
    /// A table grouped by host name, for people.
    Table,
    /// One JSON object per line, for machines.
    Jsonl,
    /// One JSON array.
    Json,
}

#[derive(Debug, Args)]
pub struct FlowsArgs {
    /// Capture files (pcap or pcapng, optionally gzip-compressed) or HAR exports.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RecordFormat,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub parties: PartyArgs,

    #[command(flatten)]
    pub keylog: KeylogArgs,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Secrets for reading TLS.
#[derive(Debug, Args, Clone, Default)]
pub struct KeylogArgs {
    /// An NSS key log (SSLKEYLOGFILE format; repeatable). The SSLKEYLOGFILE environment
    /// variable is read too, and pcapng Decryption Secrets Blocks always are.
    #[arg(long, value_name = "FILE")]
    pub keylog: Vec<PathBuf>,
}

/// Who is who: the app's own domains and the app to keep.
#[derive(Debug, Args, Clone, Default)]
pub struct PartyArgs {
    /// The app's own domain (repeatable); hosts under it are `first-party`.
    #[arg(long = "first-party", value_name = "DOMAIN")]
    pub first_party: Vec<String>,

    /// Keep only traffic sent by this Android package (PCAPdroid pcapng files record
    /// which app sent each packet; other apps on the test phone are left out).
    #[arg(long, value_name = "NAME")]
    pub package: Option<String>,

    /// Use signature files from this folder instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Capture files (pcap, pcapng, gzip-compressed) or HAR exports.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,

    /// The test device's real identifiers (TOML), matched exactly and hashed.
    #[arg(long, value_name = "FILE")]
    pub device: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RecordFormat,

    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,

    /// Print values in full (masked by default: a privacy report must not leak).
    #[arg(long)]
    pub show_values: bool,

    #[command(flatten)]
    pub parties: PartyArgs,

    #[command(flatten)]
    pub keylog: KeylogArgs,

    #[command(flatten)]
    pub engine: EngineArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How many threads read traffic.
#[derive(Debug, Args, Clone, Default)]
pub struct EngineArgs {
    /// Threads analysing each capture: 1 runs everything on one thread; more adds a
    /// reader thread and shards flows across N worker threads (same output, byte for
    /// byte). Default: every core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
}

impl EngineArgs {
    /// The thread count to use.
    pub fn threads(&self) -> usize {
        match self.threads {
            Some(n) => usize::from(n),
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Resource limits (see the README's "Limits" section for what each bounds).
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Out-of-order TCP bytes held per flow direction before giving up on a gap.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().reassembly_per_flow)]
    pub max_flow_buffer: usize,
    /// Out-of-order TCP bytes held across all flows.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().reassembly_total)]
    pub max_reassembly: usize,
    /// Flows tracked at once (the least recently active are closed beyond this).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_flows)]
    pub max_flows: usize,
    /// Seconds of silence after which a flow is closed.
    #[arg(long, value_name = "SECS", default_value_t = Limits::default().flow_idle_secs)]
    pub flow_timeout: u64,
    /// Request-body bytes kept per HTTP request for detection.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().body_bytes)]
    pub max_body: usize,
    /// Bytes one compressed body may expand to.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().decompressed_bytes)]
    pub max_decompressed: usize,
    /// Highest ratio of decompressed to compressed size of one body (zip-bomb guard).
    #[arg(long, value_name = "N", default_value_t = Limits::default().decompression_ratio)]
    pub max_decompression_ratio: usize,
    /// Bytes of one HTTP/1 message head (request line and headers).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().http_header_bytes)]
    pub max_header_bytes: usize,
    /// Header fields in one HTTP/1 or HTTP/2 message.
    #[arg(long, value_name = "N", default_value_t = Limits::default().http_header_count)]
    pub max_headers: usize,
    /// HPACK dynamic table size an HTTP/2 peer may ask for.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().hpack_table_bytes)]
    pub max_hpack_table: usize,
    /// QPACK dynamic table size an HTTP/3 peer may use (decrypted QUIC).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().qpack_table_bytes)]
    pub max_qpack_table: usize,
    /// Bytes of TLS handshake buffered per direction while waiting for a complete hello.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().tls_handshake_bytes)]
    pub max_tls_handshake: usize,
    /// Pipelined HTTP/1 requests per flow waiting for their responses.
    #[arg(long, value_name = "N", default_value_t = Limits::default().http_pending_requests)]
    pub max_pending_requests: usize,
    /// IP datagrams waiting for their fragments at once.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_fragmented_datagrams)]
    pub max_fragmented: usize,
}

impl LimitArgs {
    pub fn to_limits(&self) -> Limits {
        Limits {
            reassembly_per_flow: self.max_flow_buffer,
            reassembly_total: self.max_reassembly,
            max_flows: self.max_flows.max(1),
            flow_idle_secs: self.flow_timeout,
            body_bytes: self.max_body,
            decompressed_bytes: self.max_decompressed,
            decompression_ratio: self.max_decompression_ratio.max(1),
            http_header_bytes: self.max_header_bytes,
            http_header_count: self.max_headers,
            hpack_table_bytes: self.max_hpack_table,
            qpack_table_bytes: self.max_qpack_table,
            tls_handshake_bytes: self.max_tls_handshake,
            http_pending_requests: self.max_pending_requests,
            max_fragmented_datagrams: self.max_fragmented,
            ..Limits::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks argument definitions only when a command is built; this builds them
    /// all, so a clash (two flags named alike) fails here rather than for a user.
    #[test]
    fn argument_definitions_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
