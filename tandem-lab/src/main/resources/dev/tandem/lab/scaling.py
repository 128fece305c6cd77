"""The scaling experiment's Python baseline for `tandem lab` (standard library only).

Runs the same CPU-bound kernel (xorshift iterations) and IO-bound stand-in (a sleep) as the Java side,
with concurrent.futures' ThreadPoolExecutor and ProcessPoolExecutor over 1..N workers, and writes the
wall times as JSON to the file given by --out. CPython's global interpreter lock lets one thread run
Python code at a time, so CPU-bound threads should not speed up while processes do; a free-threaded
build (3.13t and later) with the GIL off is the exception, and the output says which Python ran.

Two things keep the ratios honest. The worker counts of one pool take turns batch by batch (1, 2, 4,
1, 2, 4, ...), so the one-worker baseline and the N-worker batches meet the same load; measured one
after the other, a neighbour that was busy during the baseline alone made N GIL-bound threads look
1.86x faster. And each CPU-bound task records its own thread CPU time, so that a batch's CPU seconds
per wall second (at most 1 for threads under the GIL) can be set beside its speed-up.
"""
import argparse
import json
import platform
import sys
import sysconfig
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


def timed_spin(iterations):
    """Runs the kernel and returns the CPU seconds this thread spent on it."""
    t0 = time.thread_time()
    spin(iterations)
    return time.thread_time() - t0


def block(millis):
    time.sleep(millis / 1000.0)
    return 0.0


def calibrate(target_ms):
    """Iterations for about target_ms on one core: the fastest of five timings (a busy moment only slows one)."""
    n = 10000
    while True:
        t0 = time.perf_counter()
        spin(n)
        dt = time.perf_counter() - t0
        if dt > 0.05:
            break
        n *= 2
    best = dt
    for _ in range(4):
        t0 = time.perf_counter()
        spin(n)
        best = min(best, time.perf_counter() - t0)
    return max(1, int(n * (target_ms / 1000.0) / best))


def gil():
    """Which Python this is and whether its GIL is on, as the interpreter itself says."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    check = getattr(sys, "_is_gil_enabled", None)
    if check is not None:
        enabled, how = bool(check()), "sys._is_gil_enabled()"
    elif platform.python_implementation() in ("CPython", "PyPy"):
        enabled, how = True, "no sys._is_gil_enabled() (before 3.13): every " + platform.python_implementation() + " build has the GIL"
    else:
        enabled, how = None, "unknown for " + platform.python_implementation()
    return {"gil": enabled, "gilCheck": how, "freeThreaded": free_threaded, "executable": sys.executable,
            "build": " ".join(platform.python_build())}


def measure(pool_class, workers, fn, arg, tasks, repeats):
    """{workers: [(wall seconds, task seconds) per batch]}, the worker counts taking turns batch by batch."""
    pools = {n: pool_class(max_workers=n) for n in workers}
    try:
        for n, pool in pools.items():
            list(pool.map(fn, [arg] * (2 * n)))  # start every worker and warm it
        out = {n: [] for n in workers}
        for _ in range(repeats):
            for n, pool in pools.items():
                t0 = time.perf_counter()
                spent = sum(pool.map(fn, [arg] * tasks))
                out[n].append((time.perf_counter() - t0, spent))
        return out
    finally:
        for pool in pools.values():
            pool.shutdown()


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
    workers = [int(w) for w in a.workers.split(",")]
    results = []
    for name, cls in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
        for workload, fn, arg in (("cpu", timed_spin, iterations), ("io", block, a.io_ms)):
            for n, batches in measure(cls, workers, fn, arg, a.tasks, a.repeats).items():
                row = {"pool": name, "workload": workload, "workers": n, "seconds": [b[0] for b in batches]}
                if workload == "cpu":
                    row["taskCpuSeconds"] = [b[1] for b in batches]
                results.append(row)
    info = {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "iterations": iterations, "results": results}
    info.update(gil())
    with open(a.out, "w") as f:
        json.dump(info, f)


if __name__ == "__main__":
    main()
