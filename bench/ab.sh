#!/usr/bin/env bash
# Two builds of tcp-greeter, A and B, measured alternately in the same run: the way to tell whether a
# change helps on a noisy machine. Each round starts A, warms it up at c=64 for 4 s, measures it at each
# concurrency (the rate, and the server's CPU time and context switches per connection), stops it by its
# PID; then the same for B. Loopback only. Needs gcc.
#
#   bench/ab.sh A.jar B.jar [rounds 1-20, default 3] [seconds 1-120, default 8] [concurrencies, default "64"]
#
# Environment: JAVA, GREETER_JVM_OPTS, GREETER_ARGS (bench/common.sh; the arguments go to both),
# GREETER_JVM_OPTS_B (B's JVM options instead of GREETER_JVM_OPTS: to compare JVM settings, pass the
# same jar twice), GREETLOAD_PREAMBLE (what greetload sends first on every connection, e.g. a PROXY
# protocol header for GREETER_ARGS=--greeter.server.proxy-protocol=required), GREETLOAD_GREETING (the
# greeting greetload expects, when GREETER_ARGS sets another), BENCH_PORT (default 18960; uses it and the
# next).
set -euo pipefail
[ $# -ge 2 ] && [ -f "$1" ] && [ -f "$2" ] || { echo "usage: bench/ab.sh A.jar B.jar [rounds] [seconds] [\"1 8 64\"]" >&2; exit 2; }
# Absolute, before the script moves to the project folder.
jar_a=$(realpath "$1") jar_b=$(realpath "$2") rounds=${3:-3} seconds=${4:-8} concurrencies=${5:-64}
cd "$(dirname "$0")/.."
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 120 ] ||
  { echo "rounds must be 1-20 and seconds 1-120" >&2; exit 2; }
port=${BENCH_PORT:-18960}
# shellcheck source=bench/common.sh
. bench/common.sh

opts_a=$jvm_opts opts_b=${GREETER_JVM_OPTS_B:-$jvm_opts}
load=()
[ -z "${GREETLOAD_PREAMBLE:-}" ] || load=(-x "$GREETLOAD_PREAMBLE")
[ -z "${GREETLOAD_GREETING:-}" ] || load+=(-g "$GREETLOAD_GREETING")
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1); A=$jar_a B=$jar_b"
echo "== A options: $opts_a"
echo "== B options: $opts_b"
# The server's context switches so far, all its threads (voluntary: a thread that waits; involuntary:
# one taken off its core): what a hand-over between threads costs beside the system calls.
switches() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/_ctxt_switches:/ { s += $2 } END { print s + 0 }'; }
for round in $(seq 1 "$rounds"); do
  for which in A B; do
    jar=$jar_a jvm_opts=$opts_a
    [ "$which" = B ] && jar=$jar_b jvm_opts=$opts_b
    start_greeter "$jar" "$port" "$work/server.log"
    "$work/greetload" -p "$port" -c 64 -d 4 "${load[@]}" >/dev/null
    for c in $concurrencies; do
      before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat") switches_before=$(switches)
      result=$("$work/greetload" -p "$port" -c "$c" -d "$seconds" "${load[@]}")
      after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat") switches_after=$(switches)
      made=$(sed -n 's/.*connections=\([0-9]*\).*/\1/p' <<<"$result")
      # The server's user and system time over the run, per connection made.
      cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$made" \
        'BEGIN { printf "%.1f", (n > 0) ? t / hz * 1e6 / n : 0 }')
      sw=$(awk -v s=$((switches_after - switches_before)) -v n="$made" 'BEGIN { printf "%.2f", (n > 0) ? s / n : 0 }')
      echo "round $round $which c=$c $result cpu_us_per_connection=$cpu switches_per_connection=$sw"
    done
    stop
  done
done
