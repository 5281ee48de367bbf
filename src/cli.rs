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
    /// Work with the signature files (SDKs, data types).
    #[command(subcommand)]
    Signatures(SignaturesCommand),
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
    pub limits: LimitArgs,
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
    pub limits: LimitArgs,
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
            ..Limits::default()
        }
    }
}
