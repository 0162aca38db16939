//! What iamc knows of IAM itself, in one place: its limits, the characters it
//! accepts, what an action and an ARN look like, how a pattern matches, and
//! the catalog of services and actions. Every stage asks here; nothing here
//! asks a stage. (An evaluator of policies, `iam::eval`, will live here too.)

pub mod action;
pub mod catalog;
pub mod chars;
pub mod condition;
pub mod description;
pub mod limits;
pub mod pattern;
pub mod service;
