#!/usr/bin/env bash
# Container start-up: from `docker run` to the first greeting received on the published port, for the
# image as built (JDK AOT cache + Spring AOT mode) and for the same image started without either. Needs a
# container engine: run it as ../shared/container/with-engine.sh bench/container-startup.sh where Docker is
# missing. Ports on 127.0.0.1 only; every container it starts is removed.
#
#   bench/container-startup.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
image=${IMAGE:-tcp-greeter:bench}
port=${BENCH_PORT:-18990}
name=tcp-greeter-bench-$$
trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
extra_ca=""
[ -d /usr/local/share/ca-certificates ] && extra_ca=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)
docker build -q --build-arg EXTRA_CA_CERTS="$extra_ca" -t "$image" . >/dev/null

first_greeting_ms() { # docker run arguments after the image...
  docker rm -f "$name" >/dev/null 2>&1 || true
  local start
  start=$(date +%s%N)
  docker run -d --name "$name" -p "127.0.0.1:$port:8000" "$@" >/dev/null
  python3 bench/first-greeting.py "$port" "$start"
  docker rm -f "$name" >/dev/null
}

echo "machine: $(nproc) cores; $(date -u +%F); image $image: $(docker images "$image" --format '{{.Size}}')"
echo "| variant | runs (ms, docker run to first greeting) | median ms |"
echo "|---|---|---:|"
for variant in "as built (AOT cache + Spring AOT)" "without AOT cache or Spring AOT"; do
  times=()
  for _ in $(seq 1 "$runs"); do
    if [ "$variant" = "as built (AOT cache + Spring AOT)" ]; then
      times+=("$(first_greeting_ms "$image")")
    else
      times+=("$(first_greeting_ms --entrypoint java "$image" -XX:+UseSerialGC -XX:InitialRAMPercentage=25 \
        -XX:MaxRAMPercentage=50 -jar tcp-greeter.jar)")
    fi
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| $variant | ${times[*]} | $median |"
done
