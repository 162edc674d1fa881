"""Prints the milliseconds from START_NS (date +%s%N) until a whole greeting arrives on 127.0.0.1:PORT.

Polls every few milliseconds, bounded by TIMEOUT seconds (default 120); used by the start-up benchmarks.

    python3 bench/first-greeting.py PORT START_NS [TIMEOUT]
"""
import socket
import sys
import time

GREETING = b"Hello World! This is Bhushan\r\n"

port, start = int(sys.argv[1]), int(sys.argv[2])
deadline = time.time() + (float(sys.argv[3]) if len(sys.argv) > 3 else 120)
while time.time() < deadline:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            data = b""
            while chunk := connection.recv(1024):
                data += chunk
            if data == GREETING:
                print(round((time.time_ns() - start) / 1e6))
                sys.exit(0)
    except OSError:
        pass  # not listening yet
    time.sleep(0.005)
sys.exit("no greeting within the timeout")
