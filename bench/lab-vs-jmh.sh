#!/bin/sh
# Does the lab measure Tandem's own costs as the JMH benchmarks do, on this machine?
# Builds the CLI and the benchmarks jar, then runs `tandem lab --self-check`: for threads(1) and
# processes(1) (Unix socket, shared memory) the JMH benchmark core.RoundTripBenchmark and the lab's
# round trip, one after the other, with the same warm-up and measurement; they must agree within 30 %.
# Exit code: 0 agree, 1 a pool disagrees on a quiet machine, 3 inconclusive (the machine was busy).
# The figures go to tandem-report/self-check.json (or the --out DIR given here).
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
./mvnw -q -B -DskipTests package -pl tandem-cli,tandem-benchmarks -am
exec ./tandem lab --self-check --jmh "$here/tandem-benchmarks/target/benchmarks.jar" "$@"
