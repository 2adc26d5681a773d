//! Shapes, strides and views.
//!
//! A tensor is a [`Layout`] over a flat storage: element `(i0, i1, ..)` lives at
//! `offset + i0*strides[0] + i1*strides[1] + ..`. Every view — reshape (when the strides allow it),
//! permute/transpose, expand (broadcast, stride 0), narrow, squeeze/unsqueeze — is a new `Layout` over the same
//! storage; no data moves. Kernels take a `Layout` and have a contiguous fast path and a strided path that walks
//! [`Layout::offsets`].
//!
//! All checks panic through [`shape_error`](crate::error::shape_error) with the op and the shapes.
//!
//! Every size, stride and offset is computed in checked arithmetic, so a layout always describes a view whose
//! element count and storage extent fit a `usize`: an argument that would wrap (`narrow(1, usize::MAX - 1, 3)`,
//! `expand(&[1 << 32, 1 << 32])`) panics naming the op and the value instead of making a view of other memory.
//! [`check_in_storage`] is the last line of defence: every backend entry point calls it on each operand view
//! before its kernels read through raw pointers or unchecked indices.

use smallvec::{smallvec, SmallVec};

use crate::ensure;

/// Sizes or strides of a view: up to 4 dimensions inline (every view op makes a new `Layout`, and most tensors
/// have at most 4 dimensions, so most views cost no heap allocation), more on the heap.
type Dims = SmallVec<[usize; 4]>;

/// Shape, strides (in elements) and offset of a view.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    shape: Dims,
    strides: Dims,
    offset: usize,
}

/// The element count of `shape` in checked arithmetic: `None` when the product of its non-zero sizes overflows
/// `usize`. Such a shape is refused even when another size is 0, because its row-major strides would overflow.
pub fn checked_numel(shape: &[usize]) -> Option<usize> {
    let mut product: usize = 1;
    let mut empty = false;
    for &n in shape {
        if n == 0 {
            empty = true;
        } else {
            product = product.checked_mul(n)?;
        }
    }
    Some(if empty { 0 } else { product })
}

/// Row-major (C-order) strides of `shape`.
///
/// # Panics
/// When the shape has more elements than a `usize` can count.
#[track_caller]
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    strides_of("contiguous_strides", shape).into_vec()
}

/// [`contiguous_strides`] as inline `Dims`; panics naming `op` when the shape's element count overflows.
#[track_caller]
fn strides_of(op: &str, shape: &[usize]) -> Dims {
    check_numel(op, shape);
    let mut strides: Dims = smallvec![0; shape.len()];
    let mut acc: usize = 1;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        // Cannot overflow: the product of the non-zero sizes fits (checked above), and a 0 makes the rest 0.
        acc = acc.saturating_mul(shape[i]);
    }
    strides
}

/// The element count of `shape`, or a panic naming `op` when it overflows (see [`checked_numel`]).
#[track_caller]
pub fn check_numel(op: &str, shape: &[usize]) -> usize {
    match checked_numel(shape) {
        Some(n) => n,
        None => crate::error::shape_error(
            op,
            format_args!("shape {shape:?} has more elements than a usize can count (more than {})", usize::MAX),
        ),
    }
}

