//! Scheduling: a user-level cooperative scheduler and a simulator of the
//! lecture's scheduling algorithms.

pub mod cooperative;
pub mod nice;
pub mod schedule;
