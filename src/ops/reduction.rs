//! The reductions: [`ReduceFn`], each one line of a table.
//!
//! A line gives the variant (with its parameters, such as `ddof`), NumPy's name, the
//! Rust method, the result dtype rule, which axes it takes, whether it is defined over
//! zero elements, which dtypes it takes, NumPy aliases, the kernel type that computes it
//! (in `kernel::reduce`, a type implementing `Reducer`), and a documentation line.

use crate::element::DType;

use super::Param;

/// The result dtype of a reduction, from its input's.
///
/// # Example
///
/// ```
/// use chunkwise::{DType, ReduceFn, ReduceResult};
/// assert_eq!(ReduceFn::Sum.result(), ReduceResult::SumOf);
/// assert_eq!(ReduceResult::SumOf.dtype(DType::I8), DType::I64);
/// assert_eq!(ReduceResult::FloatOf.dtype(DType::F32), DType::F32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReduceResult {
    /// The accumulator of sums: `int64`/`uint64` for integers and `bool`, the float
    /// itself for floats ([`DType::sum_result`]).
    SumOf,
    /// A float: `float32` stays, everything else is `float64` ([`DType::float_result`]).
    FloatOf,
    /// The input's dtype.
    Same,
    /// `int64`: a flat or per-axis index.
    Index,
    /// `bool`.
    Bool,
}

impl ReduceResult {
    /// The result dtype for an input of `input`.
    #[must_use]
    pub fn dtype(self, input: DType) -> DType {
        match self {
            ReduceResult::SumOf => input.sum_result(),
            ReduceResult::FloatOf => input.float_result(),
            ReduceResult::Same => input,
            ReduceResult::Index => DType::I64,
            ReduceResult::Bool => DType::Bool,
        }
    }
}

/// A parameter of a reduction beyond its axes, for [`ReduceFn::param`].
///
/// # Example
///
/// ```
/// use chunkwise::{ReduceFn, ReduceParam};
/// assert_eq!(ReduceFn::Std { ddof: 1 }.param(ReduceParam::Ddof), Some(1));
/// assert_eq!(ReduceFn::Sum.param(ReduceParam::Ddof), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReduceParam {
    /// "Delta degrees of freedom": `var` and `std` divide by `n - ddof`.
    Ddof,
}

/// The table of reductions, expanded by `$callback`.
///
/// Each line: `Variant [{ params }] "numpy_name" method Result Axes Empty Domain [aliases]
/// kernel_module::KernelType, "doc";` where `Axes` is `AnyAxes` or `OneOrAll` (arg-
/// reductions), `Empty` is `Identity` (defined over zero elements) or `NeedsElements`,
/// and `Domain` is `AnyDType` or `Numeric`.
macro_rules! for_each_reduce_fn {
    ($callback:ident) => {
        $callback! {
            Sum "sum" sum SumOf AnyAxes Identity AnyDType [] sum::Sum,
                "Sum; integers accumulate in `int64`/`uint64` (wrapping), `bool` counts.";
            NanSum "nansum" nansum SumOf AnyAxes Identity AnyDType [] sum::NanSum,
                "Sum, counting NaN as zero.";
            Prod "prod" prod SumOf AnyAxes Identity AnyDType ["product"] prod::Prod,
                "Product; integers accumulate in `int64`/`uint64` (wrapping).";
            NanProd "nanprod" nanprod SumOf AnyAxes Identity AnyDType [] prod::NanProd,
                "Product, counting NaN as one.";
            Mean "mean" mean FloatOf AnyAxes Identity AnyDType [] mean::Mean,
                "Arithmetic mean (NaN over zero elements).";
            NanMean "nanmean" nanmean FloatOf AnyAxes Identity AnyDType [] mean::NanMean,
                "Mean of the elements that are not NaN (NaN where every one is NaN).";
            Var { ddof } "var" var FloatOf AnyAxes Identity AnyDType [] moments::Var,
                "Variance, the mean squared deviation, dividing by `n - ddof`.";
            NanVar { ddof } "nanvar" nanvar FloatOf AnyAxes Identity AnyDType [] moments::NanVar,
                "Variance of the elements that are not NaN, dividing by `n - ddof` (NaN where none is).";
            Std { ddof } "std" std FloatOf AnyAxes Identity AnyDType [] moments::Std,
                "Standard deviation, the square root of `var` (with its `ddof`).";
            NanStd { ddof } "nanstd" nanstd FloatOf AnyAxes Identity AnyDType [] moments::NanStd,
                "Standard deviation of the elements that are not NaN, the square root of `nanvar`.";
            Min "min" min Same AnyAxes NeedsElements AnyDType ["amin"] extremum::Min,
                "Minimum; NaN if any element is NaN.";
            Max "max" max Same AnyAxes NeedsElements AnyDType ["amax"] extremum::Max,
                "Maximum; NaN if any element is NaN.";
            NanMin "nanmin" nanmin Same AnyAxes NeedsElements AnyDType [] extremum::NanMin,
                "Minimum ignoring NaN (NaN only where every element is NaN).";
            NanMax "nanmax" nanmax Same AnyAxes NeedsElements AnyDType [] extremum::NanMax,
                "Maximum ignoring NaN (NaN only where every element is NaN).";
            Ptp "ptp" ptp Same AnyAxes NeedsElements Numeric [] extremum::Ptp,
                "Peak to peak, `max - min`, in the input's dtype (wrapping for integers, as NumPy's); NaN if any element is NaN.";
            ArgMin "argmin" argmin Index OneOrAll NeedsElements AnyDType [] arg::ArgMin,
                "Index of the first minimum along one axis, or in the flattened array; a NaN counts as the minimum.";
            ArgMax "argmax" argmax Index OneOrAll NeedsElements AnyDType [] arg::ArgMax,
                "Index of the first maximum along one axis, or in the flattened array; a NaN counts as the maximum.";
            Any "any" any Bool AnyAxes Identity AnyDType [] logic::Any,
                "True where any element is non-zero.";
            All "all" all Bool AnyAxes Identity AnyDType [] logic::All,
                "True where every element is non-zero.";
            CountNonzero "count_nonzero" count_nonzero Index AnyAxes Identity AnyDType [] logic::CountNonzero,
                "Number of non-zero elements (NaN counts; `-0.0` does not), as `int64`.";
        }
    };
}
pub(crate) use for_each_reduce_fn;

