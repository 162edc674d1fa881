#!/usr/bin/env bash
# The floor of tcp-greeter's design (bench/CleanBareServer.java) against the same floor whose drain reads
# first with recv(MSG_DONTWAIT) on the socket's descriptor (what --add-opens java.base/sun.nio.ch would
# let tcp-greeter do): both up, measured alternately in the same run, the way to tell whether the
# descriptor is worth reaching for on a noisy machine. Prints each round's rate and the server's CPU per
# connection, then the medians and B/A. Loopback only; both servers are stopped by their PIDs. Needs gcc
# and Java 22 or later.
#
#   bench/floor-ab.sh [rounds 1-20, default 6] [seconds 1-120, default 6] [concurrency, default 64]
#
# Environment: JAVA (default Temurin 25), BENCH_PORT (default 18970; uses it and the next).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6} seconds=${2:-6} c=${3:-64}
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 120 ] ||
  { echo "usage: bench/floor-ab.sh [rounds 1-20] [seconds 1-120] [concurrency]" >&2; exit 2; }
port=${BENCH_PORT:-18970}
# shellcheck source=bench/common.sh
. bench/common.sh
pid_a= pid_b=
trap '[ -z "$pid_a" ] || kill "$pid_a" 2>/dev/null; [ -z "$pid_b" ] || kill "$pid_b" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

"$java" --enable-native-access=ALL-UNNAMED bench/CleanBareServer.java "$port" >"$work/a.log" 2>&1 &
pid_a=$!
"$java" --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  bench/CleanBareServer.java $((port + 1)) recv >"$work/b.log" 2>&1 &
pid_b=$!
for _ in $(seq 1 120); do grep -q listening "$work/a.log" && grep -q listening "$work/b.log" && break; sleep 0.25; done
for log in a b; do
  grep -q "TCP_CORK set" "$work/$log.log" || { echo "$log did not start with its cork:" >&2; cat "$work/$log.log" >&2; exit 1; }
done
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1), c=$c, $rounds rounds of $seconds s"
echo "== A: $(head -1 "$work/a.log"); B: $(head -1 "$work/b.log")"
"$work/greetload" -p "$port" -c 64 -d 5 >/dev/null # the JIT's warm-up
"$work/greetload" -p $((port + 1)) -c 64 -d 5 >/dev/null
tck=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
for round in $(seq 1 "$rounds"); do
  for which in A B; do
    p=$port server=$pid_a
    [ "$which" = B ] && p=$((port + 1)) server=$pid_b
    before=$(ticks "$server")
    out=$("$work/greetload" -p "$p" -c "$c" -d "$seconds")
    after=$(ticks "$server")
    echo "$out" | grep -q 'errors=0' || { echo "round $round $which: $out" >&2; exit 1; }
    made=$(echo "$out" | sed -n 's/.*connections=\([0-9]*\).*/\1/p')
    echo "round $round $which $out cpu_us_per_connection=$(awk -v t=$((after - before)) -v k="$tck" -v n="$made" \
      'BEGIN { printf "%.1f", t / k * 1e6 / n }')"
  done
done | tee "$work/rounds"
python3 - "$work/rounds" <<'PY'
import re, statistics, sys
rows = {"A": [], "B": []}
for line in open(sys.argv[1]):
    m = re.match(r"round (\d+) ([AB]) .*rate=(\d+).*cpu_us_per_connection=([\d.]+)", line)
    if m:
        rows[m[2]].append((int(m[1]), int(m[3]), float(m[4])))
ratios = [b[1] / a[1] for a, b in zip(rows["A"], rows["B"])]
print("B/A connections/s by round: " + ", ".join(f"{r:.2f}" for r in ratios) + f"; median {statistics.median(ratios):.2f}")
for k in "AB":
    print(f"{k}: median {statistics.median(r[1] for r in rows[k]):.0f} connections/s, "
          f"{statistics.median(r[2] for r in rows[k]):.1f} µs CPU a connection")
PY
