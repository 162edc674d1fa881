#!/usr/bin/env bash
# tcp-greeter against a bare single-thread Java ServerSocket loop (bench/BareServer.java), one after the
# other on loopback, driven by the same C load generator (bench/greetload.c) at concurrency 1, 8 and 64.
# Prints connections/s, p50/p99/max latency, errors, idle and peak RSS, and the ratios; then checks that
# tcp-greeter's metrics add up to the connections the load generator made. Every process it starts is
# stopped by its PID. Needs gcc.
#
#   bench/run.sh [seconds per run, default 10] [runs per concurrency, default 3; the median is reported]
#
# Environment: JAVA, GREETER_JVM_OPTS, GREETER_ARGS (bench/common.sh), BENCH_PORT (default 18900; uses it
# and the next two).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
runs=${2:-3}
[ "$seconds" -ge 1 ] && [ "$seconds" -le 600 ] && [ "$runs" -ge 1 ] && [ "$runs" -le 20 ] ||
  { echo "usage: bench/run.sh [seconds 1-600] [runs 1-20]" >&2; exit 2; }
port=${BENCH_PORT:-18900}
# shellcheck source=bench/common.sh
. bench/common.sh
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
cp target/tcp-greeter.jar "$work/tcp-greeter.jar"

rss() { awk -v k="$1:" '$1 == k { print int($2 / 1024) }' "/proc/$pid/status"; }

total=0
load() { # concurrency seconds -> the result line in $work/last; counts every connection made
  "$work/greetload" -p "$port" -c "$1" -d "$2" >"$work/last" || true
  total=$((total + $(sed -E 's/.*connections=([0-9]+).*/\1/' "$work/last")))
}

measure() { # name
  local name=$1 c r
  load 64 5 # warm-up: JIT, thread pools
  idle_rss=$(rss VmRSS)
  for c in 1 8 64; do
    for r in $(seq 1 "$runs"); do
      load "$c" "$seconds"
      echo "$name $c $(cat "$work/last")" >>"$work/raw"
    done
  done
  echo "$name idle_rss_mb=$idle_rss peak_rss_mb=$(rss VmHWM)" >>"$work/rss"
}

echo "== $(date -u +%FT%TZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$("$java" -version 2>&1 | head -1)"
echo "== bare: single-thread ServerSocket loop"
"$java" bench/BareServer.java "$port" >"$work/bare.log" 2>&1 &
pid=$!
wait_for "$work/bare.log" "listening"
measure bare
stop

echo "== tcp-greeter: $jvm_opts ${GREETER_ARGS:-}"
total=0
start_greeter "$work/tcp-greeter.jar" "$port" "$work/greeter.log"
measure tcp-greeter
# The metrics must add up to what the load generator made (warm-up included), active back to 0.
# A series summed over its labels (greeter_connections_closed_total has one sample per "by").
scrape() {
  curl -s "http://127.0.0.1:$((port + 1))/actuator/prometheus" \
    | awk -v m="$1" '{ n = $1; sub(/\{.*/, "", n) } n == m { s += $2; found = 1 } END { if (found) print int(s) }'
}
for _ in $(seq 1 40); do [ "$(scrape greeter_connections_closed_total)" = "$total" ] && break; sleep 0.25; done
opened=$(scrape greeter_connections_opened_total)
closed=$(scrape greeter_connections_closed_total)
sent=$(scrape greeter_greetings_sent_total)
active=$(scrape greeter_connections_active)
stop

python3 - "$work/raw" "$work/rss" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, c, *fields = line.split()
    f = dict(x.split("=") for x in fields)
    rows.setdefault((name, int(c)), []).append(f)
def median(name, c, key):
    return statistics.median(float(f[key]) for f in rows[(name, c)])
print("| server | c | connections/s | p50 ms | p99 ms | max ms | errors | verified |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name in ("bare", "tcp-greeter"):
    for c in (1, 8, 64):
        errors = sum(int(f["errors"]) for f in rows[(name, c)])
        verified = sum(int(f["verified"]) for f in rows[(name, c)])
        print(f"| {name} | {c} | {median(name, c, 'rate'):.0f} | {median(name, c, 'p50_us')/1000:.2f} |"
              f" {median(name, c, 'p99_us')/1000:.2f} | {median(name, c, 'max_us')/1000:.1f} | {errors} | {verified} |")
print()
for c in (1, 8, 64):
    print(f"c={c}: throughput ratio tcp-greeter/bare = {median('tcp-greeter', c, 'rate') / median('bare', c, 'rate'):.2f},"
          f" p99 ratio = {median('tcp-greeter', c, 'p99_us') / median('bare', c, 'p99_us'):.2f}")
for line in open(sys.argv[2]):
    print(line.strip())
PY
echo "tcp-greeter metrics: opened=$opened closed=$closed greetings_sent=$sent active=$active; load generator made $total"
if [ "$opened" = "$total" ] && [ "$closed" = "$total" ] && [ "$sent" = "$total" ] && [ "$active" = "0" ]; then
  echo "metrics add up"
else
  echo "METRICS DO NOT ADD UP" >&2
  exit 1
fi
