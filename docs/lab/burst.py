# Opens many connections at once, as a load balancer or a busy network does, and reports how
# long the slowest took and how many waited a second or more: a SYN the kernel dropped because
# the listen backlog was full, sent again after 1 s (then 3 s, 7 s).
# Usage: python3 burst.py [connections] [port]
import selectors
import socket
import sys
import time

count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
selector = selectors.DefaultSelector()
began = time.monotonic()
for _ in range(count):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(('127.0.0.1', port))  # all the SYNs at once: nothing waits for an answer
    selector.register(s, selectors.EVENT_READ, bytearray())
greeted, failed, took = 0, 0, []
deadline = began + 20
while selector.get_map() and time.monotonic() < deadline:
    for key, _ in selector.select(timeout=1):
        try:
            chunk = key.fileobj.recv(4096)
        except BlockingIOError:
            continue
        except OSError as e:
            chunk, failed = None, failed + 1
            if failed == 1:
                print('first failure:', e)
        if chunk:
            key.data.extend(chunk)
            continue
        if chunk is not None:
            greeted += 1
            took.append(time.monotonic() - began)
        selector.unregister(key.fileobj)
        key.fileobj.close()
slow = sum(1 for t in took if t >= 1)
print(f'{count} connections: {greeted} greeted, {failed} failed, {len(selector.get_map())} still waiting; '
      f'the last after {max(took, default=0):.2f} s; {slow} after 1 s or more (a dropped SYN, sent again)')
