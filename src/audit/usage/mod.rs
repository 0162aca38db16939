//! `iamc usage`: least privilege from evidence. What each principal was
//! granted, set against what the evidence (CloudTrail, IAM last-accessed
//! reports) shows it used: used, unused, unknown, and what it tried and was
//! denied. iamc never calls AWS: the user fetches the evidence.

pub mod analyse;
pub mod api_map;
pub mod cover;
pub mod evidence;
pub mod report;
pub mod suggest;
pub mod time;
pub mod unlogged;
