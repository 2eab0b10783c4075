//! Basic indexing on a chunk grid: which input block feeds each output block of a slice.
//!
//! A slice is first normalized ([`AxisSelection`]: every range becomes "first element,
//! signed step, count"), then mapped onto the input grid ([`SliceMap`]). Each output chunk
//! along an axis is the run of selected elements that falls inside one input chunk, so
//! every output block reads exactly one input block:
//!
//! ```text
//!  input chunks  |0 1 2 3|4 5 6 7|8 9|      selection 1..10;3  -> elements 1 4 7
//!  pieces         [1]     [4   7]           output chunks (1, 2): piece 0 reads chunk 0
//!                                                                  piece 1 reads chunk 1
//! ```
//!
//! Index semantics are ndarray's `s![]`: a negative step walks the range backwards from its
//! end (`s![1..5;-2]` selects 4, 2); negative starts and ends count from the axis end;
//! ranges outside the axis and out-of-range integer indices are errors.

use ndarray::{Slice, SliceInfoElem};

use super::{AxisChunks, ChunkGrid};
use crate::error::{Error, Result};

/// One entry of a normalized basic index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum AxisSelection {
    /// Elements `first, first + step, ...` (`len` of them) of an input axis.
    Range {
        /// Index of the first selected element.
        first: usize,
        /// Signed distance between selected elements (never 0).
        step: isize,
        /// Number of selected elements.
        len: usize,
    },
    /// One element of an input axis; the axis is dropped.
    Index(usize),
    /// A new axis of length 1.
    NewAxis,
}

impl AxisSelection {
    /// Normalizes an ndarray index against `shape`; missing trailing entries select whole
    /// axes.
    pub(crate) fn normalize(info: &[SliceInfoElem], shape: &[usize]) -> Result<Vec<AxisSelection>> {
        let consumed = info
            .iter()
            .filter(|e| !matches!(e, SliceInfoElem::NewAxis))
            .count();
        if consumed > shape.len() {
            return Err(Error::SliceRankMismatch {
                given: consumed,
                ndim: shape.len(),
            });
        }
        let mut out = Vec::with_capacity(info.len() + shape.len() - consumed);
        let mut axis = 0;
        for elem in info {
            match *elem {
                SliceInfoElem::NewAxis => out.push(AxisSelection::NewAxis),
                SliceInfoElem::Index(i) => {
                    let len = shape[axis];
                    let abs = if i < 0 {
                        len.checked_sub(i.unsigned_abs())
                    } else {
                        Some(i.unsigned_abs())
                    };
                    match abs {
                        Some(a) if a < len => out.push(AxisSelection::Index(a)),
                        _ => {
                            return Err(Error::IndexOutOfRange {
                                axis,
                                index: i,
                                len,
                            })
                        }
                    }
                    axis += 1;
                }
                SliceInfoElem::Slice { start, end, step } => {
                    out.push(range_selection(axis, shape[axis], start, end, step)?);
                    axis += 1;
                }
            }
        }
        for &len in &shape[axis..] {
            out.push(AxisSelection::Range {
                first: 0,
                step: 1,
                len,
            });
        }
        Ok(out)
    }

    /// True when the selection keeps the whole axis of length `len` in order.
    pub(crate) fn is_full(&self, len: usize) -> bool {
        matches!(*self, AxisSelection::Range { first: 0, step: 1, len: l } if l == len)
    }
}

fn range_selection(
    axis: usize,
    len: usize,
    start: isize,
    end: Option<isize>,
    step: isize,
) -> Result<AxisSelection> {
    if step == 0 {
        return Err(Error::SliceStepZero { axis });
    }
    #[allow(clippy::cast_possible_wrap)]
    let end_given = end.unwrap_or(len as isize);
    let out_of_bounds = || Error::SliceOutOfBounds {
        axis,
        start,
        end: end_given,
        len,
    };
    let absolute = |v: isize| -> Option<usize> {
        if v < 0 {
            len.checked_sub(v.unsigned_abs())
        } else {
            let v = v.unsigned_abs();
            (v <= len).then_some(v)
        }
    };
    let s = absolute(start).ok_or_else(out_of_bounds)?;
    let e = absolute(end_given).ok_or_else(out_of_bounds)?.max(s);
    let stride = step.unsigned_abs();
    let n = (e - s).div_ceil(stride);
    let first = if n == 0 {
        0
    } else if step > 0 {
        s
    } else {
        e - 1
    };
    Ok(AxisSelection::Range {
        first,
        step,
        len: n,
    })
}

