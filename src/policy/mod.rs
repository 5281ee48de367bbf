//! Privacy policies: the declaration model and the extraction of a draft declaration
//! from policy text.

pub mod check;
pub mod datasafety;
pub mod extract;
pub mod model;
pub mod review;

pub use model::Declaration;
