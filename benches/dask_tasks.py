#!/usr/bin/env python3
"""Dask's side of `benches/tasks.rs`: per-task overhead of `dask.delayed` and of Dask
futures on ten thousand trivial calls, side by side (fan-in) and one after another (a
chain).

- delayed: `delayed(sum)([delayed(inc)(i) for i in range(N)]).compute()` and
  `inc(inc(...inc(0)))`, on Dask's default threaded scheduler;
- futures: the same calls with `client.submit` on a `distributed.Client(processes=False)`
  (one worker in this process with one thread per core: Dask's lightest client, no
  pickling between processes), started once, before the timings.

Each workload is built and run `--runs` times; it prints the median in ms and tasks per
second. Usage (a Python with dask and distributed, such as the peer venv of
`../shared/bench/setup.sh` plus `distributed`):

    python benches/dask_tasks.py --runs 5 [--only futures/chain_10k,...]
"""

import argparse
import os
import statistics
import time

import dask
from dask import delayed
from distributed import Client

N = 10_000


def inc(x):
    return x + 1


def delayed_fan_in():
    return delayed(sum)([delayed(inc)(i) for i in range(N)]).compute()


def delayed_chain():
    x = 0
    for _ in range(N):
        x = delayed(inc)(x)
    return x.compute()


def futures_fan_in(client):
    futures = [client.submit(inc, i, pure=False) for i in range(N)]
    return client.submit(sum, futures, pure=False).result()


def futures_chain(client):
    x = client.submit(inc, 0, pure=False)
    for _ in range(N - 1):
        x = client.submit(inc, x, pure=False)
    return x.result()


def timed(name, tasks, f, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"{name:<20} median {median * 1e3:9.1f} ms  {tasks / median:10.0f} tasks/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated workload names")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    def timed_if_asked(name, tasks, f):
        if not only or name in only:
            timed(name, tasks, f, args.runs)

    print(f"dask {dask.__version__}, {os.cpu_count()} cores, {N} calls")
    with dask.config.set(scheduler="threads"):
        timed_if_asked("delayed/fan_in_10k", N + 1, delayed_fan_in)
        timed_if_asked("delayed/chain_10k", N, delayed_chain)
    with Client(processes=False, n_workers=1, threads_per_worker=os.cpu_count(),
                dashboard_address=None) as client:
        timed_if_asked("futures/fan_in_10k", N + 1, lambda: futures_fan_in(client))
        timed_if_asked("futures/chain_10k", N, lambda: futures_chain(client))


if __name__ == "__main__":
    main()
