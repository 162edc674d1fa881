#!/usr/bin/env bash
# The client's watch mode held at a rate for a while: is its memory flat, and what rate can one client
# process drive? Starts a server (bench/common.sh), runs the client in watch mode against it, samples
# the client's RSS and its heap after a full GC (jcmd GC.heap_info is not enough: a young heap grows
# and shrinks) every few seconds, and prints the client's summary. Loopback only.
#
#   bench/client-watch.sh [rate, default 2000] [seconds 5-600, default 60] [sample every N s, default 5]
#
# Environment: JAVA, BENCH_PORT (default 18970; uses it and the next), CLIENT_JVM_OPTS (default -Xmx128m).
set -euo pipefail
jar=$(cd "$(dirname "$0")/.." && pwd)/target/tcp-greeter.jar
cd "$(dirname "$0")/.."
rate=${1:-2000}
seconds=${2:-60}
every=${3:-5}
[[ "$rate" =~ ^[0-9]+$ && "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 5 && "$seconds" -le 600 ]] \
  || { echo "usage: $0 [rate] [seconds 5-600] [sample every N s]" >&2; exit 2; }
port=${BENCH_PORT:-18970}
# shellcheck source=bench/common.sh
source bench/common.sh
[ -f "$jar" ] || { echo "no $jar: run ./mvnw -DskipTests package first" >&2; exit 2; }
GREETER_ARGS="--greeter.server.log-connections=false" start_greeter "$jar" "$port" "$work/server.log"
server=$pid
jcmd=$(dirname "$java")/jcmd
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1); rate $rate/s for $seconds s"
# shellcheck disable=SC2086
"$java" ${CLIENT_JVM_OPTS:--Xmx128m} -jar "$jar" --spring.profiles.active=client --greeter.client.host=127.0.0.1 \
  --greeter.client.port="$port" --greeter.client.duration="${seconds}s" --greeter.client.rate="$rate" \
  --greeter.client.interval=10s >"$work/client.out" 2>"$work/client.err" &
client=$!
trap 'kill $client 2>/dev/null || true; stop; rm -rf "$work"' EXIT
sleep 1
for ((t = 1; t < seconds; t += every)); do
  kill -0 "$client" 2>/dev/null || break
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$client/status" 2>/dev/null || echo 0)
  heap=$("$jcmd" "$client" GC.run >/dev/null 2>&1 && "$jcmd" "$client" GC.heap_info 2>/dev/null \
    | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }')
  echo "t=${t}s client_rss_kb=$rss heap_used_after_gc=${heap:-?}"
  sleep "$every"
done
wait "$client" && status=0 || status=$?
cat "$work/client.out"
cat "$work/client.err" >&2
echo "client exit $status"
pid=$server