/// Checks that the view `layout` lies inside a storage of `storage_len` elements: its offset plus
/// `Σ (size - 1)·stride` over the dimensions, computed in checked arithmetic, is below `storage_len` (an empty
/// view touches nothing). Every backend entry point calls this once per operand, in release builds too, before
/// its kernels read through raw pointers or unchecked indices — so a bug anywhere above cannot become an
/// out-of-bounds read.
///
/// # Panics
/// `{op}: the view [..] (strides [..], offset ..) reaches outside its storage of N elements`.
#[track_caller]
pub fn check_in_storage(op: &str, layout: &Layout, storage_len: usize) {
    let fits = match layout.checked_extent() {
        Some(extent) => extent <= storage_len,
        None => false,
    };
    if !fits {
        out_of_storage(op, layout, storage_len);
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn out_of_storage(op: &str, layout: &Layout, storage_len: usize) -> ! {
    crate::error::shape_error(
        op,
        format_args!(
            "the view {:?} (strides {:?}, offset {}) reaches outside its storage of {storage_len} elements",
            layout.shape(),
            layout.strides(),
            layout.offset()
        ),
    )
}

/// NumPy/PyTorch broadcasting: align shapes on the right; each pair of sizes must be equal or one of them 1.
#[track_caller]
pub fn broadcast_shapes(op: &str, lhs: &[usize], rhs: &[usize]) -> Vec<usize> {
    let rank = lhs.len().max(rhs.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let l = if i + lhs.len() >= rank { lhs[i + lhs.len() - rank] } else { 1 };
        let r = if i + rhs.len() >= rank { rhs[i + rhs.len() - rank] } else { 1 };
        ensure!(
            l == r || l == 1 || r == 1,
            op,
            "lhs {lhs:?} and rhs {rhs:?} cannot be broadcast together (dimension {i} of the result: {l} vs {r})"
        );
        out[i] = if l == 1 { r } else { l };
    }
    out
}

impl Layout {
    /// A contiguous row-major layout of `shape` starting at offset 0.
    ///
    /// # Panics
    /// When the shape has more elements than a `usize` can count.
    #[track_caller]
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: Dims::from_slice(shape), strides: strides_of("layout", shape), offset: 0 }
    }

    /// A layout from its parts. Its element count and extent must fit a `usize`; whether it fits a storage is
    /// checked by the backends ([`check_in_storage`]).
    ///
    /// # Panics
    /// When shape and strides differ in rank, or the element count or the extent overflows.
    #[track_caller]
    pub fn from_parts(shape: Vec<usize>, strides: Vec<usize>, offset: usize) -> Layout {
        ensure!(
            shape.len() == strides.len(),
            "Layout::from_parts",
            "shape {shape:?} and strides {strides:?} differ in rank"
        );
        check_numel("Layout::from_parts", &shape);
        let out = Layout { shape: Dims::from_vec(shape), strides: Dims::from_vec(strides), offset };
        ensure!(
            out.checked_extent().is_some(),
            "Layout::from_parts",
            "shape {:?}, strides {:?} and offset {offset} reach past usize::MAX",
            out.shape,
            out.strides
        );
        out
    }

    /// Sizes of the dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Strides of the dimensions, in elements.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Position of element `(0, 0, ..)` in the storage.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements (it fits a `usize`: every constructor checks).
    pub fn numel(&self) -> usize {
        checked_numel(&self.shape).unwrap_or(usize::MAX)
    }

    /// True when the elements are stored in row-major order without gaps (size-1 dimensions may have any stride).
    pub fn is_contiguous(&self) -> bool {
        let mut acc: usize = 1;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] != 1 && self.strides[i] != acc {
                return false;
            }
            acc = acc.saturating_mul(self.shape[i]);
        }
        true
    }

    /// The storage range of a contiguous layout, `None` otherwise.
    pub fn contiguous_range(&self) -> Option<std::ops::Range<usize>> {
        self.is_contiguous().then(|| self.offset..self.offset.saturating_add(self.numel()))
    }

    /// One past the largest storage index the layout touches (0 for an empty view).
    pub fn storage_extent(&self) -> usize {
        self.checked_extent().unwrap_or(usize::MAX)
    }

    /// [`Layout::storage_extent`] in checked arithmetic: `None` when it does not fit a `usize`.
    pub fn checked_extent(&self) -> Option<usize> {
        if self.shape.contains(&0) {
            return Some(0);
        }
        let mut last = self.offset;
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            last = last.checked_add((n - 1).checked_mul(s)?)?;
        }
        last.checked_add(1)
    }

    /// Resolves a possibly negative axis (`-1` is the last), panicking when out of range.
    #[track_caller]
    pub fn axis(&self, op: &str, axis: isize) -> usize {
        resolve_axis(op, axis, self.rank())
    }

    /// Storage indices of every element, in logical (row-major) order.
    pub fn offsets(&self) -> Offsets<'_> {
        Offsets::new(self)
    }

    /// A view with the dimensions reordered: output dimension `i` is input dimension `perm[i]`.
    #[track_caller]
    pub fn permute(&self, perm: &[usize]) -> Layout {
        ensure!(
            perm.len() == self.rank() && is_permutation(perm),
            "permute",
            "{perm:?} is not a permutation of the {} dimensions of {:?}",
            self.rank(),
            self.shape
        );
        Layout {
            shape: perm.iter().map(|&p| self.shape[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
            offset: self.offset,
        }
    }

    /// A view with dimensions `a` and `b` swapped.
    #[track_caller]
    pub fn transpose(&self, a: usize, b: usize) -> Layout {
        ensure!(
            a < self.rank() && b < self.rank(),
            "transpose",
            "dimensions {a} and {b} out of range for shape {:?}",
            self.shape
        );
        let mut perm: Dims = (0..self.rank()).collect();
        perm.swap(a, b);
        self.permute(&perm)
    }

    /// The sub-range `start..start+len` of dimension `axis`.
    #[track_caller]
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Layout {
        ensure!(axis < self.rank(), "narrow", "axis {axis} out of range for shape {:?}", self.shape);
        // `start + len` in checked arithmetic: a wrapped end would pass the bound and move the offset anywhere.
        ensure!(
            start.checked_add(len).is_some_and(|end| end <= self.shape[axis]),
            "narrow",
            "start {start} + length {len} out of bounds for dimension {axis} of shape {:?} (size {})",
            self.shape,
            self.shape[axis]
        );
        let mut out = self.clone();
        out.shape[axis] = len;
        if len > 0 {
            // Inside the view's extent (start < size), which fits a usize.
            out.offset = start
                .checked_mul(self.strides[axis])
                .and_then(|o| o.checked_add(self.offset))
                .expect("narrow: the start lies inside the view's extent");
        }
        out
    }

    /// Broadcasts to `shape` (NumPy rules: new leading dimensions, size-1 dimensions repeated with stride 0).
    #[track_caller]
    pub fn expand(&self, shape: &[usize]) -> Layout {
        ensure!(
            shape.len() >= self.rank(),
            "expand",
            "cannot expand shape {:?} to {shape:?}: the target has fewer dimensions",
            self.shape
        );
        ensure!(
            checked_numel(shape).is_some(),
            "expand",
            "cannot expand shape {:?} to {shape:?}: it has more elements than a usize can count",
            self.shape
        );
        let lead = shape.len() - self.rank();
        let mut strides: Dims = smallvec![0; shape.len()];
        for i in 0..self.rank() {
            let (from, to) = (self.shape[i], shape[lead + i]);
            ensure!(
                from == to || from == 1,
                "expand",
                "cannot expand shape {:?} to {shape:?}: dimension {i} has size {from}, expected 1 or {to}",
                self.shape
            );
            strides[lead + i] = if from == to { self.strides[i] } else { 0 };
        }
        Layout { shape: Dims::from_slice(shape), strides, offset: self.offset }
    }

    /// A view with a new shape of the same element count, when the strides allow it without a copy
    /// (`None` otherwise: the caller copies to contiguous first).
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Option<Layout> {
        let numel = check_numel("reshape", shape);
        ensure!(
            numel == self.numel(),
            "reshape",
            "cannot reshape {:?} ({} elements) to {shape:?} ({numel} elements)",
            self.shape,
            self.numel()
        );
        if self.is_contiguous() || numel == 0 {
            // An empty view touches no storage: any strides will do.
            let strides = strides_of("reshape", shape);
            return Some(Layout { shape: Dims::from_slice(shape), strides, offset: self.offset });
        }
        // General case (as PyTorch's `computeStride`): split the old dimensions into chunks that are contiguous
        // among themselves; each chunk may be re-split into new dimensions.
        let old: Vec<(usize, usize)> =
            self.shape.iter().copied().zip(self.strides.iter().copied()).filter(|&(n, _)| n != 1).collect();
        let mut strides: Dims = smallvec![0; shape.len()];
        let mut new_i = 0;
        let mut old_i = 0;
        while old_i < old.len() {
            // A chunk of old dims [old_i, old_j) that is contiguous internally.
            let mut old_j = old_i + 1;
            while old_j < old.len() && old[old_j - 1].1 == old[old_j].0 * old[old_j].1 {
                old_j += 1;
            }
            let chunk: usize = old[old_i..old_j].iter().map(|&(n, _)| n).product();
            let base_stride = old[old_j - 1].1;
            // Consume new dims whose product equals the chunk.
            let mut acc = 1;
            let start = new_i;
            while new_i < shape.len() && (acc < chunk || shape[new_i] == 1) {
                if acc == chunk && shape[new_i] == 1 {
                    break;
                }
                acc *= shape[new_i];
                new_i += 1;
            }
            if acc != chunk {
                return None;
            }
            let mut s: usize = base_stride;
            for d in (start..new_i).rev() {
                strides[d] = s;
                // The last product (past the chunk's outermost dimension) is never used as a stride.
                s = s.saturating_mul(shape[d]);
            }
            old_i = old_j;
        }
        // Remaining new dims must be size 1.
        while new_i < shape.len() {
            if shape[new_i] != 1 {
                return None;
            }
            new_i += 1;
        }
        Some(Layout { shape: Dims::from_slice(shape), strides, offset: self.offset })
    }

    /// Removes dimension `axis`, which must have size 1.
    #[track_caller]
    pub fn squeeze(&self, axis: usize) -> Layout {
        ensure!(axis < self.rank(), "squeeze", "axis {axis} out of range for shape {:?}", self.shape);
        ensure!(
            self.shape[axis] == 1,
            "squeeze",
            "dimension {axis} of shape {:?} has size {}, not 1",
            self.shape,
            self.shape[axis]
        );
        let mut out = self.clone();
        out.shape.remove(axis);
        out.strides.remove(axis);
        out
    }

    /// Inserts a dimension of size 1 at `axis` (0..=rank).
    #[track_caller]
    pub fn unsqueeze(&self, axis: usize) -> Layout {
        ensure!(axis <= self.rank(), "unsqueeze", "axis {axis} out of range for shape {:?}", self.shape);
        let mut out = self.clone();
        // The stride of a size-1 dimension is never stepped: saturating is as good as exact.
        let stride = if axis < self.rank() { self.strides[axis].saturating_mul(self.shape[axis]) } else { 1 };
        out.shape.insert(axis, 1);
        out.strides.insert(axis, stride);
        out
    }
}

/// Resolves a possibly negative axis against `rank`.
#[track_caller]
pub fn resolve_axis(op: &str, axis: isize, rank: usize) -> usize {
    let a = if axis < 0 { axis + rank as isize } else { axis };
    ensure!(a >= 0 && (a as usize) < rank, op, "axis {axis} out of range for a tensor of rank {rank}");
    a as usize
}

fn is_permutation(p: &[usize]) -> bool {
    let mut seen: SmallVec<[bool; 8]> = smallvec![false; p.len()];
    p.iter().all(|&i| i < p.len() && !std::mem::replace(&mut seen[i], true))
}

/// Iterator over the storage indices of a layout in logical order (the strided path of every kernel).
///
/// It walks a simplified copy of the layout: size-1 dimensions dropped and neighbours that step through memory
/// as one dimension merged (`[800, 1]` becomes `[800]`; a contiguous `[2, 3, 4]` becomes `[24]`), which visits
/// the same offsets in the same order with fewer odometer steps.
pub struct Offsets<'a> {
    shape: Dims,
    strides: Dims,
    index: Dims,
    next: usize,
    remaining: usize,
    _layout: std::marker::PhantomData<&'a Layout>,
}