/// Python's slice `start:stop:step` on an axis of length `len`, as the ndarray slice that
/// selects the same elements in the same order: the bridge from NumPy's basic indexing
/// (bounds clamp to the axis, negative ones count from its end, a negative step walks from
/// `start` down) to [`LazyArray::slice`](crate::LazyArray::slice), whose `s![]` ranges
/// must lie within the axis and walk a negative step from the range's end.
///
/// ```text
/// Python  x[7:2:-2] on len 10  -> 7, 5, 3
/// ndarray s![3..8;-2]          -> walks 3..8 backwards from its end: 7, 5, 3
/// ```
///
/// A `step` of 0 gives a slice with step 0, which `slice` refuses naming the axis
/// ([`Error::SliceStepZero`]).
///
/// # Example
///
/// ```
/// use chunkwise::python_slice;
/// let x = chunkwise::arange(0i32, 10, 1, [4]);
/// let odd_down = python_slice(10, Some(7), Some(2), -2);           // Python's x[7:2:-2]
/// assert_eq!(x.slice([odd_down]).compute()?, ndarray::arr1(&[7, 5, 3]).into_dyn());
/// let clamped = python_slice(10, Some(-100), Some(100), 4);         // x[-100:100:4]
/// assert_eq!(x.slice([clamped]).compute()?, ndarray::arr1(&[0, 4, 8]).into_dyn());
/// let reversed = python_slice(10, None, None, -1);                  // x[::-1]
/// assert_eq!(x.to_dyn().slice([reversed]).compute()?.sum_f64(), 45.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[must_use]
pub fn python_slice(
    len: usize,
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
) -> SliceInfoElem {
    // Axis lengths fit `isize`: an array's bytes do.
    let n = isize::try_from(len).unwrap_or(isize::MAX);
    let empty = SliceInfoElem::Slice {
        start: 0,
        end: Some(0),
        step: 1,
    };
    if step == 0 {
        return SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 0,
        };
    }
    if step > 0 {
        let clamp = |v: isize| {
            if v < 0 {
                v.saturating_add(n).max(0)
            } else {
                v.min(n)
            }
        };
        let s = start.map_or(0, clamp);
        let e = stop.map_or(n, clamp);
        if e <= s {
            return empty;
        }
        // Written to stay in range for steps near `isize::MAX`.
        let count = (e - s - 1) / step + 1;
        SliceInfoElem::Slice {
            start: s,
            end: Some(s + (count - 1) * step + 1),
            step,
        }
    } else {
        let k = step.checked_neg().unwrap_or(isize::MAX);
        let clamp = |v: isize| {
            if v < 0 {
                v.saturating_add(n).max(-1)
            } else {
                v.min(n - 1)
            }
        };
        let s = start.map_or(n - 1, clamp);
        let e = stop.map_or(-1, clamp);
        if s <= e {
            return empty;
        }
        let count = (s - e - 1) / k + 1;
        SliceInfoElem::Slice {
            start: s - (count - 1) * k,
            end: Some(s + 1),
            step: -k,
        }
    }
}

/// A run of selected elements inside one input chunk: one output chunk along an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisPiece {
    /// The input chunk the run lies in.
    pub(crate) in_chunk: usize,
    /// Index of the run's first element inside that chunk.
    pub(crate) local_first: usize,
    /// Number of elements in the run.
    pub(crate) len: usize,
}

#[derive(Clone, Debug)]
enum Entry {
    Range { step: isize, pieces: Vec<AxisPiece> },
    Index { chunk: usize, local: usize },
    NewAxis,
}

/// How a normalized selection maps output blocks onto input blocks.
#[derive(Clone, Debug)]
pub(crate) struct SliceMap {
    entries: Vec<Entry>,
    out_grid: ChunkGrid,
}

impl SliceMap {
    /// Maps `selection` (normalized against `input`'s shape) onto the input grid.
    pub(crate) fn new(selection: &[AxisSelection], input: &ChunkGrid) -> Result<SliceMap> {
        let mut entries = Vec::with_capacity(selection.len());
        let mut out_axes = Vec::new();
        let mut axis = 0;
        for sel in selection {
            match *sel {
                AxisSelection::NewAxis => {
                    entries.push(Entry::NewAxis);
                    out_axes.push(AxisChunks::regular(1, 1)?);
                }
                AxisSelection::Index(i) => {
                    let a = input.axis(axis);
                    let chunk = a.chunk_of(i);
                    entries.push(Entry::Index {
                        chunk,
                        local: i - a.chunk_start(chunk),
                    });
                    axis += 1;
                }
                AxisSelection::Range { first, step, len } => {
                    let pieces = pieces(input.axis(axis), first, step, len);
                    let sizes: Vec<usize> = pieces.iter().map(|p| p.len).collect();
                    out_axes.push(AxisChunks::from_sizes(&sizes)?);
                    entries.push(Entry::Range { step, pieces });
                    axis += 1;
                }
            }
        }
        Ok(SliceMap {
            entries,
            out_grid: ChunkGrid::new(out_axes),
        })
    }

