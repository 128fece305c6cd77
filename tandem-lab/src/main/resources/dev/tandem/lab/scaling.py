"""The scaling experiment's Python baseline for `tandem lab` (standard library only).

Runs the same CPU-bound kernel (xorshift iterations) and IO-bound stand-in (a sleep) as the Java side,
with concurrent.futures' ThreadPoolExecutor and ProcessPoolExecutor over 1..N workers, and writes the
wall times as JSON to the file given by --out. CPython's global interpreter lock lets one thread run
Python code at a time, so CPU-bound threads should not speed up while processes do.
"""
import argparse
import json
import platform
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

MASK = 0xFFFFFFFFFFFFFFFF


def spin(iterations):
    x = 88172645463325252
    for _ in range(iterations):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


def block(millis):
    time.sleep(millis / 1000.0)
    return millis


def calibrate(target_ms):
    n = 10000
    while True:
        t0 = time.perf_counter()
        spin(n)
        dt = time.perf_counter() - t0
        if dt > 0.05:
            return max(1, int(n * (target_ms / 1000.0) / dt))
        n *= 2


def measure(pool_class, workers, fn, arg, tasks, repeats):
    with pool_class(max_workers=workers) as pool:
        list(pool.map(fn, [arg] * (2 * workers)))  # start every worker and warm it
        seconds = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            list(pool.map(fn, [arg] * tasks))
            seconds.append(time.perf_counter() - t0)
    return seconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workers", required=True)
    p.add_argument("--tasks", type=int, required=True)
    p.add_argument("--cpu-ms", type=float, required=True)
    p.add_argument("--io-ms", type=float, required=True)
    p.add_argument("--repeats", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    iterations = calibrate(a.cpu_ms)
    results = []
    for workers in [int(w) for w in a.workers.split(",")]:
        for name, cls in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
            for workload, fn, arg in (("cpu", spin, iterations), ("io", block, a.io_ms)):
                results.append({"pool": name, "workload": workload, "workers": workers,
                                "seconds": measure(cls, workers, fn, arg, a.tasks, a.repeats)})
    with open(a.out, "w") as f:
        json.dump({"python": platform.python_version(), "implementation": platform.python_implementation(),
                   "iterations": iterations, "results": results}, f)


if __name__ == "__main__":
    main()
