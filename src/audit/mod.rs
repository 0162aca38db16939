//! The program against the deployed account, from evidence the user fetched
//! (iamc never calls AWS):
//!
//! - [`usage`]: what each principal used, by CloudTrail and IAM's
//!   last-accessed reports, against what it is granted (`iamc usage`);
//! - [`drift`]: what is deployed, by `get-account-authorization-details`,
//!   against what the program generates (`iamc drift`);
//! - [`adopt`]: the program's templates put onto what the account already
//!   holds, by CloudFormation resource import (`iamc adopt`).
//!
//! Reading an account's IAM as data is [`crate::account`]'s.

pub mod adopt;
pub mod drift;
pub mod usage;