    /// The chunk grid of the result.
    pub(crate) fn out_grid(&self) -> &ChunkGrid {
        &self.out_grid
    }

    /// The input block that output block `out` reads.
    pub(crate) fn input_block(&self, out: &[usize], input: &mut Vec<usize>) {
        input.clear();
        let mut o = 0;
        for e in &self.entries {
            match e {
                Entry::Range { pieces, .. } => {
                    input.push(pieces[out[o]].in_chunk);
                    o += 1;
                }
                Entry::Index { chunk, .. } => input.push(*chunk),
                Entry::NewAxis => o += 1,
            }
        }
    }

    /// The ndarray index that cuts output block `out` from its input block.
    pub(crate) fn local_index(&self, out: &[usize]) -> Vec<SliceInfoElem> {
        let mut o = 0;
        let mut info = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            match e {
                Entry::Range { step, pieces } => {
                    let p = pieces[out[o]];
                    o += 1;
                    info.push(local_slice(p, *step).into());
                }
                Entry::Index { local, .. } => {
                    #[allow(clippy::cast_possible_wrap)]
                    info.push(SliceInfoElem::Index(*local as isize));
                }
                Entry::NewAxis => {
                    o += 1;
                    info.push(SliceInfoElem::NewAxis);
                }
            }
        }
        info
    }
}

/// The ndarray slice selecting piece `p` inside its chunk.
#[allow(clippy::cast_possible_wrap)]
fn local_slice(p: AxisPiece, step: isize) -> Slice {
    if p.len == 0 {
        return Slice::new(0, Some(0), 1);
    }
    let stride = step.unsigned_abs();
    if step > 0 {
        let end = p.local_first + (p.len - 1) * stride + 1;
        Slice::new(p.local_first as isize, Some(end as isize), step)
    } else {
        // ndarray walks a negative step backwards from the end of the range.
        let start = p.local_first - (p.len - 1) * stride;
        Slice::new(start as isize, Some(p.local_first as isize + 1), step)
    }
}

/// Splits the selected elements of one axis into runs that each lie in one input chunk.
fn pieces(axis: &AxisChunks, first: usize, step: isize, len: usize) -> Vec<AxisPiece> {
    if len == 0 {
        return vec![AxisPiece {
            in_chunk: 0,
            local_first: 0,
            len: 0,
        }];
    }
    let stride = step.unsigned_abs();
    let mut out = Vec::new();
    let mut k = 0;
    while k < len {
        let idx = if step > 0 {
            first + k * stride
        } else {
            first - k * stride
        };
        let c = axis.chunk_of(idx);
        let r = axis.chunk_range(c);
        let count = if step > 0 {
            (r.end - 1 - idx) / stride + 1
        } else {
            (idx - r.start) / stride + 1
        }
        .min(len - k);
        out.push(AxisPiece {
            in_chunk: c,
            local_first: idx - r.start,
            len: count,
        });
        k += count;
    }
    out
}

#[cfg(test)]
mod tests {
    /// Python's slice semantics, element by element.
    fn python_reference(
        len: isize,
        start: Option<isize>,
        stop: Option<isize>,
        step: isize,
    ) -> Vec<isize> {
        let norm =
            |x: isize, lo: isize, hi: isize| if x < 0 { (x + len).max(lo) } else { x.min(hi) };
        let mut out = Vec::new();
        if step > 0 {
            let mut i = start.map_or(0, |s| norm(s, 0, len));
            let e = stop.map_or(len, |s| norm(s, 0, len));
            while i < e {
                out.push(i);
                i += step;
            }
        } else {
            let mut i = start.map_or(len - 1, |s| norm(s, -1, len - 1));
            let e = stop.map_or(-1, |s| norm(s, -1, len - 1));
            while i > e {
                out.push(i);
                i += step;
            }
        }
        out
    }

