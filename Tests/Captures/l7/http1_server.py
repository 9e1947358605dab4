"""HTTP/1.1 test server for record-l7.sh (stdlib only: run with /usr/bin/python3).

Dual-stack (one IPv6 socket with V6ONLY off), persistent connections,
deterministic headers (fixed Date / Server) so captures are comparable.

Routes:
  GET/HEAD /index.html   200, Last-Modified fixed; If-Modified-Since >= it -> 304
  GET      /chunked      200, Transfer-Encoding: chunked (4 chunks)
  GET      /gzip         200, Content-Encoding: gzip when the client accepts it
  POST     /submit       201, echoes the body length
  POST     /upload       200, Expect: 100-continue answered by 100 Continue
                         (BaseHTTPRequestHandler.handle_expect_100)
  any path containing ".." (raw, before decoding) -> 403
  anything else          404
"""
import gzip
import http.server
import socket
import sys

FIXED_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"
LAST_MODIFIED = "Sun, 01 Oct 2023 12:00:00 GMT"
INDEX = (b"<!doctype html>\n<html><head><title>sluice l7</title></head>\n"
         b"<body><h1>Sluice HTTP/1.1 test page</h1></body></html>\n")
GZ_TEXT = b"".join(b"sluice gzip line %03d: the quick brown fox jumps over the lazy dog\n" % i
                   for i in range(40))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SluiceL7/1.0"
    sys_version = ""

    def date_time_string(self, timestamp=None):  # deterministic Date header
        return FIXED_DATE

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _send(self, code, body=b"", ctype="text/plain", extra=(), head=False):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _index(self, head):
        ims = self.headers.get("If-Modified-Since")
        if ims:
            from email.utils import parsedate_to_datetime
            try:
                if parsedate_to_datetime(ims) >= parsedate_to_datetime(LAST_MODIFIED):
                    self.send_response(304)
                    self.send_header("Last-Modified", LAST_MODIFIED)
                    self.end_headers()
                    return
            except (TypeError, ValueError):
                pass
        self._send(200, INDEX, "text/html", [("Last-Modified", LAST_MODIFIED)], head)

    def _get(self, head):
        if ".." in self.path:
            return self._send(403, b"forbidden\n", head=head)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            return self._index(head)
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if not head:
                for part in (b"chunk one\n", b"chunk two is a bit longer\n", b"3\n",
                             b"last chunk\n"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            return
        if path == "/gzip":
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = gzip.compress(GZ_TEXT, mtime=0)  # mtime=0: deterministic
                return self._send(200, body, extra=[("Content-Encoding", "gzip"),
                                                    ("Vary", "Accept-Encoding")], head=head)
            return self._send(200, GZ_TEXT, head=head)
        return self._send(404, b"not found\n", head=head)

    def do_GET(self):
        self._get(False)

    def do_HEAD(self):
        self._get(True)

    def do_POST(self):
        body = self._read_body()
        path = self.path.split("?", 1)[0]
        if path == "/submit":
            return self._send(201, b"received %d bytes\n" % len(body),
                              extra=[("Location", "/submit/1")])
        if path == "/upload":
            return self._send(200, b"uploaded %d bytes\n" % len(body))
        return self._send(404, b"not found\n")


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 80
    Server(("::", port), Handler).serve_forever()
