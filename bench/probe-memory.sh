#!/usr/bin/env bash
# The probe's memory over a long run: one greeter, and a probe with N targets (default 50) aimed at it,
# each probed every 100 ms (10 probes per second per target); the probe's resident size (VmRSS), its
# probes so far and its scrape's size are read every 30 s. Loopback only; both processes are stopped by
# their PIDs.
#
#   bench/probe-memory.sh [minutes 1-30, default 10] [targets 1-200, default 50]
#
# Environment: JAVA (default Temurin 25), PROBE_JVM_OPTS (default: the image's memory settings),
# BENCH_PORT (default 18960; uses it and the next two).
set -euo pipefail
minutes=${1:-10} targets=${2:-50}
cd "$(dirname "$0")/.."
[ "$minutes" -ge 1 ] && [ "$minutes" -le 30 ] && [ "$targets" -ge 1 ] && [ "$targets" -le 200 ] ||
  { echo "minutes must be 1-30 and targets 1-200" >&2; exit 2; }
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
[ -x "$java" ] || java=$(command -v java)
opts=${PROBE_JVM_OPTS:--XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:ErgoHeapSizeLimit=64m -Xms16m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:+ExitOnOutOfMemoryError}
port=${BENCH_PORT:-18960}
work=$(mktemp -d)
greeter= probe=
stop() {
  for p in $probe $greeter; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
# shellcheck disable=SC2086
"$java" $opts -jar target/tcp-greeter.jar --greeter.server.address=127.0.0.1 --greeter.server.port="$port" \
  --server.address=127.0.0.1 --server.port=$((port + 1)) --greeter.server.log-connections=false \
  --greeter.server.port-file="$work/ports" >"$work/greeter.log" 2>&1 &
greeter=$!
# The probe starts once the greeter listens: its port file is written when it is ready.
for _ in $(seq 1 240); do [ -s "$work/ports" ] && break; kill -0 "$greeter" || { cat "$work/greeter.log" >&2; exit 1; }; sleep 0.25; done
[ -s "$work/ports" ] || { echo "the greeter did not start" >&2; cat "$work/greeter.log" >&2; exit 1; }
args=()
for i in $(seq 1 "$targets"); do
  args+=("--greeter.probe.targets.t$i.url=tcp://127.0.0.1:$port" "--greeter.probe.targets.t$i.interval=100ms")
done
# shellcheck disable=SC2086
"$java" $opts -jar target/tcp-greeter.jar --spring.profiles.active=probe --server.address=127.0.0.1 \
  --server.port=$((port + 2)) "${args[@]}" >"$work/probe.log" 2>&1 &
probe=$!
scrape() { curl -s "http://127.0.0.1:$((port + 2))/actuator/prometheus"; }
for _ in $(seq 1 240); do scrape >/dev/null 2>&1 && break; kill -0 "$probe" || { cat "$work/probe.log" >&2; exit 1; }; sleep 0.25; done
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1); $targets targets every 100 ms for $minutes min"
printf '%8s %10s %12s %12s %12s %10s\n' seconds "RSS MB" "probes" "ok" "probes/s" "series"
start=$(date +%s) last=0 lastTime=$start
while :; do
  now=$(date +%s)
  body=$(scrape)
  total=$(awk '/^greeter_probe_attempts_total/ {s += $2} END {printf "%d", s}' <<<"$body")
  ok=$(awk '/^greeter_probe_attempts_total.*outcome="ok"/ {s += $2} END {printf "%d", s}' <<<"$body")
  series=$(grep -c '^greeter_probe' <<<"$body")
  rss=$(awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$probe/status")
  rate=$(( (total - last) / (now - lastTime > 0 ? now - lastTime : 1) ))
  printf '%8d %10d %12d %12d %12d %10d\n' $((now - start)) "$rss" "$total" "$ok" "$rate" "$series"
  last=$total lastTime=$now
  [ $((now - start)) -ge $((minutes * 60)) ] && break
  sleep 30
done
echo "peak RSS MB: $(awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$probe/status")"
