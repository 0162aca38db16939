//! What iamc knows of IAM itself, in one place: its limits, the characters it
//! accepts, what an action and an ARN look like, how a pattern matches, and
//! the catalog of services and actions; and how IAM decides a request
//! ([`eval::decide`]) and whether a change grants anything new
//! ([`compare::compare`]). Every stage asks here; nothing here asks a stage.
//! The book's "How iamc decides" says what is exact and what is
//! over-approximated.

pub mod action;
pub mod arn;
pub mod catalog;
pub mod chars;
pub mod compare;
pub mod condition;
pub mod description;
pub mod escalation;
pub mod eval;
pub mod limits;
pub mod pattern;
pub mod policy;
pub mod principal;
pub mod service;
pub mod trust;
