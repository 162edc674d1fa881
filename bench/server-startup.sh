#!/usr/bin/env bash
# Server start-up: from process start to the first greeting received, on Temurin 25, for the extracted
# jar: plain, with the JDK's AOT cache (a training run with -Dspring.context.exit=onRefresh), with
# Spring's AOT mode (-Dspring.aot.enabled=true, the server profile only), and with both. Each variant
# runs N times; every server is stopped by its PID. Loopback only.
#
#   bench/server-startup.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
port=${BENCH_PORT:-18950}
jvm_opts=${GREETER_JVM_OPTS:--Xms64m -Xmx128m -XX:+UseSerialGC}
work=$(mktemp -d)
pid=
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$work"' EXIT
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
"$java25" -Djarmode=tools -jar target/tcp-greeter.jar extract --destination "$work/app" >/dev/null
args="--greeter.server.address=127.0.0.1 --greeter.server.port=$port --server.address=127.0.0.1 --server.port=0"
# Training runs: one for the plain start, one for Spring's AOT mode (its own class list).
# shellcheck disable=SC2086
"$java25" $jvm_opts -XX:AOTCacheOutput="$work/app/server.aot" -Dspring.context.exit=onRefresh \
  -jar "$work/app/tcp-greeter.jar" $args >"$work/training.log" 2>&1
# shellcheck disable=SC2086
"$java25" $jvm_opts -Dspring.aot.enabled=true -XX:AOTCacheOutput="$work/app/server-spring-aot.aot" \
  -Dspring.context.exit=onRefresh -jar "$work/app/tcp-greeter.jar" $args >"$work/training-aot.log" 2>&1

first_greeting_ms() { # extra JVM options...
  local start
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  "$java25" $jvm_opts "$@" -jar "$work/app/tcp-greeter.jar" $args >"$work/server.log" 2>&1 &
  pid=$!
  python3 bench/first-greeting.py "$port" "$start"
  stop
}

echo "machine: $(nproc) cores; $(date -u +%F); $("$java25" -version 2>&1 | head -1); JVM options: $jvm_opts"
echo "| variant | runs (ms, process start to first greeting) | median ms |"
echo "|---|---|---:|"
for variant in "plain" "JDK AOT cache" "Spring AOT mode" "Spring AOT mode + JDK AOT cache"; do
  case $variant in
    "plain") options="" ;;
    "JDK AOT cache") options="-XX:AOTCache=$work/app/server.aot" ;;
    "Spring AOT mode") options="-Dspring.aot.enabled=true" ;;
    *) options="-Dspring.aot.enabled=true -XX:AOTCache=$work/app/server-spring-aot.aot" ;;
  esac
  times=()
  for _ in $(seq 1 "$runs"); do
    # shellcheck disable=SC2086
    times+=("$(first_greeting_ms $options)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| $variant | ${times[*]} | $median |"
done
