import socket

s = socket.socket()
s.bind(('', 8000))
s.listen(5)
while True:
    c, addr = s.accept()
    print('Connection established with', addr)
    c.send(b'Hello World! This is Bhushan')
    c.close()
