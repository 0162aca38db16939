//! The hasher of the compiler's own maps: rustc-hash 2 (the hasher of the
//! Rust compiler). The keys are the program's names and statements, which its
//! authors control anyway, so SipHash's protection against chosen collisions
//! buys nothing and costs several times more per lookup. Version 2 (unlike
//! the FxHash of version 1) spreads names that differ only in their last
//! characters: `Policy0`..`Policy99999` all hash apart, and their low bits
//! too (the test below). Iteration order is never output (see the style
//! guide): maps are read by key, and what is shown is sorted.

use std::hash::Hasher;

/// Builds the hashers of [`HashMap`] and [`HashSet`].
pub type BuildHasher = rustc_hash::FxBuildHasher;
pub type HashMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type HashSet<K> = rustc_hash::FxHashSet<K>;

/// A name compared and hashed ignoring ASCII case, as IAM compares names
/// (and as case-insensitive file systems do), without a lower-cased copy.
#[derive(Clone, Copy, Debug)]
pub struct NoCase<'a>(pub &'a str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl std::hash::Hash for NoCase<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Lower-cased a block at a time, each block hashed as bytes: the
        // hasher mixes a run of bytes far better than a run of words.
        let bytes = self.0.as_bytes();
        for chunk in bytes.chunks(64) {
            let mut block = [0u8; 64];
            for (w, b) in block.iter_mut().zip(chunk) {
                *w = b.to_ascii_lowercase();
            }
            state.write(&block[..chunk.len()]);
        }
        state.write_usize(bytes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher as _, Hash};

    fn hash(v: impl Hash) -> u64 {
        BuildHasher::default().hash_one(v)
    }

    #[test]
    fn equal_values_hash_equal_and_near_values_differ() {
        assert_eq!(hash("arn:aws:s3:::b"), hash(String::from("arn:aws:s3:::b")));
        // Names that differ in their last characters, and in their first.
        for names in [
            (0..100_000)
                .map(|i| format!("Policy{i}"))
                .collect::<Vec<_>>(),
            (0..100_000).map(|i| format!("{i}Policy")).collect(),
            (0..100_000)
                .map(|i| format!("S3ReadBucketPrefix{i:08}"))
                .collect(),
        ] {
            for hash in [|n: &String| hash(n), |n: &String| hash(NoCase(n))] {
                let hashes: HashSet<u64> = names.iter().map(hash).collect();
                assert_eq!(hashes.len(), names.len());
                // The low bits pick the bucket: they must spread too.
                let buckets: HashSet<u64> = names.iter().map(|n| hash(n) & 0xf_ffff).collect();
                assert!(buckets.len() > 60_000, "{} buckets", buckets.len());
            }
        }
        // A short tail is not confused with a longer one of zero bytes.
        assert_ne!(hash(&b"ab"[..]), hash(&b"ab\0"[..]));
        assert_ne!(hash(NoCase("ab")), hash(NoCase("ab\0")));
        // Names that differ only in case are the same name.
        assert_eq!(hash(NoCase("TeamADev")), hash(NoCase("teamadev")));
        assert_eq!(NoCase("TeamADev"), NoCase("TEAMADEV"));
        assert_ne!(hash(NoCase("TeamADev")), hash(NoCase("TeamADe")));
    }
}
