"""Send raw bytes in ONE write and print everything received until EOF.

Usage: raw_client.py HOST PORT PAYLOAD   (PAYLOAD with \\r \\n escapes)
Used for pipelined HTTP/1.1 requests and text protocols (memcached).
"""
import socket
import sys

host, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = payload.encode().decode("unicode_escape").encode("latin-1")
with socket.create_connection((host, port), timeout=5) as s:
    s.sendall(data)                  # one write -> one segment (small payload)
    s.shutdown(socket.SHUT_WR) if "--half-close" in sys.argv[4:] else None
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        out += chunk
sys.stdout.write(out.decode("latin-1"))
