#!/usr/bin/env bash
# Where tcp-greeter spends its CPU under load: async-profiler (from Maven Central, into target/) attached
# as an agent after a warm-up, CPU samples every 10 ms with kernel frames, while bench/greetload.c drives one
# concurrency level; then the samples of the measured run are grouped by what they are doing (the
# JIT, the virtual-thread scheduler parking and waking carrier threads, the JDK's poller, accept, the
# greeting's write, logging, ...), and what is left is broken down by its innermost application or
# framework frame. Loopback only; the server is stopped by its PID.
#
#   bench/profile.sh [concurrency, default 1] [seconds 5-120, default 15]
#
# Environment: JAVA, GREETER_JVM_OPTS, GREETER_ARGS (bench/common.sh), BENCH_PORT (default 18980),
# PROFILE_OUT (a file to keep the collapsed stacks in, for a closer look or a flame graph).
set -euo pipefail
cd "$(dirname "$0")/.."
c=${1:-1}
seconds=${2:-15}
[ "$seconds" -ge 5 ] && [ "$seconds" -le 120 ] || { echo "seconds must be 5-120" >&2; exit 2; }
port=${BENCH_PORT:-18980}
# shellcheck source=bench/common.sh
. bench/common.sh
[ -f target/tcp-greeter.jar ] || ./mvnw -B -q -DskipTests package
version=4.1
agent=target/async-profiler-$version/linux-x64/libasyncProfiler.so
if [ ! -f "$agent" ]; then
  mkdir -p "target/async-profiler-$version"
  curl -sfL -o "target/async-profiler-$version.jar" \
    "https://repo1.maven.org/maven2/tools/profiler/async-profiler/$version/async-profiler-$version-linux-x64.jar"
  (cd "target/async-profiler-$version" && unzip -qo "../async-profiler-$version.jar")
fi
# Warm up first, then profile only the measured run: the agent starts when asked, over jcmd.
# Dynamically loaded below, after the warm-up; -XX:+EnableDynamicAgentLoading keeps the JDK quiet about it.
jvm_opts="$jvm_opts -XX:+EnableDynamicAgentLoading"
start_greeter target/tcp-greeter.jar "$port" "$work/greeter.log"
"$work/greetload" -p "$port" -c 64 -d 10 >/dev/null
# jcmd reads an argument with "=" as a name and a value, so no option here may have one: "start" is CPU
# samples every 10 ms, and "stop,collapsed" writes the stacks to the server's standard output (its log).
"$(dirname "$java")/jcmd" "$pid" JVMTI.agent_load "$(pwd)/$agent" start >/dev/null
echo "== $(date -u +%FT%TZ), $("$java" -version 2>&1 | head -1), c=$c for $seconds s under the profiler"
"$work/greetload" -p "$port" -c "$c" -d "$seconds"
"$(dirname "$java")/jcmd" "$pid" JVMTI.agent_load "$(pwd)/$agent" stop,collapsed >/dev/null

sleep 1
grep -E '^[^ ]+(;[^ ]+)* [0-9]+$' "$work/greeter.log" >"$work/profile.collapsed" || true
[ -z "${PROFILE_OUT:-}" ] || cp "$work/profile.collapsed" "$PROFILE_OUT"
python3 - "$work/profile.collapsed" <<'PY'
import collections, sys
# The first rule whose key is on a stack names its group; the keys are frames specific to one step
# of a connection's life, so that a step is found wherever it runs (the accepting thread greets too).
rules = [("the JIT compiler", "CompileBroker"), ("GC", "GCTaskThread"), ("GC", "VM_GenCollect"),
         ("logging: the per-connection line", "ch/qos/logback"),
         ("connection id: UUID.randomUUID (Spring Integration)", "UUID.randomUUID"),
         ("application events (open, exception, close)", "multicastEvent"),
         ("metrics", "dev/greeter/metrics"),
         ("messages: building the greeting's message", "MessageBuilder"),
         ("the factory's harvest of closed connections", "harvestClosedConnections"),
         ("the greeting's write", "GreetingConnection.send"),
         ("the half-close", "shutdownOutput"),
         ("virtual-thread scheduler: carriers parked and woken", "ForkJoinPool.awaitWork"),
         ("virtual-thread scheduler: carriers parked and woken", "ForkJoinPool.signalWork"),
         ("virtual-thread scheduler: carriers parked and woken", "ForkJoinPool.deactivate"),
         ("the JDK's poller (a blocked read or accept on a virtual thread)", "Poller"),
         ("accept", "ServerSocketChannelImpl.accept"), ("accept", "NioSocketImpl.accept"),
         ("accept", "ServerSocketAdaptor.accept"),
         ("close", "implCloseSelectableChannel"), ("close", "NioSocketImpl.close"),
         ("close", "SocketChannelImpl.kill"), ("close", "closeConnection"),
         ("switch to non-blocking", "configureBlocking"),
         ("the drain's read", "DrainSelector.readable"), ("the drain's read", "DrainingDeserializer"),
         ("the drain selector: registration", "DrainSelector.registerArrivals"),
         ("the drain selector: waiting (epoll)", "SelectorImpl.select"),
         ("the connection object", "TcpConnectionSupport.<init>"),
         ("the connection object", "initializeConnection"),
         ("the connection object", "GreetingConnection.<init>"),
         ("socket options", "setSocketAttributes")]
total, groups = 0, collections.Counter()
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    total += int(n)
    groups[next((name for name, key in rules if key in stack), "other")] += int(n)
print(f"{total} samples")
for name, n in groups.most_common():
    print(f"{100 * n / total:5.1f}%  {name}")
# What "other" is: each of its samples under the innermost frame of the application or the framework
# (or of the JDK, when neither is on the stack), the eight largest.
inner = collections.Counter()
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip().rpartition(" ")
    if next((name for name, key in rules if key in stack), "other") != "other":
        continue
    frames = stack.split(";")
    ours = [f for f in frames if f.startswith(("dev/greeter", "org/springframework"))]
    inner[(ours or [f for f in frames if "/" in f] or frames)[-1]] += int(n)
print("other, by innermost application or framework frame:")
for frame, n in inner.most_common(8):
    print(f"{100 * n / total:5.1f}%    {frame}")
PY
