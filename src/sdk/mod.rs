//! Third parties: SDK signatures (code prefixes, frameworks, native libraries, domains,
//! documented data collection), attribution of hosts to parties, and the matching of
//! app packages against the signatures.

pub mod annotate;
pub mod attribution;
pub mod exodus;
pub mod packers;
pub mod signatures;

pub use attribution::{Attributor, Party};
pub use signatures::{Sdk, SdkDb};
