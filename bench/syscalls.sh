#!/usr/bin/env bash
# System calls a connection costs, tcp-greeter against nginx's stream `return` and, on Java 22 and later,
# against the floor of its design (bench/CleanBareServer.java: the clean close, nothing else of
# tcp-greeter): each server is warmed up,
# then perf counts the system calls of every thread or worker (the kernel's syscall tracepoints) while
# bench/greetload.c makes connections for a few seconds, and the counts are divided by the connections
# made. On a virtual machine whose
# system calls are dear (this one's are: see docs/BENCHMARKS.md), the count is the floor of the CPU a
# connection costs, whatever the user-space code does. Counting costs little, but it is not free: this
# measures counts, never speed. Loopback only; every process started is stopped by its PID.
#
#   bench/syscalls.sh [concurrency, default 64] [jar, default target/tcp-greeter.jar]
#
# Environment: JAVA, GREETER_JVM_OPTS, GREETER_ARGS (bench/common.sh), BENCH_PORT (default 18990).
set -euo pipefail
cd "$(dirname "$0")/.."
c=${1:-64}
jar=${2:-target/tcp-greeter.jar}
port=${BENCH_PORT:-18990}
seconds=5
# shellcheck source=bench/common.sh
. bench/common.sh
[ -f "$jar" ] || ./mvnw -B -q -DskipTests package
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends linux-perf >/dev/null; }
install_nginx
nginx_pid=
floor_pid=
tracer=
cleanup() {
  [ -z "$tracer" ] || kill "$tracer" 2>/dev/null || true
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null || true
  [ -z "$floor_pid" ] || kill "$floor_pid" 2>/dev/null || true
}
trap 'cleanup; stop; rm -rf "$work"' EXIT

echo "== $(date -u +%FT%TZ) on $(nproc) cores, $("$java" -version 2>&1 | head -1), $(nginx -v 2>&1)," \
  "$jar, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?), c=$c, $seconds s each"

# count name port pid...: perf counts the system calls of the given processes (every thread) while
# greetload makes connections to the port for $seconds s; prints the calls per connection, largest first.
count() {
  local name=$1 target=$2; shift 2
  local pids
  pids=$(IFS=,; echo "$*")
  perf stat -x, -e 'syscalls:sys_enter_*' -p "$pids" -o "$work/$name.perf" &
  tracer=$!
  sleep 1
  local made
  made=$("$work/greetload" -p "$target" -c "$c" -d "$seconds" | tee "$work/$name.load" \
    | sed -n 's/.*connections=\([0-9]*\).*/\1/p')
  grep -q 'errors=0' "$work/$name.load" || { echo "$name: load errors:" >&2; cat "$work/$name.load" >&2; exit 1; }
  kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true; tracer=
  python3 - "$work/$name.perf" "$made" "$name" "$(cat "$work/$name.load")" <<'PY'
import sys
path, made, name, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = []
for line in open(path):
    f = line.strip().split(",")
    # "count,unit,event,..."; a count perf could not take reads "<not counted>"
    if len(f) > 2 and f[0].isdigit() and "sys_enter_" in f[2]:
        rows.append((int(f[0]), f[2].split("sys_enter_")[1]))
total = sum(n for n, _ in rows)
print(f"{name}: {total / made:.2f} system calls per connection ({load})")
for n, call in sorted(rows, reverse=True):
    if n / made >= 0.05:
        print(f"  {n / made:6.2f}  {call}")
PY
}

# What one trivial system call costs here, to turn counts into time: fcntl(F_GETFL) and getsockname on an
# unconnected socket, a million each, which do no work in the kernel beyond entering and leaving it.
cat >"$work/trivial.c" <<'C'
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(void) {
  int s = socket(AF_INET, SOCK_STREAM, 0), n = 1000000;
  struct sockaddr_in a; socklen_t l = sizeof a;
  double t = now();
  for (int i = 0; i < n; i++) fcntl(s, F_GETFL);
  printf("a trivial system call: fcntl(F_GETFL) %.2f us", (now() - t) / n / 1000);
  t = now();
  for (int i = 0; i < n; i++) getsockname(s, (struct sockaddr *) &a, &l);
  printf(", getsockname %.2f us\n", (now() - t) / n / 1000);
  return 0;
}
C
gcc -O2 -o "$work/trivial" "$work/trivial.c"
"$work/trivial"

start_nginx $((port + 2)) "Hello World! This is Bhushan"
start_greeter "$jar" "$port" "$work/greeter.log"
for _ in $(seq 1 40); do [ -f "$work/nginx.pid" ] && break; sleep 0.25; done
"$work/greetload" -p "$port" -c 64 -d 10 >/dev/null # the JIT's warm-up
"$work/greetload" -p $((port + 2)) -c 64 -d 2 >/dev/null
count tcp-greeter "$port" "$pid"
# shellcheck disable=SC2046
count nginx $((port + 2)) "$nginx_pid" $(pgrep -P "$nginx_pid")

# The floor needs the foreign function API (its cork), final in Java 22.
feature=$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = \([0-9]*\).*/\1/p')
if [ "${feature:-0}" -ge 22 ]; then
  "$java" --enable-native-access=ALL-UNNAMED bench/CleanBareServer.java $((port + 4)) >"$work/floor.log" 2>&1 &
  floor_pid=$!
  for _ in $(seq 1 120); do grep -q listening "$work/floor.log" && break; sleep 0.25; done
  grep -q "TCP_CORK set" "$work/floor.log" || { echo "the floor did not start with its cork:" >&2; cat "$work/floor.log" >&2; exit 1; }
  "$work/greetload" -p $((port + 4)) -c 64 -d 10 >/dev/null # the JIT's warm-up
  count floor $((port + 4)) "$floor_pid"
else
  echo "floor: not counted, bench/CleanBareServer.java needs Java 22 or later (JAVA=$java)"
fi
