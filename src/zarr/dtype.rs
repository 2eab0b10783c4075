//! The element types of Zarr arrays: zarrs data types to [`DType`] and back, and fill
//! values to [`Scalar`].

use zarrs::array::{data_type as dt, Array};

use crate::element::{DType, Scalar};
use crate::error::{Error, Result};

/// The chunkwise dtype of a zarrs array.
pub(crate) fn dtype_of<S: ?Sized>(array: &Array<S>, display: &str) -> Result<DType> {
    let d = array.data_type();
    let found = [
        (d.is::<dt::BoolDataType>(), DType::Bool),
        (d.is::<dt::Int8DataType>(), DType::I8),
        (d.is::<dt::Int16DataType>(), DType::I16),
        (d.is::<dt::Int32DataType>(), DType::I32),
        (d.is::<dt::Int64DataType>(), DType::I64),
        (d.is::<dt::UInt8DataType>(), DType::U8),
        (d.is::<dt::UInt16DataType>(), DType::U16),
        (d.is::<dt::UInt32DataType>(), DType::U32),
        (d.is::<dt::UInt64DataType>(), DType::U64),
        (d.is::<dt::Float32DataType>(), DType::F32),
        (d.is::<dt::Float64DataType>(), DType::F64),
    ]
    .into_iter()
    .find_map(|(is, dtype)| is.then_some(dtype));
    found.ok_or_else(|| Error::UnsupportedZarrDType {
        path: display.to_string(),
        dtype: d.to_string(),
    })
}

/// The zarrs data type of a chunkwise dtype.
pub(crate) fn zarrs_dtype(dtype: DType) -> zarrs::array::DataType {
    match dtype {
        DType::Bool => dt::bool(),
        DType::I8 => dt::int8(),
        DType::I16 => dt::int16(),
        DType::I32 => dt::int32(),
        DType::I64 => dt::int64(),
        DType::U8 => dt::uint8(),
        DType::U16 => dt::uint16(),
        DType::U32 => dt::uint32(),
        DType::U64 => dt::uint64(),
        DType::F32 => dt::float32(),
        DType::F64 => dt::float64(),
    }
}

/// The value of native-endian `bytes` of `dtype` (zero when the length is wrong).
pub(crate) fn scalar_of(dtype: DType, bytes: &[u8]) -> Scalar {
    fn arr<const N: usize>(bytes: &[u8]) -> [u8; N] {
        bytes.try_into().unwrap_or([0; N])
    }
    match dtype {
        DType::Bool => Scalar::Bool(bytes.first().is_some_and(|&b| b != 0)),
        DType::I8 => Scalar::I8(i8::from_ne_bytes(arr(bytes))),
        DType::I16 => Scalar::I16(i16::from_ne_bytes(arr(bytes))),
        DType::I32 => Scalar::I32(i32::from_ne_bytes(arr(bytes))),
        DType::I64 => Scalar::I64(i64::from_ne_bytes(arr(bytes))),
        DType::U8 => Scalar::U8(u8::from_ne_bytes(arr(bytes))),
        DType::U16 => Scalar::U16(u16::from_ne_bytes(arr(bytes))),
        DType::U32 => Scalar::U32(u32::from_ne_bytes(arr(bytes))),
        DType::U64 => Scalar::U64(u64::from_ne_bytes(arr(bytes))),
        DType::F32 => Scalar::F32(f32::from_ne_bytes(arr(bytes))),
        DType::F64 => Scalar::F64(f64::from_ne_bytes(arr(bytes))),
    }
}
