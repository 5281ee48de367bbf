//! Finding personal data in requests: where to look (URL, headers, cookies, bodies),
//! how to see through encodings, which values are which data type, and the device
//! profile's exact matches.

pub mod decode;
pub mod opaque;
pub mod profile;
pub mod scan;
pub mod validate;

pub use scan::Detector;
