//! What `iamc build` leaves on disk besides printing: the templates written
//! into the output folder ([`output`]) and the build record that lets an
//! unchanged build do nothing ([`record`]).

pub mod output;
pub mod record;