impl<'a> Offsets<'a> {
    fn new(layout: &'a Layout) -> Self {
        let (mut shape, mut strides) = (Dims::new(), Dims::new());
        for (&n, &st) in layout.shape.iter().zip(&layout.strides) {
            if n == 1 {
                continue;
            }
            match (shape.last_mut(), strides.last()) {
                // The previous dimension steps by exactly this one's whole extent: one dimension.
                (Some(prev_n), Some(&prev_st)) if st.checked_mul(n) == Some(prev_st) => {
                    *prev_n *= n;
                    *strides.last_mut().expect("same length as shape") = st;
                }
                _ => {
                    shape.push(n);
                    strides.push(st);
                }
            }
        }
        let index = smallvec![0; shape.len()];
        Offsets {
            shape,
            strides,
            index,
            next: layout.offset,
            remaining: layout.numel(),
            _layout: std::marker::PhantomData,
        }
    }
}

impl Iterator for Offsets<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let out = self.next;
        // Odometer increment, last dimension fastest.
        let (shape, strides, index) = (&self.shape[..], &self.strides[..], &mut self.index[..]);
        // Wrapping: the position one step past the last element of a dimension may pass usize::MAX before it is
        // rewound; every position returned lies inside the view's extent, which fits a usize.
        for d in (0..shape.len()).rev() {
            index[d] += 1;
            self.next = self.next.wrapping_add(strides[d]);
            if index[d] < shape[d] {
                break;
            }
            self.next = self.next.wrapping_sub(strides[d].wrapping_mul(shape[d]));
            index[d] = 0;
        }
        Some(out)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Offsets<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simplified walk visits exactly the offsets of the plain odometer, in the same order.
    #[test]
    fn offsets_match_the_plain_odometer() {
        let naive = |l: &Layout| -> Vec<usize> {
            let mut out = Vec::new();
            let mut idx = vec![0; l.rank()];
            for _ in 0..l.numel() {
                out.push(l.offset() + idx.iter().zip(l.strides()).map(|(i, s)| i * s).sum::<usize>());
                for d in (0..l.rank()).rev() {
                    idx[d] += 1;
                    if idx[d] < l.shape()[d] {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            out
        };
        let base = Layout::contiguous(&[2, 3, 4]);
        let layouts = [
            base.clone(),
            base.permute(&[2, 0, 1]),
            base.narrow(1, 1, 2),
            base.narrow(2, 1, 3).transpose(0, 1),
            Layout::contiguous(&[800, 1]),
            Layout::contiguous(&[3, 1]).expand(&[2, 3, 5]),
            Layout::contiguous(&[1, 4]).expand(&[3, 1, 4]).unsqueeze(1),
            Layout::contiguous(&[2, 1, 3, 1, 2, 1, 2]).narrow(4, 1, 1),
            Layout::contiguous(&[0, 3]),
            Layout::contiguous(&[]),
        ];
        for l in &layouts {
            assert_eq!(l.offsets().collect::<Vec<_>>(), naive(l), "{l:?}");
        }
    }

    #[test]
    fn strides_and_offsets() {
        let l = Layout::contiguous(&[2, 3]);
        assert_eq!(l.strides(), &[3, 1]);
        let t = l.transpose(0, 1);
        assert_eq!(t.offsets().collect::<Vec<_>>(), vec![0, 3, 1, 4, 2, 5]);
        assert!(!t.is_contiguous());
        let e = Layout::contiguous(&[3]).expand(&[2, 3]);
        assert_eq!(e.offsets().collect::<Vec<_>>(), vec![0, 1, 2, 0, 1, 2]);
        let n = l.narrow(1, 1, 2);
        assert_eq!(n.offsets().collect::<Vec<_>>(), vec![1, 2, 4, 5]);
    }

    #[test]
    fn reshape_views() {
        let l = Layout::contiguous(&[2, 3, 4]);
        assert_eq!(l.reshape(&[6, 4]).unwrap().strides(), &[4, 1]);
        // A transposed matrix cannot be flattened without a copy...
        let t = Layout::contiguous(&[3, 4]).transpose(0, 1);
        assert!(t.reshape(&[12]).is_none());
        // ...but adding unit dims or splitting a dim that stays contiguous works.
        let r = t.reshape(&[4, 1, 3]).unwrap();
        assert_eq!(r.offsets().collect::<Vec<_>>(), t.offsets().collect::<Vec<_>>());
        let n = Layout::contiguous(&[4, 6]).narrow(1, 0, 4); // rows of 4 with stride 6
        let r = n.reshape(&[4, 2, 2]).unwrap();
        assert_eq!(r.offsets().collect::<Vec<_>>(), n.offsets().collect::<Vec<_>>());
        assert!(n.reshape(&[16]).is_none());
    }

    #[test]
    #[should_panic(expected = "reshape: cannot reshape [2, 3] (6 elements) to [4] (4 elements)")]
    fn reshape_count_mismatch() {
        Layout::contiguous(&[2, 3]).reshape(&[4]);
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes("add", &[800, 1], &[1]), vec![800, 1]);
        assert_eq!(broadcast_shapes("add", &[3, 1, 5], &[4, 1]), vec![3, 4, 5]);
        assert_eq!(broadcast_shapes("add", &[0, 3], &[3]), vec![0, 3]);
    }

    #[test]
    #[should_panic(expected = "add: lhs [800, 2] and rhs [3]")]
    fn broadcasting_mismatch() {
        broadcast_shapes("add", &[800, 2], &[3]);
    }
}
