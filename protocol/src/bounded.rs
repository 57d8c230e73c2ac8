//! `BoundedVec`: a list with a maximum length that is enforced while decoding, before anything is
//! allocated for elements past the limit. Every list on the wire is one, so no claimed length can make a
//! decoder allocate more than the limit allows.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

/// A list of at most `MAX` elements.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BoundedVec<T, const MAX: usize>(Vec<T>);

/// A list longer than its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("a list of {len} elements exceeds its limit of {max}")]
pub struct TooLong {
    /// The list's length.
    pub len: usize,
    /// Its bound.
    pub max: usize,
}

impl<T, const MAX: usize> BoundedVec<T, MAX> {
    /// The most elements this list can hold.
    pub const MAX: usize = MAX;

    /// An empty list.
    pub const fn new() -> Self {
        BoundedVec(Vec::new())
    }

    /// `items`, if there are at most `MAX` of them.
    pub fn try_from_vec(items: Vec<T>) -> Result<Self, TooLong> {
        if items.len() > MAX {
            Err(TooLong {
                len: items.len(),
                max: MAX,
            })
        } else {
            Ok(BoundedVec(items))
        }
    }

    /// The first `MAX` of `items`, dropping the rest (for answers that are capped by design).
    pub fn truncating(mut items: Vec<T>) -> Self {
        items.truncate(MAX);
        BoundedVec(items)
    }

    /// The elements.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T, const MAX: usize> Deref for BoundedVec<T, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MAX: usize> TryFrom<Vec<T>> for BoundedVec<T, MAX> {
    type Error = TooLong;
    fn try_from(items: Vec<T>) -> Result<Self, TooLong> {
        BoundedVec::try_from_vec(items)
    }
}

impl<T: Serialize, const MAX: usize> Serialize for BoundedVec<T, MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for BoundedVec<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(BoundedVisitor(PhantomData))
    }
}

struct BoundedVisitor<T, const MAX: usize>(PhantomData<T>);

impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for BoundedVisitor<T, MAX> {
    type Value = BoundedVec<T, MAX>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {MAX} elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if let Some(claimed) = seq.size_hint()
            && claimed > MAX
        {
            return Err(de::Error::invalid_length(claimed, &self));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
        while let Some(item) = seq.next_element()? {
            if items.len() == MAX {
                return Err(de::Error::invalid_length(MAX + 1, &self));
            }
            items.push(item);
        }
        Ok(BoundedVec(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_enforced_on_construction_and_decoding() {
        assert!(BoundedVec::<u8, 2>::try_from_vec(vec![1, 2]).is_ok());
        assert_eq!(
            BoundedVec::<u8, 2>::try_from_vec(vec![1, 2, 3]),
            Err(TooLong { len: 3, max: 2 })
        );
        assert_eq!(BoundedVec::<u8, 2>::truncating(vec![1, 2, 3]).len(), 2);
        assert!(serde_json::from_str::<BoundedVec<u8, 2>>("[1,2]").is_ok());
        assert!(serde_json::from_str::<BoundedVec<u8, 2>>("[1,2,3]").is_err());
    }

    #[test]
    fn a_huge_claimed_length_is_refused_before_allocating() {
        // bincode varint length 0xFB + u32::MAX: a list claiming four billion elements in a 5-byte frame.
        let frame = [0xfb, 0xff, 0xff, 0xff, 0xff];
        let config = bincode::config::standard();
        let result: Result<(BoundedVec<u64, 8>, usize), _> =
            bincode::serde::decode_from_slice(&frame, config);
        assert!(result.is_err());
    }
}
