"""HTTP/1.1 server for record-sensors.sh (stdlib only: run with /usr/bin/python3).

Every request path starts with /case/<ID>/. The response body for <ID> comes
from content.RESPONSES (leak and benign cases: plain, chunked with one chunk
per TCP segment, gzip, gzip+chunked); any other case (the attacks) gets a
small fixed JSON body that echoes nothing of the request, so attack strings
appear on the wire only in the client->server direction.

Request bodies are read by Content-Length or de-chunked (Transfer-Encoding:
chunked), never interpreted. Persistent connections; TCP_NODELAY; fixed Date
and Server headers so captures are comparable.
"""
import gzip
import http.server
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import content  # noqa: E402

FIXED_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"
PAUSE = 0.15          # seconds between chunks: each chunk its own segment
CASE = re.compile(r"^/case/([a-z][0-9]{2})/")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SluiceSensors/1.0"
    sys_version = ""

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp=None):
        return FIXED_DATE

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass          # trailers
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()  # CRLF after the chunk
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _chunk(self, part):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.flush()

    def _respond(self, head=False):
        m = CASE.match(self.path)
        case = m.group(1) if m else None
        if case not in content.RESPONSES:
            body = b'{"status":"ok","case":"%s"}\n' % (case or "none").encode()
            return self._plain(200 if case else 404, "application/json", body, head)
        mode, ctype, body = content.RESPONSES[case]
        if mode == "plain":
            return self._plain(200, ctype, body, head)
        if mode == "gzip":
            return self._plain(200, ctype, gzip.compress(body, mtime=0), head,
                               [("Content-Encoding", "gzip")])
        if mode == "gzip-chunked":
            z = gzip.compress(body, mtime=0)
            third = len(z) // 3
            body = [z[:third], z[third:2 * third], z[2 * third:]]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if mode == "gzip-chunked":
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        if head:
            return
        for part in body:
            time.sleep(PAUSE)
            self._chunk(part)
        time.sleep(PAUSE)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _plain(self, code, ctype, body, head, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self):
        self._respond()

    def do_HEAD(self):
        self._respond(head=True)

    def do_POST(self):
        self._read_body()
        self._respond()

    do_PUT = do_POST


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    host = sys.argv[1] if len(sys.argv) > 1 else "0.0.0.0"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 80
    Server((host, port), Handler).serve_forever()
