//! Typed indexes: an id names a row of one table, and [`IdVec`] is a table
//! indexed only by its own id, so an index of one table cannot be used for
//! another.
//!
//! An id is a `u32` (half the size of a `usize` in the tables that hold
//! many of them); a program with more than `u32::MAX` rows of a table is
//! far beyond anything IAM or CloudFormation accepts.

use std::marker::PhantomData;

/// An index into one table. Implemented by [`define_id!`].
pub trait Id: Copy + Eq + Ord + std::hash::Hash + std::fmt::Debug {
    /// The id of row `index`.
    fn from_index(index: usize) -> Self;
    /// The row this id names.
    fn index(self) -> usize;
}

/// Defines a `Copy` newtype over `u32` that implements [`Id`]:
/// `define_id!(/// docs
/// pub DeclId);`
macro_rules! define_id {
    ($(#[$attr:meta])* $vis:vis $name:ident) => {
        $(#[$attr])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        $vis struct $name(u32);

        impl $crate::id::Id for $name {
            #[inline]
            fn from_index(index: usize) -> Self {
                debug_assert!(u32::try_from(index).is_ok(), "id out of range");
                $name(index as u32)
            }
            #[inline]
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $name {
            /// The id of row `index`.
            #[inline]
            pub fn new(index: usize) -> Self {
                <Self as $crate::id::Id>::from_index(index)
            }
            /// The row this id names.
            #[inline]
            pub fn index(self) -> usize {
                <Self as $crate::id::Id>::index(self)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

pub(crate) use define_id;

/// The ids of a range of rows, in order (`Range<I>` cannot iterate: `Step`
/// is not stable).
pub fn range<I: Id>(
    rows: std::ops::Range<I>,
) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone {
    (rows.start.index()..rows.end.index()).map(I::from_index)
}

/// The ids `0..n` of a table of `n` rows, in order.
pub fn ids<I: Id>(n: usize) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone {
    (0..n).map(I::from_index)
}

/// A table whose rows are named by the id `I`: indexed by `I`, never by a
/// bare number. It does not dereference to a slice, so a bare index does
/// not compile; [`IdVec::as_slice`] is there for code that reads every row.
///
/// ```
/// use iamc::{id::IdVec, resolve::DeclId};
/// let table: IdVec<DeclId, &str> = ["a"].into_iter().collect();
/// assert_eq!(table[DeclId::new(0)], "a");
/// ```
///
/// ```compile_fail
/// use iamc::{id::IdVec, resolve::DeclId};
/// let table: IdVec<DeclId, &str> = ["a"].into_iter().collect();
/// let _ = table[0];
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct IdVec<I, T> {
    rows: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        IdVec::from_vec(Vec::new())
    }

    /// The rows of `rows`, row `n` named by the id `n`.
    pub fn from_vec(rows: Vec<T>) -> Self {
        IdVec {
            rows,
            id: PhantomData,
        }
    }

    /// `n` rows, each `value`.
    pub fn filled(value: T, n: usize) -> Self
    where
        T: Clone,
    {
        IdVec::from_vec(vec![value; n])
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The id the next pushed row gets.
    pub fn next_id(&self) -> I {
        I::from_index(self.rows.len())
    }

    /// Adds a row and returns its id.
    pub fn push(&mut self, row: T) -> I {
        let id = self.next_id();
        self.rows.push(row);
        id
    }

    pub fn reserve_exact(&mut self, additional: usize) {
        self.rows.reserve_exact(additional);
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.rows.get(id.index())
    }

    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.rows.get_mut(id.index())
    }

    /// Every id of the table, in order.
    pub fn ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + Clone + use<I, T> {
        ids(self.rows.len())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.rows.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.rows.iter_mut()
    }

    /// Every row with its id, in order.
    pub fn iter_enumerated(
        &self,
    ) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator + Clone {
        self.rows
            .iter()
            .enumerate()
            .map(|(n, row)| (I::from_index(n), row))
    }

    /// Every row with its id, in order, consuming the table.
    pub fn into_iter_enumerated(
        self,
    ) -> impl DoubleEndedIterator<Item = (I, T)> + ExactSizeIterator {
        self.rows
            .into_iter()
            .enumerate()
            .map(|(n, row)| (I::from_index(n), row))
    }

    /// The rows in id order, for code that reads them all.
    pub fn as_slice(&self) -> &[T] {
        &self.rows
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.rows
    }

    pub fn into_vec(self) -> Vec<T> {
        self.rows
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec::new()
    }
}

impl<I: Id, T: std::fmt::Debug> std::fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter_enumerated()).finish()
    }
}

impl<I: Id, T> std::ops::Index<I> for IdVec<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, id: I) -> &T {
        &self.rows[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for IdVec<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.rows[id.index()]
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        IdVec::from_vec(iter.into_iter().collect())
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

impl<I: Id, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::{Id, IdVec};

    super::define_id!(pub A);
    super::define_id!(pub B);

    #[test]
    fn an_id_names_its_row_and_prints_its_type() {
        let mut table: IdVec<A, &str> = IdVec::new();
        let x = table.push("x");
        let y = table.push("y");
        assert_eq!((table[x], table[y]), ("x", "y"));
        assert_eq!(y.index(), 1);
        assert_eq!(format!("{y:?}"), "A(1)");
        assert_eq!(table.ids().collect::<Vec<_>>(), vec![A::new(0), A::new(1)]);
        assert_eq!(
            table
                .iter_enumerated()
                .map(|(i, s)| (i.index(), *s))
                .collect::<Vec<_>>(),
            vec![(0, "x"), (1, "y")]
        );
        assert_eq!(table.get(A::new(2)), None);
        assert_eq!(B::from_index(7), B::new(7));
        assert_eq!(B::new(7).index(), 7);
    }
}