    #[test]
    fn python_slices_select_what_python_selects() {
        for len in [0usize, 1, 7] {
            for start in [None, Some(-9), Some(-3), Some(0), Some(2), Some(6), Some(9)] {
                for stop in [
                    None,
                    Some(-9),
                    Some(-2),
                    Some(0),
                    Some(3),
                    Some(7),
                    Some(10),
                ] {
                    for step in [-3, -1, 1, 2] {
                        let SliceInfoElem::Slice {
                            start: s,
                            end,
                            step: k,
                        } = python_slice(len, start, stop, step)
                        else {
                            panic!("not a slice")
                        };
                        let sel = AxisSelection::normalize(
                            &[SliceInfoElem::Slice {
                                start: s,
                                end,
                                step: k,
                            }],
                            &[len],
                        )
                        .unwrap();
                        let got: Vec<isize> = match sel[0] {
                            AxisSelection::Range { first, step, len } => (0..len)
                                .map(|i| first as isize + i as isize * step)
                                .collect(),
                            _ => panic!("not a range"),
                        };
                        let want = python_reference(len as isize, start, stop, step);
                        assert_eq!(got, want, "{start:?}:{stop:?}:{step} on {len}");
                    }
                }
            }
        }
        // Extreme bounds and steps clamp without overflowing.
        let big = isize::MAX;
        for (start, stop, step) in [
            (None, None, big),
            (None, None, -big),
            (None, None, isize::MIN),
            (Some(-big), Some(big), 1),
            (Some(big), None, -1),
            (Some(isize::MIN), Some(isize::MIN), -1),
        ] {
            let e = python_slice(6, start, stop, step);
            assert!(AxisSelection::normalize(&[e], &[6]).is_ok(), "{e:?}");
        }
    }

    use super::*;
    use crate::chunks::Chunks;
    use crate::element::DType;
    use ndarray::s;

    fn grid(shape: &[usize], chunks: &[usize]) -> ChunkGrid {
        Chunks::from(chunks.to_vec())
            .resolve(shape, DType::F64)
            .unwrap()
    }

    #[test]
    #[allow(
        clippy::reversed_empty_ranges,
        reason = "an empty range is one of the cases"
    )]
    fn step_slices_follow_ndarray() {
        let sel = AxisSelection::normalize(s![1..5;-2].as_ref(), &[10]).unwrap();
        assert_eq!(
            sel,
            vec![AxisSelection::Range {
                first: 4,
                step: -2,
                len: 2
            }]
        );
        let sel = AxisSelection::normalize(s![..;-1].as_ref(), &[3]).unwrap();
        assert_eq!(
            sel,
            vec![AxisSelection::Range {
                first: 2,
                step: -1,
                len: 3
            }]
        );
        let sel = AxisSelection::normalize(s![-3..].as_ref(), &[10]).unwrap();
        assert_eq!(
            sel,
            vec![AxisSelection::Range {
                first: 7,
                step: 1,
                len: 3
            }]
        );
        let sel = AxisSelection::normalize(s![5..2].as_ref(), &[10]).unwrap();
        assert_eq!(
            sel,
            vec![AxisSelection::Range {
                first: 0,
                step: 1,
                len: 0
            }]
        );
    }

    #[test]
    fn missing_axes_are_full() {
        let sel = AxisSelection::normalize(s![1].as_ref(), &[4, 5]).unwrap();
        assert_eq!(sel[0], AxisSelection::Index(1));
        assert!(sel[1].is_full(5));
    }

    #[test]
    fn bad_indices_are_errors() {
        // `s![..;0]` panics inside ndarray, but the element can be built by hand.
        let zero_step = [SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 0,
        }];
        assert!(matches!(
            AxisSelection::normalize(&zero_step, &[4]),
            Err(Error::SliceStepZero { axis: 0 })
        ));
        assert!(matches!(
            AxisSelection::normalize(s![0, 7].as_ref(), &[4, 5]),
            Err(Error::IndexOutOfRange {
                axis: 1,
                index: 7,
                len: 5
            })
        ));
        assert!(matches!(
            AxisSelection::normalize(s![0..9].as_ref(), &[4]),
            Err(Error::SliceOutOfBounds { .. })
        ));
        assert!(matches!(
            AxisSelection::normalize(s![0, 0, 0].as_ref(), &[4, 5]),
            Err(Error::SliceRankMismatch { given: 3, ndim: 2 })
        ));
    }

    #[test]
    fn pieces_split_at_chunk_boundaries() {
        let g = grid(&[10], &[4]);
        let sel = AxisSelection::normalize(s![1..10;3].as_ref(), &[10]).unwrap();
        let map = SliceMap::new(&sel, &g).unwrap();
        assert_eq!(
            map.out_grid().axis(0).sizes().collect::<Vec<_>>(),
            vec![1, 2]
        );
        let mut input = Vec::new();
        map.input_block(&[1], &mut input);
        assert_eq!(input, vec![1]);
    }

    #[test]
    fn negative_steps_walk_chunks_backwards() {
        let g = grid(&[10], &[4]);
        let sel = AxisSelection::normalize(s![..;-3].as_ref(), &[10]).unwrap();
        // elements 9, 6, 3, 0
        let map = SliceMap::new(&sel, &g).unwrap();
        assert_eq!(
            map.out_grid().axis(0).sizes().collect::<Vec<_>>(),
            vec![1, 1, 2]
        );
        let mut input = Vec::new();
        map.input_block(&[0], &mut input);
        assert_eq!(input, vec![2]);
        map.input_block(&[2], &mut input);
        assert_eq!(input, vec![0]);
    }
}
