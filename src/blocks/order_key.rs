//! [`OrderKey`], NumPy's sort order of every element type as an unsigned integer: the
//! one comparison that `sort`, `argsort`, `topk`, the quantiles and `searchsorted` share.
//!
//! NumPy sorts NaN after every number and compares `-0.0` equal to `0.0`; the key maps
//! each value to a `u64` whose integer order is that order: every NaN to `u64::MAX`,
//! both zeros to one key, negative floats below positive ones. The keys of a type use its
//! low [`BITS`](OrderKey::BITS) bits, so a selection by digits of the key (the exact
//! whole-array quantile) knows how many digits there are, and
//! [`from_order_key`](OrderKey::from_order_key) turns a selected key back into its value
//! (a zero comes back as `0.0`, a NaN as the canonical NaN).

use crate::element::Element;

/// An element type with NumPy's total sort order as an integer key.
pub(crate) trait OrderKey: Element {
    /// How many low bits of the key carry information.
    const BITS: u32;
    /// The key: `a` sorts before `b` in NumPy exactly when `key(a) < key(b)`; equal
    /// values (and every NaN) have equal keys.
    fn order_key(self) -> u64;
    /// A value whose key is `key` (the inverse of `order_key` up to zeros and NaNs).
    fn from_order_key(key: u64) -> Self;
    /// True for NaN.
    fn is_nan_value(self) -> bool;
}

macro_rules! unsigned_key {
    ($($t:ty),*) => {$(
        impl OrderKey for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            fn order_key(self) -> u64 {
                u64::from(self)
            }
            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_order_key(key: u64) -> Self {
                key as $t
            }
            #[inline]
            fn is_nan_value(self) -> bool {
                false
            }
        }
    )*};
}
unsigned_key!(u8, u16, u32, u64);

macro_rules! signed_key {
    ($($t:ty => $u:ty),*) => {$(
        impl OrderKey for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            #[allow(clippy::cast_sign_loss)]
            fn order_key(self) -> u64 {
                u64::from((self as $u) ^ (1 << (<$t>::BITS - 1)))
            }
            #[inline]
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            fn from_order_key(key: u64) -> Self {
                ((key as $u) ^ (1 << (<$t>::BITS - 1))) as $t
            }
            #[inline]
            fn is_nan_value(self) -> bool {
                false
            }
        }
    )*};
}
signed_key!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

impl OrderKey for bool {
    const BITS: u32 = 1;
    #[inline]
    fn order_key(self) -> u64 {
        u64::from(self)
    }
    #[inline]
    fn from_order_key(key: u64) -> Self {
        key != 0
    }
    #[inline]
    fn is_nan_value(self) -> bool {
        false
    }
}

macro_rules! float_key {
    ($($t:ty => $u:ty),*) => {$(
        impl OrderKey for $t {
            const BITS: u32 = <$u>::BITS;
            #[inline]
            fn order_key(self) -> u64 {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                if self.is_nan() {
                    // Above every number, below nothing: NaN sorts last.
                    return (u64::MAX) >> (64 - <$u>::BITS);
                }
                // `+ 0.0` turns `-0.0` into `0.0`, so both zeros share a key.
                let bits = (self + 0.0).to_bits();
                u64::from(if bits & SIGN != 0 { !bits } else { bits | SIGN })
            }
            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_order_key(key: u64) -> Self {
                const SIGN: $u = 1 << (<$u>::BITS - 1);
                let k = key as $u;
                if k == <$u>::MAX {
                    return <$t>::NAN;
                }
                <$t>::from_bits(if k & SIGN != 0 { k & !SIGN } else { !k })
            }
            #[inline]
            fn is_nan_value(self) -> bool {
                self.is_nan()
            }
        }
    )*};
}
float_key!(f32 => u32, f64 => u64);

#[cfg(test)]
mod tests {
    use super::OrderKey;

    #[test]
    fn float_keys_follow_numpy_order() {
        let v = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            5e-324,
            1.0,
            f64::INFINITY,
            f64::NAN,
        ];
        for w in v.windows(2) {
            assert!(w[0].order_key() <= w[1].order_key(), "{w:?}");
        }
        assert_eq!((-0.0f64).order_key(), 0.0f64.order_key());
        assert_eq!((-f64::NAN).order_key(), f64::NAN.order_key());
        for x in v {
            let back = f64::from_order_key(x.order_key());
            assert!(back == x || (back.is_nan() && x.is_nan()), "{x}");
        }
        assert_eq!(f32::NAN.order_key(), u64::from(u32::MAX));
        assert_eq!(f32::from_order_key((-2.5f32).order_key()), -2.5);
    }

    #[test]
    fn integer_keys_round_trip_in_order() {
        for w in [i8::MIN, -1, 0, 1, i8::MAX].windows(2) {
            assert!(w[0].order_key() < w[1].order_key());
        }
        for x in [i64::MIN, -7, 0, 9, i64::MAX] {
            assert_eq!(i64::from_order_key(x.order_key()), x);
        }
        assert_eq!(u16::from_order_key(65535u16.order_key()), 65535);
        assert!(i16::MAX.order_key() < 1 << i16::BITS);
    }
}
