//! Where traffic comes from: offline capture files (pcap, pcapng, gzip-compressed) and,
//! in later stages, HAR exports, the intercepting proxy and live capture.

pub mod capture;
pub mod har;
pub mod pcapdroid;
pub mod pcapng_writer;
