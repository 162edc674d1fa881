#!/usr/bin/env bash
# tcp-greeter against its peers on the same cores, in one run: a bare single-thread Java accept loop
# (bench/BareServer.java; BARE_THREADS=2 for one per core, each on its own SO_REUSEPORT socket) and
# nginx's stream module (`return "...";`, worker_processes auto, what a user would pick instead). All
# three stay up and are measured in turns, round after round, by the same C load generator
# (bench/greetload.c, which checks every byte of every greeting): on a shared machine a drift of 10 %
# within minutes is common, and turns keep it from favouring any of them. Reports the medians of
# connections/s and p99, server CPU per connection (from /proc, user + system, all of a server's
# processes) and the rest's (the machine's busy time less the server's: the load generator, and the
# kernel's work for the client side), idle and peak RSS, and the ratios to nginx; then checks that
# tcp-greeter's metrics add up to the connections made. Loopback only; every process it starts is
# stopped by its PID. Needs gcc; installs Debian's nginx-light and libnginx-mod-stream when missing.
#
#   bench/run.sh [seconds per measurement 1-600, default 8] [rounds 1-20, default 3] [concurrencies, default "1 64"]
#
# Environment: JAVA, GREETER_JVM_OPTS, GREETER_ARGS (bench/common.sh), BENCH_PORT (default 18900; uses it
# to +3), BARE_THREADS (the bare loop's accepting threads, default 1), BARE_MODE (`close`, the default: the
# bare loop closes at once; `clean`: it makes tcp-greeter's clean close, with the cork and a drain thread,
# and nothing else of tcp-greeter: the floor of its design, Java 22 and later, bench/CleanBareServer.java).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
rounds=${2:-3}
concurrencies=${3:-1 64}
[ "$seconds" -ge 1 ] && [ "$seconds" -le 600 ] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] ||
  { echo "usage: bench/run.sh [seconds 1-600] [rounds 1-20] [concurrencies]" >&2; exit 2; }
port=${BENCH_PORT:-18900}
bare_port=$port nginx_port=$((port + 1)) greeter_port=$((port + 2)) # and its actuator on +3
# shellcheck source=bench/common.sh
. bench/common.sh
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
cp target/tcp-greeter.jar "$work/tcp-greeter.jar"

install_nginx

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

greeting="Hello World! This is Bhushan"
echo "== $(date -u +%FT%TZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$("$java" -version 2>&1 | head -1), $(nginx -v 2>&1), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"

if [ "${BARE_MODE:-close}" = clean ]; then
  "$java" --enable-native-access=ALL-UNNAMED bench/CleanBareServer.java "$bare_port" >"$work/bare.log" 2>&1 &
elif [ "${BARE_MODE:-close}" = clean-recv ]; then
  "$java" --enable-native-access=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED bench/CleanBareServer.java \
    "$bare_port" recv >"$work/bare.log" 2>&1 &
else
  "$java" bench/BareServer.java "$bare_port" "${BARE_THREADS:-1}" >"$work/bare.log" 2>&1 &
fi
bare=$!; pids+=("$bare")
start_nginx "$nginx_port" "$greeting"
nginx=$nginx_pid; pids+=("$nginx")
# shellcheck disable=SC2086
"$java" $jvm_opts -jar "$work/tcp-greeter.jar" --greeter.server.address=127.0.0.1 --greeter.server.port="$greeter_port" \
  --server.address=127.0.0.1 --server.port=$((greeter_port + 1)) ${GREETER_ARGS:-} >"$work/greeter.log" 2>&1 &
greeter=$!; pids+=("$greeter")
for _ in $(seq 1 240); do
  grep -q listening "$work/bare.log" && grep -q "Greeting server listening" "$work/greeter.log" \
    && [ -f "$work/nginx.pid" ] && break
  sleep 0.25
done
echo "== tcp-greeter: $jvm_opts ${GREETER_ARGS:-}; bare: $(head -1 "$work/bare.log")"

