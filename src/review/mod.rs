//! Review commands for pull requests, on top of the compiler: [`diff`] (who
//! gains or loses what), [`explain`] (why a principal holds a permission) and
//! [`graph`] (the group graph as a picture).

pub mod access;
pub mod diff;
pub mod diff_report;
pub mod explain;
pub mod git;
pub mod grants;
pub mod graph;
pub mod simulate;
pub mod template_changes;
