//! A fast hasher for the compiler's own maps, over 8-byte words: each word is
//! xored into the state, which is multiplied by an odd constant (mixing low
//! bits up) and xor-shifted (mixing high bits down). Both steps are
//! bijections, so two keys of one length that differ in one word never
//! collide. The keys are the program's
//! names and statements, which its authors control anyway, so SipHash's
//! protection against chosen collisions buys nothing and costs several times
//! more per lookup. (FxHash, cheaper still, collides on names that differ
//! only in their last characters: 229 of `Policy0`..`Policy9999`.) Iteration
//! order is never output (see the style guide): maps are read by key, and
//! what is shown is sorted.

use std::hash::{BuildHasherDefault, Hasher};

#[derive(Clone, Copy)]
pub struct WordHasher {
    hash: u64,
}

impl Default for WordHasher {
    fn default() -> WordHasher {
        // The digits of pi: any state will do.
        WordHasher {
            hash: 0x243f_6a88_85a3_08d3,
        }
    }
}

/// The golden ratio in 64 bits: odd, with its bits spread.
const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

impl WordHasher {
    /// A hasher whose results are independent of the default one's.
    pub fn with_seed(seed: u64) -> WordHasher {
        WordHasher { hash: seed }
    }

    fn add(&mut self, word: u64) {
        let mixed = (self.hash ^ word).wrapping_mul(MULTIPLIER);
        self.hash = mixed ^ (mixed >> 29);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The padded tail, then its length as a word of its own: no
            // bits of the tail's word are free to hold it.
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
            self.add(rest.len() as u64);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        let mixed = self.hash.wrapping_mul(MULTIPLIER);
        mixed ^ (mixed >> 32)
    }
}

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
        let bytes = self.0.as_bytes();
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = b.to_ascii_lowercase();
            }
            state.write_u64(u64::from_le_bytes(word));
        }
        state.write_usize(bytes.len());
    }
}

pub type WordBuildHasher = BuildHasherDefault<WordHasher>;
pub type HashMap<K, V> = std::collections::HashMap<K, V, WordBuildHasher>;
pub type HashSet<K> = std::collections::HashSet<K, WordBuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(v: impl Hash) -> u64 {
        WordBuildHasher::default().hash_one(v)
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
            let hashes: HashSet<u64> = names.iter().map(hash).collect();
            assert_eq!(hashes.len(), names.len());
            // The low bits pick the bucket: they must spread too.
            let buckets: HashSet<u64> = names.iter().map(|n| hash(n) & 0xf_ffff).collect();
            assert!(buckets.len() > 60_000, "{} buckets", buckets.len());
        }
        // A short tail is not confused with a longer one of zero bytes.
        assert_ne!(hash(&b"ab"[..]), hash(&b"ab\0"[..]));
        // Names that differ only in case are the same name.
        assert_eq!(hash(NoCase("TeamADev")), hash(NoCase("teamadev")));
        assert_eq!(NoCase("TeamADev"), NoCase("TEAMADEV"));
        assert_ne!(hash(NoCase("TeamADev")), hash(NoCase("TeamADe")));
    }
}
