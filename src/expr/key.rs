//! [`Key`], a node's identity: a blake3 hash of its operation, parameters, metadata and
//! inputs' keys, in a canonical byte encoding that chunkwise owns (no generic serializer,
//! so keys are stable across runs and machines).

use std::fmt;
use std::sync::Arc;

use super::ops::{Distribution, MapOp, Op, Source};
use super::{Meta, Node};
use crate::any_array::AnyArray;
use crate::chunks::{AxisSelection, ChunkGrid};
use crate::ops::ReduceParam;

/// The first 128 bits of a node's blake3 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Key([u8; 16]);

impl Key {
    /// Derives the key of a node from its parts.
    pub(crate) fn of(op: &Op, inputs: &[Arc<Node>], meta: &Meta) -> Key {
        let mut h = Encoder(blake3::Hasher::new_derive_key("chunkwise expr v1"));
        h.op(op);
        h.meta(meta);
        h.usize(inputs.len());
        for input in inputs {
            h.bytes(&input.key.0);
        }
        let digest = h.0.finalize();
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest.as_bytes()[..16]);
        Key(key)
    }

    /// The key as 32 hex digits.
    pub(crate) fn to_hex(self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(32), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", &self.to_hex()[..12])
    }
}

struct Encoder(blake3::Hasher);

impl Encoder {
    fn bytes(&mut self, b: &[u8]) {
        self.0.update(b);
    }
    fn tag(&mut self, t: &str) {
        self.usize(t.len());
        self.0.update(t.as_bytes());
    }
    fn usize(&mut self, v: usize) {
        self.0.update(&(v as u64).to_le_bytes());
    }
    fn isize(&mut self, v: isize) {
        self.0.update(&(v as i64).to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        let v = if v.is_nan() { f64::NAN } else { v };
        self.0.update(&v.to_le_bytes());
    }
    fn scalar(&mut self, s: crate::element::Scalar) {
        self.tag(s.dtype().name());
        self.bytes(&s.canonical_bytes());
    }
    fn usizes(&mut self, v: &[usize]) {
        self.usize(v.len());
        for &x in v {
            self.usize(x);
        }
    }

    fn grid(&mut self, g: &ChunkGrid) {
        self.usize(g.ndim());
        for a in g.axes() {
            self.usize(a.len());
            if a.is_regular() {
                self.tag("r");
                self.usize(a.max_chunk_len());
            } else {
                self.tag("i");
                self.usize(a.num_chunks());
                for s in a.sizes() {
                    self.usize(s);
                }
            }
        }
    }

    fn meta(&mut self, m: &Meta) {
        self.tag(m.dtype.name());
        self.grid(&m.chunks);
    }

    fn array(&mut self, a: &AnyArray) {
        self.tag(a.dtype().name());
        self.usizes(a.shape());
        crate::any_array::dispatch_any!(a, arr, _T => {
            match arr.as_slice() {
                Some(slice) => self.bytes(bytemuck::cast_slice(slice)),
                None => {
                    for v in arr {
                        self.bytes(bytemuck::bytes_of(v));
                    }
                }
            }
        });
    }

    fn source(&mut self, s: &Source) {
        match s {
            Source::Array(a) => self.array(a),
            Source::Full(v) => self.scalar(*v),
            Source::Arange { start, step } => {
                self.scalar(*start);
                self.scalar(*step);
            }
            Source::Linspace {
                start,
                step,
                stop,
                stop_is_last,
            } => {
                self.f64(*start);
                self.f64(*step);
                self.f64(*stop);
                self.usize(usize::from(*stop_is_last));
            }
            Source::Random { seed, dist } => {
                self.bytes(&seed.to_le_bytes());
                self.tag(match dist {
                    Distribution::Uniform => "uniform",
                    Distribution::Normal => "normal",
                });
            }
            Source::HashUniform { salt } => self.bytes(&salt.to_le_bytes()),
            Source::Read { reader, origin } => {
                self.tag(&reader.identity());
                self.usizes(origin);
            }
            Source::Strided {
                base,
                base_shape,
                index,
            } => {
                self.tag("strided");
                self.source(base);
                self.usizes(base_shape);
                self.bytes(&index.first.to_le_bytes());
                for &st in &index.strides {
                    self.bytes(&st.to_le_bytes());
                }
            }
        }
    }

    fn op(&mut self, op: &Op) {
        self.tag(op.name());
        match op {
            Op::Source(s) => self.source(s),
            Op::Map(m) => {
                if let MapOp::Powi(e) = m {
                    self.isize(*e as isize);
                }
            }
            Op::Reduce(r) => {
                if let Some(ddof) = r.kind.param(ReduceParam::Ddof) {
                    self.usize(ddof);
                }
                self.usizes(&r.axes);
                self.usize(usize::from(r.keepdims));
                self.usize(r.split_every);
            }
            Op::Slice(sel) => {
                self.usize(sel.len());
                for s in sel {
                    match *s {
                        AxisSelection::Range { first, step, len } => {
                            self.tag("range");
                            self.usize(first);
                            self.isize(step);
                            self.usize(len);
                        }
                        AxisSelection::Index(i) => {
                            self.tag("index");
                            self.usize(i);
                        }
                        AxisSelection::NewAxis => self.tag("newaxis"),
                    }
                }
            }
            Op::Transpose(p) | Op::Squeeze(p) => self.usizes(p),
            Op::ExpandDims(a) => self.usize(*a),
            Op::Rechunk => {}
            Op::Store(w) => self.tag(&w.identity()),
            Op::Block(k) => {
                let params = k.key();
                self.usize(params.len());
                self.bytes(&params);
            }
            Op::Deferred(d) => {
                self.tag(d.name());
                let params = d.key();
                self.usize(params.len());
                self.bytes(&params);
            }
            Op::Invalid(i) => {
                self.tag(&i.location.to_string());
                self.tag(&i.error.to_string());
            }
        }
    }
}
