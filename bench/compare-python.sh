#!/usr/bin/env bash
# Runs Python's process pools (bench/python_peer.py) and Tandem's JMH benchmarks in the same run and
# prints the ratios. Usage: bench/compare-python.sh [--quick] [--pin] [--payload]
#   --pin      runs both under `taskset -c 0` (one CPU)
#   --payload  instead: large arguments and results (1 KiB .. 256 MiB) through ProcessPoolExecutor(1)
#              and core.PayloadBenchmark (both transports, with the raw Unix-socket copy as baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-jdk.sh
quick=""; pin=""; payload=""
for a in "$@"; do
  case "$a" in
    --quick) quick="--quick" ;;
    --pin) pin="taskset -c 0" ;;
    --payload) payload="--payload" ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
[ -f tandem-benchmarks/target/benchmarks.jar ] || ./mvnw -q -B -DskipTests package -pl tandem-benchmarks -am
out=target/bench; mkdir -p "$out"
echo "== load before: $(cat /proc/loadavg)"
if [ -n "$payload" ]; then
  echo "== Python $(python3 --version 2>&1 | cut -d' ' -f2): ProcessPoolExecutor(1), bytes arguments and results"
  $pin python3 bench/python_peer.py --payload $quick | tee "$out/python-payload.json"
  iters="-wi 2 -i 5 -r 2s -w 2s"; [ -n "$quick" ] && iters="-wi 1 -i 3 -r 1s -w 1s"
  echo "== Tandem (JMH core.PayloadBenchmark)"
  $pin "$JAVA_HOME/bin/java" -jar tandem-benchmarks/target/benchmarks.jar core.PayloadBenchmark -f 1 $iters \
    -rf json -rff "$out/tandem-payload.json" | grep -E '^(Benchmark|PayloadBenchmark)' || true
  echo "== load after: $(cat /proc/loadavg)"
  python3 - "$out/python-payload.json" "$out/tandem-payload.json" <<'PY'
import json, sys
py = json.load(open(sys.argv[1]))["payload_ms"]
rows = {}
for r in json.load(open(sys.argv[2])):
    p = r["params"]
    rows[(r["benchmark"].split(".")[-1], int(p["size"]), p["transport"])] = r["primaryMetric"]["scorePercentiles"]["50.0"]
print("\n== Same run, ms per round trip (medians: Tandem's JMH samples, Python's)")
print(f"{'size':>10} {'direction':>9} {'raw socket':>10} {'socket':>9} {'shm':>9} {'Python':>9} {'Py/socket':>9} {'Py/shm':>7} {'GiB/s socket':>12} {'GiB/s shm':>9}")
for size in sorted({k[1] for k in rows}):
    for d in ("argument", "result"):
        raw, sock, shm = (rows.get((d, size, t)) for t in ("raw-socket", "processes", "processes-shm"))
        pyv = py.get(str(size), {}).get(d)
        def f(v, w=9, p=2):
            return f"{v:{w}.{p}f}" if v is not None else " " * (w - 1) + "-"
        ratio = lambda a, b: f"{a / b:8.1f}x" if a and b else "        -"
        gibs = lambda v, w: f"{size / 2**30 / (v / 1000):{w}.2f}" if v else " " * (w - 1) + "-"
        print(f"{size:>10} {d:>9} {f(raw, 10)} {f(sock)} {f(shm)} {f(pyv)} {ratio(pyv, sock)} {ratio(pyv, shm)} {gibs(sock, 12)} {gibs(shm, 9)}")
PY
  exit 0
fi
echo "== Python $(python3 --version 2>&1 | cut -d' ' -f2): ProcessPoolExecutor and multiprocessing.Pool"
$pin python3 bench/python_peer.py $quick | tee "$out/python.json"
iters="-wi 3 -i 5"; [ -n "$quick" ] && iters="-wi 1 -i 3"
echo "== Tandem (JMH)"
$pin "$JAVA_HOME/bin/java" -jar tandem-benchmarks/target/benchmarks.jar \
  'core.RoundTripBenchmark|core.ThroughputBenchmark|core.MapBenchmark' -p executor=processes -f 1 $iters -r 2s \
  -rf json -rff "$out/tandem.json" | grep -E '^(Benchmark|[A-Z][A-Za-z]+Benchmark)' || true
echo "== load after: $(cat /proc/loadavg)"
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
