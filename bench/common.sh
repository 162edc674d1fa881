# Shared by bench/run.sh and bench/ab.sh; sourced, not run. Sets java, jvm_opts and work (a temporary
# folder removed on exit), builds the load generator into it, and defines how a server is started,
# awaited and stopped by its PID.
#
# Environment: JAVA (default Temurin 25, else java), GREETER_JVM_OPTS (default: the documented settings
# below), GREETER_ARGS (extra tcp-greeter arguments).
java=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
[ -x "$java" ] || java=$(command -v java)
# The documented settings for the jar (docs/operations.md, "Memory"): a bounded heap and a small GC.
jvm_opts=${GREETER_JVM_OPTS:--Xms64m -Xmx128m -XX:+UseSerialGC -XX:+AlwaysPreTouch}
work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi
}
trap 'stop; rm -rf "$work"' EXIT

command -v gcc >/dev/null || { echo "gcc is needed" >&2; exit 2; }
gcc -O2 -pthread -o "$work/greetload" bench/greetload.c

wait_for() { # log pattern: up to 60 s, while the server lives
  for _ in $(seq 1 240); do grep -q "$2" "$1" && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  echo "server did not start:" >&2; cat "$1" >&2; exit 1
}

start_greeter() { # jar port log: tcp-greeter on 127.0.0.1:port, its actuator on port+1
  # shellcheck disable=SC2086
  "$java" $jvm_opts -jar "$1" --greeter.server.address=127.0.0.1 --greeter.server.port="$2" \
    --server.address=127.0.0.1 --server.port=$(($2 + 1)) ${GREETER_ARGS:-} >"$3" 2>&1 &
  pid=$!
  wait_for "$3" "Greeting server listening"
}

install_nginx() { # Debian's nginx-light and its stream module, when missing
  if ! command -v nginx >/dev/null || [ ! -f /usr/lib/nginx/modules/ngx_stream_module.so ]; then
    echo "== installing nginx-light and libnginx-mod-stream (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light libnginx-mod-stream >/dev/null
  fi
}

start_nginx() { # port greeting: nginx's stream `return` on 127.0.0.1:port, a worker per core; sets nginx_pid
  cat >"$work/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
stream {
  server {
    listen 127.0.0.1:$1 backlog=1024;
    return "$2\r\n";
  }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work" &
  nginx_pid=$!
}

image_env=() # environment assignments for image_app's training run (bench/memory.sh sets them per setting)
image_app() { # cache jvm-option...: the application as the image has it, in $work/app: the jar extracted
  # (jarmode tools, once), and the JDK's AOT cache recorded at the path given by a training run with the given
  # options and Spring's AOT mode, as the Dockerfile does (once per cache). Run it from $work/app with
  # -XX:AOTCache=<cache> -Dspring.aot.enabled=true -jar tcp-greeter.jar.
  local cache=$1; shift
  [ -f "$work/app/tcp-greeter.jar" ] ||
    "$java" -Djarmode=tools -jar target/tcp-greeter.jar extract --destination "$work/app" >/dev/null
  [ -f "$cache" ] && return 0
  (cd "$work/app" && env "${image_env[@]}" "$java" "$@" -Dspring.aot.enabled=true -XX:AOTCacheOutput="$cache" \
    -Dspring.context.exit=onRefresh -jar tcp-greeter.jar --greeter.server.port=0 --server.port=0 \
    >"$work/training.log" 2>&1) || { echo "the training run for $cache failed:" >&2; cat "$work/training.log" >&2; exit 1; }
}
