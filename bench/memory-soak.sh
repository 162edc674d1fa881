#!/usr/bin/env bash
# Is the resident size flat under a long load? Runs tcp-greeter as the image does (the jar extracted,
# Spring's AOT mode, the JDK's AOT cache recorded by a training run, the image's JVM options read from the
# Dockerfile's ENTRYPOINT), drives it at c=64 in one-minute rounds with the C load generator (every
# greeting verified), and after each round prints the resident size (VmRSS), the peak so far (VmHWM), the
# round's rate and errors, and the connections the server counted. Loopback only; the server is stopped
# by its PID.
#
#   bench/memory-soak.sh [minutes 1-60, default 10]
#
# Environment: JAVA (default Temurin 25), BENCH_PORT (default 18985; uses it and the next).
set -euo pipefail
minutes=${1:-10}
cd "$(dirname "$0")/.."
[ "$minutes" -ge 1 ] && [ "$minutes" -le 60 ] || { echo "minutes must be 1-60" >&2; exit 2; }
port=${BENCH_PORT:-18985}
# shellcheck source=bench/common.sh
. bench/common.sh
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
# The ENTRYPOINT's JVM options, without the AOT cache and Spring's AOT switch (added below).
read -r -a options < <(sed -n '/^ENTRYPOINT/,/]/p' Dockerfile | tr -d '[]\\,"' | tr -s ' \n' ' ' |
  sed 's/^ENTRYPOINT java //; s/ -jar tcp-greeter.jar.*//; s/ -XX:AOTCache=[^ ]*//; s/ -Dspring.aot.enabled=true//'; echo)
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1); options: ${options[*]}"
image_app "$work/app/app.aot" "${options[@]}"
(cd "$work/app" && exec "$java" "${options[@]}" -XX:AOTCache=app.aot -Dspring.aot.enabled=true -jar tcp-greeter.jar \
  --greeter.server.address=127.0.0.1 --greeter.server.port="$port" --server.address=127.0.0.1 \
  --server.port=$((port + 1)) --greeter.server.port-file="$work/ports" >"$work/server.log" 2>&1) &
pid=$!
for _ in $(seq 1 240); do [ -f "$work/ports" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
[ -f "$work/ports" ] || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
kb() { awk -v key="$1:" '$1 == key { print int($2 / 1024) }' "/proc/$pid/status"; }
counted() {
  curl -s "http://127.0.0.1:$((port + 1))/actuator/prometheus" |
    awk '/^greeter_connections_opened_total/ { sum += $2 } END { printf "%d", sum }'
}
printf '%6s %8s %8s %8s %8s %10s %s\n' minute "RSS MB" "peak MB" "conn/s" errors counted "load generator"
printf '%6d %8d %8d %8s %8s %10s\n' 0 "$(kb VmRSS)" "$(kb VmHWM)" - - "$(counted)"
for minute in $(seq 1 "$minutes"); do
  result=$("$work/greetload" -p "$port" -c 64 -d 60)
  rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$result")
  errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$result")
  printf '%6d %8d %8d %8s %8s %10s %s\n' "$minute" "$(kb VmRSS)" "$(kb VmHWM)" "$rate" "$errors" "$(counted)" "$result"
done
stop
