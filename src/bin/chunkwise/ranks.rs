//! The command as one rank of an MPI job (`mpirun -np 4 chunkwise eval ...`, built with
//! the `mpi` feature): every rank runs the same command and computes its share; rank 0
//! prints, and an error is printed once. Without the feature, or launched on its own,
//! the process is rank 0 of 1.

use chunkwise::{ComputeOptions, Executor};

/// Runs `first` on rank 0 alone, then every rank goes on with its outcome (rank 0's
/// error, on the other ranks as text): for what one process must do before the others
/// look, such as removing an output to overwrite it. Alone, runs `first`.
pub(crate) fn on_first_rank(first: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    #[cfg(feature = "mpi")]
    if size() > 1 {
        let mut own = None;
        let shared = chunkwise::mpi::from_first_rank(|| {
            let outcome = first();
            let text = outcome.as_ref().err().map(|e| format!("{e:#}"));
            own = Some(outcome);
            text.unwrap_or_default().into_bytes()
        })?;
        return match own {
            Some(outcome) => outcome,
            None if shared.is_empty() => Ok(()),
            None => anyhow::bail!("rank 0 of {}: {}", size(), String::from_utf8_lossy(&shared)),
        };
    }
    first()
}

/// This process's rank.
pub(crate) fn rank() -> usize {
    #[cfg(feature = "mpi")]
    return chunkwise::mpi::rank();
    #[cfg(not(feature = "mpi"))]
    0
}

/// How many ranks run the command.
pub(crate) fn size() -> usize {
    #[cfg(feature = "mpi")]
    return chunkwise::mpi::size();
    #[cfg(not(feature = "mpi"))]
    1
}

/// True when an MPI launcher started this process (even as a job of one rank).
pub(crate) fn launched() -> bool {
    #[cfg(feature = "mpi")]
    return chunkwise::mpi::launched();
    #[cfg(not(feature = "mpi"))]
    false
}

/// Worker threads a computation runs on (per rank, in an MPI job).
pub(crate) fn threads() -> usize {
    #[cfg(feature = "mpi")]
    if launched() {
        return chunkwise::mpi::threads_per_rank();
    }
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// True on the rank that prints (rank 0).
pub(crate) fn leads() -> bool {
    rank() == 0
}

/// `options` running across the ranks when there are several.
pub(crate) fn across(options: ComputeOptions) -> ComputeOptions {
    if size() > 1 {
        options.executor(Executor::Mpi)
    } else {
        options
    }
}

/// `path` for this rank's own copy of a per-process file: `report.html` on rank 0,
/// `report-rank2.html` on rank 2.
pub(crate) fn own_path(path: &std::path::Path) -> std::path::PathBuf {
    if rank() == 0 {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-rank{}.{}", rank(), ext.to_string_lossy()),
        None => format!("{stem}-rank{}", rank()),
    };
    path.with_file_name(name)
}

/// `"ranks": N, "tasks_per_rank": [...], "bytes_sent_per_rank": [...]` for a JSON
/// line, when several ranks ran (a collective: every rank calls it), else nothing.
#[cfg(feature = "mpi")]
pub(crate) fn json_fields() -> Option<String> {
    if size() == 1 {
        return None;
    }
    {
        let traffic = chunkwise::mpi::traffic();
        let list = |f: fn(&chunkwise::mpi::RankTraffic) -> u64| {
            traffic
                .iter()
                .map(|t| f(t).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        Some(format!(
            "\"ranks\": {}, \"tasks_per_rank\": [{}], \"bytes_sent_per_rank\": [{}], \
             \"stages\": {}",
            size(),
            list(|t| t.tasks),
            list(|t| t.bytes_sent),
            traffic.first().map_or(0, |t| t.stages)
        ))
    }
}

/// Without MPI there is one rank, and nothing to add.
#[cfg(not(feature = "mpi"))]
pub(crate) fn json_fields() -> Option<String> {
    None
}

/// `json` (one object) with `fields` added before its closing brace.
pub(crate) fn with_fields(json: &str, fields: Option<&str>) -> String {
    match (fields, json.strip_suffix('}')) {
        (Some(f), Some(open)) => format!("{open}, {f}}}"),
        _ => json.to_string(),
    }
}
