"""Tiny ASGI app served by hypercorn (h2c: prior knowledge AND Upgrade: h2c).

  GET  /index.html  200 text/html
  GET  /style.css   200 text/css
  POST /submit      201, echoes the body length
  anything else     404
Run: hypercorn --bind 10.77.0.2:80 --bind [fd77::2]:80 h2_app:app
"""
INDEX = (b"<!doctype html>\n<html><head><title>sluice h2</title></head>\n"
         b"<body><h1>Sluice HTTP/2 test page</h1></body></html>\n")
CSS = b"body { font-family: sans-serif; color: #123456; }\n"


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    path, method = scope["path"], scope["method"]
    if method in ("GET", "HEAD") and path in ("/", "/index.html"):
        status, ctype, out = 200, b"text/html", INDEX
    elif method in ("GET", "HEAD") and path == "/style.css":
        status, ctype, out = 200, b"text/css", CSS
    elif method == "POST" and path == "/submit":
        status, ctype, out = 201, b"text/plain", b"received %d bytes\n" % len(body)
    else:
        status, ctype, out = 404, b"text/plain", b"not found\n"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype),
                            (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else out})