macro_rules! define_reduce_fn {
    ($(
        $V:ident $({ $($field:ident),* })? $name:literal $method:ident $result:ident $axes:ident
            $empty:ident $domain:ident [$($alias:literal),*] $module:ident :: $kernel:ident,
            $doc:literal;
    )*) => {
        /// A reduction, under its NumPy name, for
        /// [`DynArray::reduce`](crate::DynArray::reduce).
        ///
        /// Result dtypes follow NumPy ([`ReduceResult`]): `sum`, `prod` and their `nan`
        /// variants accumulate integers in `int64`/`uint64`; `mean`, `var`, `std` and
        /// their `nan` variants give `float64` (`float32` stays); `argmin`/`argmax` give
        /// `int64`; `any`/`all` give `bool`; the others keep the dtype.
        ///
        /// # Example
        ///
        /// ```
        /// use chunkwise::{Axes, ReduceFn};
        /// let x = chunkwise::from_ndarray(ndarray::array![[1.0, 2.0], [3.0, 5.0]], [1, 1]).to_dyn();
        /// let v = x.reduce(ReduceFn::Var { ddof: 1 }, Axes::from(0).keepdims(true));
        /// assert_eq!(v.shape(), &[1, 2]);
        /// assert_eq!(v.compute()?.sum_f64(), 2.0 + 4.5);
        /// assert_eq!(ReduceFn::from_name("nanmax"), Some(ReduceFn::NanMax));
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ReduceFn {
            $(
                #[doc = $doc]
                $V $({
                    $(
                        #[doc = "Delta degrees of freedom: divide by `n - ddof`."]
                        $field: usize,
                    )*
                })?,
            )*
        }

        impl ReduceFn {
            /// Every reduction (with its parameters at NumPy's defaults), in a fixed order.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::ReduceFn;
            /// assert!(ReduceFn::ALL.contains(&ReduceFn::Std { ddof: 0 }));
            /// ```
            pub const ALL: &'static [ReduceFn] = &[$(ReduceFn::$V $({ $($field: 0),* })?,)*];

            /// NumPy's name of the reduction.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::ReduceFn;
            /// assert_eq!(ReduceFn::Var { ddof: 1 }.name(), "var");
            /// ```
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(ReduceFn::$V { .. } => $name,)*
                }
            }

            /// The Rust method of [`LazyArray`](crate::LazyArray) and
            /// [`DynArray`](crate::DynArray) that computes it.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::ReduceFn::NanMean.method(), "nanmean");
            /// ```
            #[must_use]
            pub fn method(self) -> &'static str {
                match self {
                    $(ReduceFn::$V { .. } => stringify!($method),)*
                }
            }

            /// NumPy's other names for the reduction.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::ReduceFn::Min.aliases(), ["amin"]);
            /// ```
            #[must_use]
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(ReduceFn::$V { .. } => &[$($alias),*],)*
                }
            }

            /// The one-line description.
            ///
            /// # Example
            ///
            /// ```
            /// assert!(chunkwise::ReduceFn::Any.doc().contains("non-zero"));
            /// ```
            #[must_use]
            pub fn doc(self) -> &'static str {
                match self {
                    $(ReduceFn::$V { .. } => $doc,)*
                }
            }

            /// The result dtype rule.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::{ReduceFn, ReduceResult};
            /// assert_eq!(ReduceFn::ArgMax.result(), ReduceResult::Index);
            /// ```
            #[must_use]
            pub fn result(self) -> ReduceResult {
                match self {
                    $(ReduceFn::$V { .. } => ReduceResult::$result,)*
                }
            }

            /// The parameters, as NumPy names them, in NumPy's order (`a`, `axis`, then
            /// the reduction's own, then `keepdims`).
            ///
            /// # Example
            ///
            /// ```
            /// let names: Vec<&str> = chunkwise::ReduceFn::Sum.params().iter().map(|p| p.name).collect();
            /// assert_eq!(names, ["a", "axis", "keepdims"]);
            /// ```
            #[must_use]
            pub fn params(self) -> &'static [Param] {
                match self {
                    $(ReduceFn::$V { .. } => {
                        const PARAMS: &[Param] = &[
                            Param::required("a"),
                            Param::optional("axis", "None"),
                            $($(Param::optional(stringify!($field), "0"),)*)?
                            Param::optional("keepdims", "False"),
                        ];
                        PARAMS
                    })*
                }
            }

            /// The value of a parameter, if the reduction has it.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::{ReduceFn, ReduceParam};
            /// assert_eq!(ReduceFn::Var { ddof: 2 }.param(ReduceParam::Ddof), Some(2));
            /// ```
            #[must_use]
            pub fn param(self, param: ReduceParam) -> Option<usize> {
                match (self, param) {
                    $($((ReduceFn::$V { $($field),* }, ReduceParam::Ddof) => Some($($field)*),)?)*
                    _ => None,
                }
            }

            /// The same reduction with `param` set to `value`, or `None` when it has no
            /// such parameter.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::{ReduceFn, ReduceParam};
            /// assert_eq!(ReduceFn::Std { ddof: 0 }.with_param(ReduceParam::Ddof, 1), Some(ReduceFn::Std { ddof: 1 }));
            /// assert_eq!(ReduceFn::Mean.with_param(ReduceParam::Ddof, 1), None);
            /// ```
            #[must_use]
            pub fn with_param(self, param: ReduceParam, value: usize) -> Option<ReduceFn> {
                match (self, param) {
                    $($((ReduceFn::$V { .. }, ReduceParam::Ddof) => Some(ReduceFn::$V { $($field: value),* }),)?)*
                    _ => None,
                }
            }

            /// True for the arg-reductions, which take one axis or all of them.
            pub(crate) fn one_or_all_axes(self) -> bool {
                match self {
                    $(ReduceFn::$V { .. } => stringify!($axes) == "OneOrAll",)*
                }
            }

            /// True for the reductions with no value over zero elements (`min`...).
            pub(crate) fn needs_elements(self) -> bool {
                match self {
                    $(ReduceFn::$V { .. } => stringify!($empty) == "NeedsElements",)*
                }
            }

            /// True for the reductions not defined on `bool`.
            pub(crate) fn needs_numeric(self) -> bool {
                match self {
                    $(ReduceFn::$V { .. } => stringify!($domain) == "Numeric",)*
                }
            }
        }
    };
}

