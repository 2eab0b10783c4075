//! `einsum`: Einstein summation over subscripts (`"ij,jk->ik"`), NumPy's rules, as a
//! sequence of [`contract`](super::contract)s, sums and one transpose.
//!
//! Each operand's axes get labels (letters; `...` stands for the broadcast axes, aligned
//! from the right). Without `->`, the result's labels are those that appear once, in
//! alphabetical order, after the `...` axes. The operands are then folded from the left:
//! before each pairwise product, labels that neither the other operand, any later
//! operand nor the result name are summed out; labels both operands have are batch axes
//! when still needed and summed over otherwise. What remains is summed and transposed to
//! the result's order.
//!
//! ```text
//!  "ij,jk,kl->il":  (ij · jk over j) -> ik;  (ik · kl over k) -> il
//!  "ij,ij->i":      i is a batch label, j is summed: one dot product per row
//!  "ij->ji", "ij->", "i,j->ij": a transpose, a sum, an outer product
//! ```
//!
//! A label repeated in one operand (a trace, `"ii->"`, or a diagonal, `"ii->i"`) is
//! refused with an error saying how to write it otherwise.

use std::sync::Arc;

use super::contract::{contract, Roles};
use crate::error::{Error, Result};
use crate::expr::build::{self, DEFAULT_SPLIT_EVERY};
use crate::expr::Node;
use crate::ops::ReduceFn;

/// One axis label: a letter, or the `i`-th axis of `...` counted from the right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Ellipsis(usize),
    Letter(char),
}

fn bad(subscripts: &str, expected: impl Into<String>) -> Error {
    Error::parameter("einsum", "subscripts", format!("{subscripts:?}"), expected)
}

/// The labels of one operand's term (`"i...j"`) for an operand of `ndim` axes.
fn term_labels(subscripts: &str, term: &str, ndim: usize, which: &str) -> Result<Vec<Label>> {
    let (left, right) = match term.find("...") {
        Some(p) => (&term[..p], Some(&term[p + 3..])),
        None => (term, None),
    };
    let letters = |s: &str| -> Result<Vec<Label>> {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    Ok(Label::Letter(c))
                } else {
                    Err(bad(
                        subscripts,
                        format!(
                            "letters, `,`, `->` and `...` only; `{c}` in {which} is none of these"
                        ),
                    ))
                }
            })
            .collect()
    };
    let mut labels = letters(left)?;
    if let Some(right) = right {
        let right = letters(right)?;
        let named = labels.len() + right.len();
        if named > ndim {
            return Err(bad(
                subscripts,
                format!("{which} to name at most its {ndim} axes; it names {named} besides `...`"),
            ));
        }
        let hidden = ndim - named;
        labels.extend((0..hidden).rev().map(Label::Ellipsis));
        labels.extend(right);
    } else if labels.len() != ndim {
        return Err(bad(
            subscripts,
            format!(
                "{which} to name each of its {ndim} axes once; it names {} (use `...` for axes left unnamed)",
                labels.len()
            ),
        ));
    }
    for (i, l) in labels.iter().enumerate() {
        if let Label::Letter(c) = l {
            if labels[..i].contains(l) {
                return Err(bad(
                    subscripts,
                    format!(
                        "each label at most once per operand: `{c}` is repeated in {which}; a \
                         trace or a diagonal is not supported (take the diagonal by indexing, \
                         or multiply by an identity matrix)"
                    ),
                ));
            }
        }
    }
    Ok(labels)
}

/// The result's labels: those after `->`, or (implicit mode) the `...` axes then the
/// letters that appear once, sorted.
fn output_labels(
    subscripts: &str,
    explicit: Option<&str>,
    inputs: &[Vec<Label>],
) -> Result<Vec<Label>> {
    let deepest = inputs
        .iter()
        .flatten()
        .filter_map(|l| match l {
            Label::Ellipsis(i) => Some(i + 1),
            Label::Letter(_) => None,
        })
        .max()
        .unwrap_or(0);
    let ellipsis: Vec<Label> = (0..deepest).rev().map(Label::Ellipsis).collect();
    let Some(out) = explicit else {
        let mut once: Vec<Label> = Vec::new();
        for l in inputs.iter().flatten() {
            if let Label::Letter(_) = l {
                let count = inputs.iter().flatten().filter(|m| *m == l).count();
                if count == 1 {
                    once.push(*l);
                }
            }
        }
        once.sort_unstable();
        let mut labels = ellipsis;
        labels.extend(once);
        return Ok(labels);
    };
    let (left, right) = match out.find("...") {
        Some(p) => (&out[..p], Some(&out[p + 3..])),
        None => (out, None),
    };
    let mut labels = Vec::new();
    for part in [Some(left), right].into_iter().enumerate() {
        let (i, Some(text)) = part else { continue };
        if i == 1 {
            labels.extend(ellipsis.iter().copied());
        }
        for c in text.chars() {
            if !c.is_ascii_alphabetic() {
                return Err(bad(
                    subscripts,
                    format!("letters and `...` only after `->`; `{c}` is neither"),
                ));
            }
            let l = Label::Letter(c);
            if labels.contains(&l) {
                return Err(bad(
                    subscripts,
                    format!("each output label once; `{c}` is repeated"),
                ));
            }
            if !inputs.iter().flatten().any(|m| *m == l) {
                return Err(bad(
                    subscripts,
                    format!("output labels that some operand has; no operand has `{c}`"),
                ));
            }
            labels.push(l);
        }
    }
    Ok(labels)
}

/// An operand with its axis labels.
struct Term {
    node: Arc<Node>,
    labels: Vec<Label>,
}

