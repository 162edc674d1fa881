# A client that speaks first, as telnet, nc with input, an HTTP health check or a person do:
# it sends a line, waits a moment, then reads. Usage: python3 talker.py [port]
import socket
import sys
import time

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
s = socket.create_connection(('127.0.0.1', port), timeout=10)
s.sendall(b'hello, is anybody there?\r\n')
time.sleep(0.5)
try:
    data = b''
    while chunk := s.recv(4096):
        data += chunk
    print('received', data)
except ConnectionResetError as e:
    print('reset, received', data, '-', e)
s.close()