for_each_reduce_fn!(define_reduce_fn);

impl ReduceFn {
    /// The reduction with this NumPy name or alias (its parameters at NumPy's defaults),
    /// if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ReduceFn;
    /// assert_eq!(ReduceFn::from_name("argmax"), Some(ReduceFn::ArgMax));
    /// assert_eq!(ReduceFn::from_name("amax"), Some(ReduceFn::Max));
    /// assert_eq!(ReduceFn::from_name("average"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<ReduceFn> {
        ReduceFn::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name || f.aliases().contains(&name))
    }

    /// The result dtype for an input of `input`.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, ReduceFn};
    /// assert_eq!(ReduceFn::Mean.result_dtype(DType::I16), DType::F64);
    /// ```
    #[must_use]
    pub fn result_dtype(self, input: DType) -> DType {
        self.result().dtype(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut all: Vec<&str> = Vec::new();
        for &f in ReduceFn::ALL {
            assert_eq!(ReduceFn::from_name(f.name()), Some(f));
            all.push(f.name());
            all.extend(f.aliases());
        }
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn ddof_is_a_parameter_of_the_variance_family_only() {
        for &f in ReduceFn::ALL {
            let has = f.params().iter().any(|p| p.name == "ddof");
            assert_eq!(has, f.param(ReduceParam::Ddof).is_some(), "{f:?}");
            assert_eq!(has, f.with_param(ReduceParam::Ddof, 3).is_some(), "{f:?}");
        }
    }
}
