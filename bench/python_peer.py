#!/usr/bin/env python3
"""Python's process pools measured the way Tandem's benchmarks measure the JVM's.

Standard library only. Prints one JSON object:
  roundtrip_us_median  ProcessPoolExecutor(1): submit(f).result() of an empty function, median
  tasks_per_s          ProcessPoolExecutor(2): submit 10,000 empty tasks one by one, then wait
  map_inputs_per_s     multiprocessing.Pool(2).map(f, range(1_000_000)) with its default chunks

With --payload, instead, large payloads as core.PayloadBenchmark measures them (ms, median):
  payload_ms[size]["argument"]  ProcessPoolExecutor(1): submit(first_plus_last, data).result(), data = bytes(size)
  payload_ms[size]["result"]    ProcessPoolExecutor(1): submit(make, size).result(), a bytes(size) back

Usage: python3 bench/python_peer.py [--quick] [--payload]
"""
import concurrent.futures
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time


def empty():
    return 1


def double_plus_one(x):
    return x * 2 + 1


def first_plus_last(data):
    return data[0] + data[-1]


def make(size):
    return bytes(size)


PAYLOAD_SIZES = [1 << 10, 1 << 20, 16 << 20, 64 << 20, 256 << 20]


def payload(quick):
    """Median round trip (ms) of a bytes argument and of a bytes result, per size."""
    out = {}
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        pool.submit(empty).result()
        for size in PAYLOAD_SIZES:
            data = os.urandom(size)
            # about 2 s of samples per measurement, at least 3 and at most 200
            t = time.perf_counter()
            pool.submit(first_plus_last, data).result()
            first = time.perf_counter() - t
            n = max(3, min(200, int((0.5 if quick else 2.0) / max(first, 1e-6))))
            row = {}
            for name, call in (("argument", lambda: pool.submit(first_plus_last, data).result()),
                               ("result", lambda: pool.submit(make, size).result())):
                call()
                samples = []
                for _ in range(n):
                    t = time.perf_counter_ns()
                    call()
                    samples.append(time.perf_counter_ns() - t)
                row[name] = statistics.median(samples) / 1e6
            out[str(size)] = row
    return out


def roundtrip(n):
    with concurrent.futures.ProcessPoolExecutor(1) as pool:
        for _ in range(200):
            pool.submit(empty).result()
        samples = []
        for _ in range(n):
            t = time.perf_counter_ns()
            pool.submit(empty).result()
            samples.append(time.perf_counter_ns() - t)
    return statistics.median(samples) / 1000.0


def throughput(n, repeats):
    rates = []
    with concurrent.futures.ProcessPoolExecutor(2) as pool:
        for _ in range(repeats + 1):
            t = time.perf_counter()
            futures = [pool.submit(empty) for _ in range(n)]
            for f in futures:
                f.result()
            rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates[1:])


def pool_map(n, repeats):
    rates = []
    with multiprocessing.Pool(2) as pool:
        for _ in range(repeats + 1):
            t = time.perf_counter()
            out = pool.map(double_plus_one, range(n))
            rates.append(n / (time.perf_counter() - t))
            assert out[-1] == (n - 1) * 2 + 1
    return statistics.median(rates[1:])


def main():
    quick = "--quick" in sys.argv
    if "--payload" in sys.argv:
        print(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(), "payload_ms": payload(quick)}))
        return
    result = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "roundtrip_us_median": roundtrip(500 if quick else 3000),
        "tasks_per_s": throughput(2000 if quick else 10000, 2 if quick else 5),
        "map_inputs_per_s": pool_map(1_000_000, 2 if quick else 5),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