impl Term {
    /// The term with the labels not in `keep` summed out (in its own dtype).
    fn sum_except(self, keep: &[Label]) -> Result<Term> {
        let axes: Vec<isize> = (0..self.labels.len())
            .filter(|&d| !keep.contains(&self.labels[d]))
            .map(|d| d as isize)
            .collect();
        if axes.is_empty() {
            return Ok(self);
        }
        let dtype = self.node.dtype();
        let summed = build::reduce(
            ReduceFn::Sum,
            &self.node,
            Some(&axes),
            false,
            DEFAULT_SPLIT_EVERY,
        )?;
        let labels = self
            .labels
            .into_iter()
            .filter(|l| keep.contains(l))
            .collect();
        Ok(Term {
            node: build::cast(&summed, dtype),
            labels,
        })
    }
}

/// NumPy's `einsum(subscripts, *operands)` on operands of one dtype.
pub(crate) fn einsum(subscripts: &str, operands: &[Arc<Node>]) -> Result<Arc<Node>> {
    let spec: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (ins, out) = match spec.split_once("->") {
        Some((i, o)) => (i, Some(o)),
        None => (spec.as_str(), None),
    };
    let terms: Vec<&str> = ins.split(',').collect();
    if operands.is_empty() {
        return Err(bad(subscripts, "at least one operand"));
    }
    if terms.len() != operands.len() {
        return Err(bad(
            subscripts,
            format!(
                "one term per operand: {} terms for {} operands",
                terms.len(),
                operands.len()
            ),
        ));
    }
    let labels = terms
        .iter()
        .zip(operands)
        .enumerate()
        .map(|(i, (t, n))| term_labels(subscripts, t, n.ndim(), &format!("operand {i}")))
        .collect::<Result<Vec<_>>>()?;
    let output = output_labels(subscripts, out, &labels)?;
    check_lengths(subscripts, operands, &labels)?;
    let mut terms: Vec<Term> = operands
        .iter()
        .zip(labels)
        .map(|(node, labels)| Term {
            node: node.clone(),
            labels,
        })
        .collect();
    let rest = terms.split_off(1);
    let mut acc = terms.pop().expect("one operand at least");
    let later: Vec<Vec<Label>> = rest.iter().map(|t| t.labels.clone()).collect();
    for (i, next) in rest.into_iter().enumerate() {
        let mut keep: Vec<Label> = output.clone();
        keep.extend(later[i + 1..].iter().flatten().copied());
        let mut keep_a = keep.clone();
        keep_a.extend(next.labels.iter().copied());
        let mut keep_b = keep.clone();
        keep_b.extend(acc.labels.iter().copied());
        let a = acc.sum_except(&keep_a)?;
        let b = next.sum_except(&keep_b)?;
        acc = product(&a, &b, &keep)?;
    }
    let acc = acc.sum_except(&output)?;
    let perm: Vec<usize> = output
        .iter()
        .map(|l| {
            acc.labels
                .iter()
                .position(|m| m == l)
                .expect("every output label is kept")
        })
        .collect();
    build::permute_exact(&acc.node, &perm)
}

/// The product of two terms: shared labels in `keep` are batch axes, the other shared
/// ones are summed over; the result's labels are the batch labels, then `a`'s own, then
/// `b`'s.
fn product(a: &Term, b: &Term, keep: &[Label]) -> Result<Term> {
    let pos = |t: &Term, l: &Label| {
        t.labels
            .iter()
            .position(|m| m == l)
            .expect("label of the term")
    };
    let shared: Vec<Label> = a
        .labels
        .iter()
        .filter(|l| b.labels.contains(l))
        .copied()
        .collect();
    let (batch, summed): (Vec<Label>, Vec<Label>) =
        shared.into_iter().partition(|l| keep.contains(l));
    let own = |t: &Term, other: &Term| -> Vec<Label> {
        t.labels
            .iter()
            .filter(|l| !other.labels.contains(l))
            .copied()
            .collect()
    };
    let (fa, fb) = (own(a, b), own(b, a));
    let ra = Roles {
        batch: batch.iter().map(|l| pos(a, l)).collect(),
        free: fa.iter().map(|l| pos(a, l)).collect(),
        sum: summed.iter().map(|l| pos(a, l)).collect(),
    };
    let rb = Roles {
        batch: batch.iter().map(|l| pos(b, l)).collect(),
        free: fb.iter().map(|l| pos(b, l)).collect(),
        sum: summed.iter().map(|l| pos(b, l)).collect(),
    };
    let node = contract("einsum", &a.node, &b.node, &ra, &rb)?;
    let mut labels = batch;
    labels.extend(fa);
    labels.extend(fb);
    Ok(Term { node, labels })
}

/// Every label has one length across the operands (or 1, broadcast, for axes that are
/// not summed over in a product).
fn check_lengths(subscripts: &str, operands: &[Arc<Node>], labels: &[Vec<Label>]) -> Result<()> {
    let mut seen: Vec<(Label, usize, usize)> = Vec::new();
    for (i, (n, ls)) in operands.iter().zip(labels).enumerate() {
        for (d, l) in ls.iter().enumerate() {
            let len = n.shape()[d];
            match seen.iter_mut().find(|(m, _, _)| m == l) {
                Some((_, known, _)) if *known == len || len == 1 => {}
                Some((_, known, _)) if *known == 1 => *known = len,
                Some((_, known, j)) => {
                    let name = match l {
                        Label::Letter(c) => format!("`{c}`"),
                        Label::Ellipsis(_) => "an axis of `...`".into(),
                    };
                    return Err(bad(
                        subscripts,
                        format!(
                            "one length per label: {name} has length {known} in operand {j} but {len} in operand {i}"
                        ),
                    ));
                }
                None => seen.push((*l, len, i)),
            }
        }
    }
    Ok(())
}
