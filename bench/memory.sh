#!/usr/bin/env bash
# Resident memory of tcp-greeter under JVM settings side by side, in turns: for each round and each
# setting, start the jar, wait until it is ready, read its resident size idle (VmRSS after 10 s), drive it
# at c=64 for some seconds with the C load generator (every greeting verified), and read its peak
# (VmHWM) and its connections per second. Loopback only; every server is stopped by its PID.
#
#   bench/memory.sh [rounds 1-10, default 2] [seconds 1-60, default 8] < settings
#
# Each line of standard input is one setting: a name, a tab, then environment assignments and JVM
# options (environment first, e.g. "MALLOC_ARENA_MAX=2 -Xmx64m"). The word "image" among them runs the
# application as the image does: the jar extracted (jarmode tools), Spring's AOT mode, and the JDK's AOT
# cache, recorded for that setting by a training run with its options (Java 25), as the Dockerfile does.
# Environment: JAVA, BENCH_PORT (default 18980; uses it and the next), GREETER_ARGS (bench/common.sh).
set -euo pipefail
rounds=${1:-2} seconds=${2:-8}
cd "$(dirname "$0")/.."
[ "$rounds" -ge 1 ] && [ "$rounds" -le 10 ] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 60 ] ||
  { echo "rounds must be 1-10 and seconds 1-60" >&2; exit 2; }
port=${BENCH_PORT:-18980}
# shellcheck source=bench/common.sh
. bench/common.sh
mapfile -t settings
[ "${#settings[@]}" -ge 1 ] || { echo "no settings on standard input" >&2; exit 2; }

kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1)"
printf '%-28s %5s %12s %12s %12s %s\n' setting round "idle RSS MB" "peak RSS MB" "conn/s c=64" "load generator"
for round in $(seq 1 "$rounds"); do
  for line in "${settings[@]}"; do
    name=${line%%$'\t'*} options=${line#*$'\t'}
    envs=() jvm=() jar=target/tcp-greeter.jar
    image=false
    for word in $options; do
      if [[ $word == image ]]; then image=true
      elif [[ $word == [A-Z_]*=* ]]; then envs+=("$word"); else jvm+=("$word"); fi
    done
    if $image; then
      cache="$work/app/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_').aot"
      image_env=("${envs[@]}")
      image_app "$cache" "${jvm[@]}"
      jvm+=("-XX:AOTCache=$cache" -Dspring.aot.enabled=true)
      jar="$work/app/tcp-greeter.jar"
    fi
    rm -f "$work/ports"
    # shellcheck disable=SC2086
    env "${envs[@]}" "$java" "${jvm[@]}" -jar "$jar" --greeter.server.address=127.0.0.1 \
      --greeter.server.port="$port" --server.address=127.0.0.1 --server.port=$((port + 1)) \
      --greeter.server.port-file="$work/ports" ${GREETER_ARGS:-} >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do [ -f "$work/ports" ] && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    [ -f "$work/ports" ] || { echo "$name did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
    sleep 10
    idle=$(kb "$pid" VmRSS)
    result=$("$work/greetload" -p "$port" -c 64 -d "$seconds")
    peak=$(kb "$pid" VmHWM)
    rate=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' <<<"$result")
    printf '%-28s %5d %12d %12d %12s %s\n' "$name" "$round" $((idle / 1024)) $((peak / 1024)) "${rate:-?}" "$result"
    stop
  done
done
