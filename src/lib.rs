//! privaudit: audit what a mobile app really does with personal data against what its
//! privacy policy says.
//!
//! Data flows one way (see ARCHITECTURE.md): `source` reads captures into packets,
//! `net` turns packets into flows and ordered byte streams, `proto` parses the
//! application protocols into typed records, and `report` renders them. Lower layers
//! never import higher ones.

pub mod apilog;
pub mod audit;
pub mod cli;
pub mod codec;
pub mod decrypt;
pub mod detect;
pub mod engine;
pub mod exchange;
#[doc(hidden)]
pub mod fuzz_targets;
pub mod limits;
#[cfg(feature = "live")]
pub mod live;
pub mod net;
pub mod observation;
pub mod package;
pub mod pipeline;
pub mod policy;
pub mod proto;
pub mod proxy;
pub mod record;
pub mod report;
pub mod sdk;
pub mod signatures;
pub mod source;
pub mod store;
pub mod suggest;
pub mod time;
