#!/usr/bin/env python3
"""Python's process pools measured the way Tandem's benchmarks measure the JVM's.

Standard library only. Prints one JSON object:
  roundtrip_us_median  ProcessPoolExecutor(1): submit(f).result() of an empty function, median
  tasks_per_s          ProcessPoolExecutor(2): submit 10,000 empty tasks one by one, then wait
  map_inputs_per_s     multiprocessing.Pool(2).map(f, range(1_000_000)) with its default chunks

Usage: python3 bench/python_peer.py [--quick]
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
