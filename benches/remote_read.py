#!/usr/bin/env python3
"""Reading the `zarr_pipeline` input over HTTP: chunkwise against zarr-python + Dask.

The input is the 8192 x 8192 float32 array in 512 x 512 zstd chunks (256 chunks of 1 MiB)
that `chunkwise bench` writes into `<temp dir>/chunkwise-bench-cache/` (run
`chunkwise bench zarr_pipeline --runs 1` once to create it). It is served by the test
suite's HTTP server (`tests/servers/http_store.py`) with 0, 20 and 50 ms of latency added
to every request, and both sides compute `sum(x)` over it, which reads every chunk once:

- chunkwise: `chunkwise eval 'sum(x)' -i x=http://... --json` (requests in flight:
  `--io-concurrency`, 32 by default);
- Dask: `da.from_zarr(zarr.open_array(FsspecStore.from_url(url))).sum().compute()`,
  its default threaded scheduler (one task per chunk).

For each run it prints the wall time and the most requests the server saw in flight at
once; the table gives medians. Usage (from the checkout, with a Python that has dask,
zarr 3, fsspec and aiohttp, such as the peer venv of `../shared/bench/setup.sh`):

    cargo build --release
    python benches/remote_read.py --chunkwise target/release/chunkwise --runs 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "tests", "servers", "http_store.py")
INPUT = "zarr_in_8192_f32_zstd.zarr"


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
        return json.loads(r.read() or b"{}")


def run_chunkwise(binary, url, extra):
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "eval", "sum(x)", "-i", f"x={url}", "--json", "--no-progress", *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)["values"]


def run_dask(url):
    import dask.array as da
    import zarr
    from zarr.storage import FsspecStore

    start = time.perf_counter()
    store = FsspecStore.from_url(url, read_only=True)
    x = da.from_zarr(zarr.open_array(store=store, mode="r"))
    total = float(x.sum(dtype="float64").compute())
    return time.perf_counter() - start, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chunkwise", default=os.path.join(HERE, "..", "target", "release", "chunkwise"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--latencies", default="0,20,50")
    ap.add_argument("--root", default=os.path.join(tempfile.gettempdir(), "chunkwise-bench-cache"))
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.root, INPUT)):
        sys.exit(f"{args.root}/{INPUT} is missing: run `chunkwise bench zarr_pipeline --runs 1` first")
    server = subprocess.Popen(
        [sys.executable, SERVER, "--root", args.root, "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline().split()[1])
        url = f"http://127.0.0.1:{port}/{INPUT}"
        rows = []
        for latency in [int(v) for v in args.latencies.split(",")]:
            get(port, f"/_control?latency_ms={latency}")
            sides = [("chunkwise", lambda: run_chunkwise(args.chunkwise, url, []))]
            if not args.no_dask:
                sides.append(("dask", lambda: run_dask(url)))
            times = {name: [] for name, _ in sides}
            flight = {name: [] for name, _ in sides}
            values = {}
            # Interleaved runs, so both sides see the same machine.
            for _ in range(args.runs):
                for name, fn in sides:
                    get(port, "/_reset")
                    seconds, value = fn()
                    stats = get(port, "/_stats")
                    times[name].append(seconds)
                    flight[name].append(stats["max_in_flight"])
                    values[name] = value
                    print(f"latency {latency} ms  {name:9s} {seconds:6.2f} s  "
                          f"{stats['requests']} requests, at most {stats['max_in_flight']} in flight",
                          flush=True)
            rows.append((latency, times, flight, values))
        print()
        print("| added latency | chunkwise | in flight | zarr-python + Dask | in flight | Dask / chunkwise |")
        print("|---|---|---|---|---|---|")
        for latency, times, flight, values in rows:
            cw = statistics.median(times["chunkwise"])
            line = f"| {latency} ms | {cw:.2f} s | {max(flight['chunkwise'])} |"
            if "dask" in times:
                dk = statistics.median(times["dask"])
                line += f" {dk:.2f} s | {max(flight['dask'])} | {dk / cw:.1f}x |"
                if abs(values["dask"] - float(values["chunkwise"])) > 1e-6 * abs(values["dask"]):
                    line += f" (sums differ: {values['chunkwise']} vs {values['dask']})"
            else:
                line += " | | |"
            print(line)
    finally:
        server.kill()


if __name__ == "__main__":
    main()
