#!/usr/bin/env bash
# Two builds of tcp-greeter, A and B, measured alternately in the same run: the way to tell whether a
# change helps on a noisy machine. Each round starts A, warms it up at c=64 for 4 s, measures it at each
# concurrency, stops it by its PID; then the same for B. Loopback only. Needs gcc.
#
#   bench/ab.sh A.jar B.jar [rounds 1-20, default 3] [seconds 1-120, default 8] [concurrencies, default "64"]
#
# Environment: JAVA (default Temurin 25, else java), GREETER_JVM_OPTS (default: the documented
# settings), GREETER_ARGS (extra arguments for both), BENCH_PORT (default 18960; uses it and the next).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] && [ -f "$1" ] && [ -f "$2" ] || { echo "usage: bench/ab.sh A.jar B.jar [rounds] [seconds] [\"1 8 64\"]" >&2; exit 2; }
jar_a=$1 jar_b=$2 rounds=${3:-3} seconds=${4:-8} concurrencies=${5:-64}
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 120 ] ||
  { echo "rounds must be 1-20 and seconds 1-120" >&2; exit 2; }
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
[ -x "$java" ] || java=$(command -v java)
jvm_opts=${GREETER_JVM_OPTS:--Xms64m -Xmx128m -XX:+UseSerialGC -XX:+AlwaysPreTouch}
port=${BENCH_PORT:-18960}
work=$(mktemp -d)
pid=
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$work"' EXIT
gcc -O2 -pthread -o "$work/greetload" bench/greetload.c

echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1); A=$jar_a B=$jar_b"
for round in $(seq 1 "$rounds"); do
  for which in A B; do
    jar=$jar_a
    [ "$which" = B ] && jar=$jar_b
    # shellcheck disable=SC2086
    "$java" $jvm_opts -jar "$jar" --greeter.server.address=127.0.0.1 --greeter.server.port="$port" \
      --server.address=127.0.0.1 --server.port=$((port + 1)) ${GREETER_ARGS:-} >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do grep -q "Greeting server listening" "$work/server.log" && break; sleep 0.25; done
    grep -q "Greeting server listening" "$work/server.log" || { echo "$which did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
    "$work/greetload" -p "$port" -c 64 -d 4 >/dev/null
    for c in $concurrencies; do
      echo "round $round $which c=$c $("$work/greetload" -p "$port" -c "$c" -d "$seconds")"
    done
    stop
  done
done
