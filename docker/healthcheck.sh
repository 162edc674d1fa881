#!/bin/bash
# The container's HEALTHCHECK: asks tcp-greeter's readiness endpoint and exits 0 when it answers 200.
# Bash's /dev/tcp, so that no JVM is started every 10 s (one cost more CPU than the idle server uses);
# it asks the actuator rather than port 8000, so that health checks never show up in the greeting
# metrics. The HEALTHCHECK's --timeout bounds it as a whole.
port=${SERVER_PORT:-8080}
if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  echo "tcp-greeter health: nothing listens on port $port" >&2
  exit 1
fi
printf 'GET /actuator/health/readiness HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
if ! IFS= read -r -t 3 status <&3; then
  echo "tcp-greeter health: no answer on port $port" >&2
  exit 1
fi
case "$status" in
  "HTTP/1.1 200 "*) exit 0 ;;
  *) echo "tcp-greeter health: readiness answered ${status%$'\r'}" >&2; exit 1 ;;
esac
