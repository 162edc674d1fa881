#!/usr/bin/env bash
# Client start-up to exit, for one greeting: the jar on the machine's default Java, and the extracted
# jar on Temurin 25 with and without the JDK's AOT cache. Loopback only; the server it starts is stopped
# by its PID. Needs hyperfine (apt-get install hyperfine).
#
#   bench/client-startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
port=${PORT:-18700}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install -y hyperfine" >&2; exit 2; }
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package

# The server runs from a copy, so that a rebuild cannot pull the jar from under it.
cp target/tcp-greeter.jar "$work/server.jar"
java -jar "$work/server.jar" --greeter.server.address=127.0.0.1 --greeter.server.port="$port" \
  --server.address=127.0.0.1 --server.port=0 --greeter.server.log-connections=false >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do grep -q "Greeting server listening" "$work/server.log" && break; sleep 0.25; done
grep -q "Greeting server listening" "$work/server.log" || { cat "$work/server.log" >&2; exit 1; }

client="--spring.profiles.active=client --greeter.client.host=127.0.0.1 --greeter.client.port=$port"
"$java25" -Djarmode=tools -jar target/tcp-greeter.jar extract --destination "$work/app" >/dev/null
# Training run; the cache is only used with exactly the same class path, so the same absolute jar path.
"$java25" -XX:AOTCacheOutput="$work/app/client.aot" -Dspring.context.exit=onRefresh \
  -jar "$work/app/tcp-greeter.jar" $client >"$work/training.log" 2>&1

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(date -u +%F)"
echo "java: $(java -version 2>&1 | head -1); java25: $("$java25" -version 2>&1 | head -1)"
hyperfine --warmup 2 --runs "$runs" -N --export-markdown "$work/result.md" \
  -n "jar, default java" "java -jar target/tcp-greeter.jar $client" \
  -n "jar, default java, C1 only" "java -XX:TieredStopAtLevel=1 -jar target/tcp-greeter.jar $client" \
  -n "extracted, Java 25" "$java25 -jar $work/app/tcp-greeter.jar $client" \
  -n "extracted, Java 25, AOT cache" "$java25 -XX:AOTCache=$work/app/client.aot -jar $work/app/tcp-greeter.jar $client" \
  -n "extracted, Java 25, AOT cache, C1 only" \
  "$java25 -XX:TieredStopAtLevel=1 -XX:AOTCache=$work/app/client.aot -jar $work/app/tcp-greeter.jar $client" >&2
cat "$work/result.md"
