#!/usr/bin/env bash
# Runs Python's process pools (bench/python_peer.py) and Tandem's JMH benchmarks in the same run and
# prints the ratios. Usage: bench/compare-python.sh [--quick] [--pin]
#   --pin  runs both under `taskset -c 0` (one CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
quick=""; pin=""
for a in "$@"; do
  case "$a" in --quick) quick="--quick" ;; --pin) pin="taskset -c 0" ;; *) echo "unknown option $a" >&2; exit 2 ;; esac
done
[ -f tandem-benchmarks/target/benchmarks.jar ] || ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am
out=target/bench; mkdir -p "$out"
echo "== Python $(python3 --version 2>&1 | cut -d' ' -f2): ProcessPoolExecutor and multiprocessing.Pool"
$pin python3 bench/python_peer.py $quick | tee "$out/python.json"
iters="-wi 3 -i 5"; [ -n "$quick" ] && iters="-wi 1 -i 3"
echo "== Tandem (JMH)"
$pin "$JAVA_HOME/bin/java" -jar tandem-benchmarks/target/benchmarks.jar \
  'core.RoundTripBenchmark|core.ThroughputBenchmark|core.MapBenchmark' -p executor=processes -f 1 $iters -r 2s \
  -rf json -rff "$out/tandem.json" | grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark)' || true
python3 - "$out/python.json" "$out/tandem.json" <<'PY'
import json, sys
py = json.load(open(sys.argv[1]))
jmh = {r["benchmark"].split(".")[-1]: r["primaryMetric"] for r in json.load(open(sys.argv[2]))}
rt = jmh["roundTrip"]["scorePercentiles"]["50.0"]
tp = jmh["submitAll"]["score"]
mp = jmh["map"]["score"]
print("\n== Same run, Tandem processes vs Python")
print(f"round trip (median)   Tandem {rt:8.1f} us   Python {py['roundtrip_us_median']:8.1f} us   ratio {py['roundtrip_us_median']/rt:5.1f}x faster")
print(f"unbatched tasks/s     Tandem {tp:10.0f}   Python {py['tasks_per_s']:10.0f}   ratio {tp/py['tasks_per_s']:5.1f}x")
print(f"map 1M inputs/s       Tandem {mp:10.0f}   Python {py['map_inputs_per_s']:10.0f}   ratio {mp/py['map_inputs_per_s']:5.1f}x")
PY
