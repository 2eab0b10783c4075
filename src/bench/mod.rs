//! The standard workloads behind `chunkwise bench`.
