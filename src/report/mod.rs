//! Renderers and output plumbing: terminal tables, JSON lines, JSON; files are written
//! atomically and a closed pipe ends output quietly.

pub mod audit;
pub mod coverage;
pub mod escape;
pub mod html;
pub mod observations;
pub mod output;
pub mod pdf;
pub mod records;