# Every process of a server: nginx's master and workers.
procs() { echo "$1"; pgrep -P "$1" || true; }
cpu_ticks() { local t=0 p; for p in $(procs "$1"); do
  t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
rss_mb() { local t=0 p; for p in $(procs "$1"); do
  t=$((t + $(awk -v k="$2:" '$1 == k { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0))); done; echo $((t / 1024)); }
tck=$(getconf CLK_TCK)
# The whole machine's busy time (all but idle and iowait), for what the rest (the load generator, and
# the kernel's work for the client side) spends per connection beside the server.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

declare -A pid_of=([bare]=$bare [nginx]=$nginx [tcp-greeter]=$greeter)
declare -A port_of=([bare]=$bare_port [nginx]=$nginx_port [tcp-greeter]=$greeter_port)
declare -A made=()
for name in bare nginx tcp-greeter; do
  echo "$name idle_rss_mb=$(rss_mb "${pid_of[$name]}" VmRSS)" >>"$work/rss"
  # Warm-up: the JIT, thread pools.
  "$work/greetload" -p "${port_of[$name]}" -c 64 -d 5 >"$work/last" || true
  made[$name]=$(sed -E 's/.*connections=([0-9]+).*/\1/' "$work/last")
done
for round in $(seq 1 "$rounds"); do
  for c in $concurrencies; do
    for name in bare nginx tcp-greeter; do
      before=$(cpu_ticks "${pid_of[$name]}") busy_before=$(busy_ticks)
      "$work/greetload" -p "${port_of[$name]}" -c "$c" -d "$seconds" >"$work/last" || true
      after=$(cpu_ticks "${pid_of[$name]}") busy_after=$(busy_ticks)
      n=$(sed -E 's/.*connections=([0-9]+).*/\1/' "$work/last")
      made[$name]=$((made[$name] + n))
      cpu_us=$(awk -v d=$((after - before)) -v n="$n" -v t="$tck" 'BEGIN { printf "%.1f", (n > 0) ? d * 1e6 / t / n : 0 }')
      rest_us=$(awk -v d=$((busy_after - busy_before - after + before)) -v n="$n" -v t="$tck" \
        'BEGIN { printf "%.1f", (n > 0) ? d * 1e6 / t / n : 0 }')
      echo "round $round $name $c $(cat "$work/last") cpu_us_per_conn=$cpu_us rest_cpu_us_per_conn=$rest_us" \
        | tee -a "$work/raw"
    done
  done
done
for name in bare nginx tcp-greeter; do
  echo "$name peak_rss_mb=$(rss_mb "${pid_of[$name]}" VmHWM)" >>"$work/rss"
done

# The metrics must add up to what the load generator made (warm-up included), active back to 0.
scrape() {
  curl -s "http://127.0.0.1:$((greeter_port + 1))/actuator/prometheus" \
    | awk -v m="$1" '{ n = $1; sub(/\{.*/, "", n) } n == m { s += $2; found = 1 } END { if (found) print int(s) }'
}
total=${made[tcp-greeter]}
for _ in $(seq 1 40); do [ "$(scrape greeter_connections_closed_total)" = "$total" ] && break; sleep 0.25; done
opened=$(scrape greeter_connections_opened_total)
closed=$(scrape greeter_connections_closed_total)
sent=$(scrape greeter_greetings_sent_total)
active=$(scrape greeter_connections_active)

python3 - "$work/raw" "$work/rss" "$concurrencies" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _, _, name, c, *fields = line.split()
    f = dict(x.split("=") for x in fields)
    rows.setdefault((name, int(c)), []).append(f)
cs = [int(c) for c in sys.argv[3].split()]
def median(name, c, key):
    return statistics.median(float(f[key]) for f in rows[(name, c)])
print("| server | c | connections/s | p99 ms | server CPU µs/connection | the rest's CPU µs/connection | errors | verified |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name in ("bare", "nginx", "tcp-greeter"):
    for c in cs:
        errors = sum(int(f["errors"]) for f in rows[(name, c)])
        verified = sum(int(f["verified"]) for f in rows[(name, c)])
        print(f"| {name} | {c} | {median(name, c, 'rate'):.0f} | {median(name, c, 'p99_us')/1000:.2f} |"
              f" {median(name, c, 'cpu_us_per_conn'):.1f} | {median(name, c, 'rest_cpu_us_per_conn'):.1f} |"
              f" {errors} | {verified} |")
print()
for c in cs:
    g, n, b = (median(x, c, "rate") for x in ("tcp-greeter", "nginx", "bare"))
    gc, bc = median("tcp-greeter", c, "cpu_us_per_conn"), median("bare", c, "cpu_us_per_conn")
    nc = median("nginx", c, "cpu_us_per_conn")
    gp, np_ = median("tcp-greeter", c, "p99_us"), median("nginx", c, "p99_us")
    print(f"c={c}: tcp-greeter/nginx throughput {g / n:.2f}, tcp-greeter/bare {g / b:.2f};"
          f" CPU per connection tcp-greeter/nginx {gc / nc:.2f}, tcp-greeter/bare {gc / bc:.2f};"
          f" p99 tcp-greeter/nginx {gp / np_:.2f}")
for line in open(sys.argv[2]):
    print(line.strip())
PY
echo "tcp-greeter metrics: opened=$opened closed=$closed greetings_sent=$sent active=$active; load generator made $total"
if [ "$opened" = "$total" ] && [ "$closed" = "$total" ] && [ "$sent" = "$total" ] && [ "$active" = "0" ]; then
  echo "metrics add up"
else
  echo "METRICS DO NOT ADD UP" >&2
  exit 1
fi
