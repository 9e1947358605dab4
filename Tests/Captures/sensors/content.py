"""Response bodies served by sensor_server.py, keyed by case id.

Leak cases (lNN) carry data dlp-pii / dlp-secrets must find; benign cases (bNN)
carry ordinary content none of the built-in sensors may alert on. Every
secret here is FAKE: card numbers are the networks' published test numbers,
keys and tokens are random strings in the right format, SSNs/IBANs are
well-known specimens.

Each entry: (mode, content-type, body) where mode is
  plain    Content-Length body
  chunked  body is a LIST of parts; each part is one chunk, written and
           flushed on its own with a pause between, so each lands in its own
           TCP segment (the interesting value is split across two parts)
  gzip     body gzip-compressed (mtime 0), Content-Length
  gzip-chunked  body gzip-compressed, then sent chunked in 3 parts
"""
import base64
import hashlib


def _b64lines(seed, nbytes, width=64):
    """Deterministic base64 filler (looks like key material, is not)."""
    raw = b""
    i = 0
    while len(raw) < nbytes:
        raw += hashlib.sha256(b"%s-%d" % (seed, i)).digest()
        i += 1
    b = base64.b64encode(raw[:nbytes]).decode()
    return "\n".join(b[j:j + width] for j in range(0, len(b), width))


RSA_KEY = ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + _b64lines(b"rsa", 1180)[16:] +
           "\n-----END RSA PRIVATE KEY-----\n")
EC_KEY = ("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI" + _b64lines(b"ec", 112)[9:] +
          "\n-----END EC PRIVATE KEY-----\n")
SSH_KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
           + _b64lines(b"ssh", 300, 70) + "\n-----END OPENSSH PRIVATE KEY-----\n")
PKCS8_ESCAPED = ("-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
                 + _b64lines(b"gcp", 600).replace("\n", "\\n") + "\\n-----END PRIVATE KEY-----\\n")
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
       "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
GH = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"          # 36 alphanumerics
AWS_ID, AWS_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STS_ID = "ASIAY34FZKBOKMUTVV7A"

CARDS = {   # network -> (published test number, formatted as printed)
    "visa": "4111 1111 1111 1111", "mastercard": "5555 5555 5555 4444",
    "mastercard2": "2223 0031 2200 3222", "amex": "3782 822463 10005",
    "discover": "6011 1111 1111 1117", "jcb": "3530 1113 3330 0000",
    "diners": "3056 930902 5904", "unionpay": "6200 0000 0000 0005",
}


def _order(card, name):
    return ('{"order":{"id":"ord_93f1","customer":"%s","payment":{"method":"card",'
            '"number":"%s","exp":"12/30","cvv":"123"},"total":"49.90"}}\n' % (name, card)).encode()


LEAKS = {
    "l01": ("plain", "application/json", _order(CARDS["visa"].replace(" ", ""), "Alice Example")),
    "l02": ("plain", "application/json", _order(CARDS["mastercard"], "Bob Example")[:-2]
            + b',"backup":"' + CARDS["mastercard2"].replace(" ", "-").encode() + b'"}\n'),
    "l03": ("plain", "application/json", _order(CARDS["amex"], "Carol Example")),
    "l04": ("plain", "text/plain", b"Card on file: " + CARDS["discover"].replace(" ", "-").encode() + b"\n"),
    "l05": ("plain", "application/json", _order(CARDS["jcb"].replace(" ", ""), "Daiki Example")),
    "l06": ("plain", "application/json", _order(CARDS["diners"], "Erin Example")),
    "l07": ("plain", "application/json", _order(CARDS["unionpay"].replace(" ", ""), "Fang Example")),
    # Visa number split across two TCP segments (two chunks).
    "l08": ("chunked", "application/json",
            [b'{"order":{"id":"ord_77a0","payment":{"number":"4111 1111 ', b'1111 1111","exp":"01/29"}}}\n']),
    # CSV export of every network, gzip-compressed.
    "l09": ("gzip", "text/csv", ("name,network,card,exp\n" + "".join(
        "Customer %d,%s,%s,0%d/2%d\n" % (i, k, v, i % 9 + 1, i % 10)
        for i, (k, v) in enumerate(CARDS.items()))).encode()),
    "l10": ("plain", "text/csv", b"employee,ssn,dept\nJane Roe,078-05-1120,Sales\nJohn Doe,219-09-9999,Ops\n"),
    "l11": ("plain", "application/json", b'{"employee":"Jane Roe","SSN":"536221234","dept":"HR"}\n'),
    "l12": ("plain", "application/json",
            b'{"payee":"Example GmbH","iban":"DE89 3704 0044 0532 0130 00","bic":"COBADEFFXXX"}\n'),
    "l13": ("plain", "text/plain", b"".join(b"user%02d@corp.example.com\n" % i for i in range(1, 13))),
    "l14": ("plain", "application/json", ('{"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z",'
            '"Type":"AWS-HMAC","AccessKeyId":"%s","SecretAccessKey":"%s","Token":"IQoJb3JpZ2luX2VjEXAMPLE",'
            '"Expiration":"2024-01-01T06:00:00Z"}\n' % (STS_ID, AWS_SECRET)).encode()),
    "l15": ("plain", "application/javascript",
            b'window.APP_CONFIG = { mapsKey: "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", zoom: 12 };\n'),
    "l16": ("plain", "application/json", ('{\n  "type": "service_account",\n  "project_id": "demo-project",\n'
            '  "private_key_id": "0123456789abcdef0123456789abcdef01234567",\n'
            '  "private_key": "%s",\n  "client_email": "svc@demo-project.iam.gserviceaccount.com"\n}\n'
            % PKCS8_ESCAPED).encode()),
    "l17": ("plain", "text/plain", ("GITHUB_TOKEN=ghp_%s\nDEPLOY=1\n" % GH).encode()),
    "l18": ("plain", "application/json", ('{"tokens":{"oauth":"gho_%s","user":"ghu_%s","app":"ghs_%s",'
            '"refresh":"ghr_%s%s","pat":"github_pat_11ABCDEFG0123456789abc_%s%s"}}\n'
            % (GH, GH, GH, GH, GH, GH, GH[:23])).encode()),
    "l19": ("plain", "application/x-pem-file", RSA_KEY.encode()),
    "l20": ("plain", "text/plain", SSH_KEY.encode()),
    "l21": ("plain", "application/x-pem-file", EC_KEY.encode()),
    "l22": ("plain", "application/json", ('{"access_token":"%s","token_type":"Bearer"}\n' % JWT).encode()),
    "l23": ("plain", "text/plain", b"SLACK_BOT_TOKEN=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n"
            b"STRIPE_SECRET_KEY=sk_live_51Hx0AbCdEfGhIjKlMnOpQrStUv\n"),
    "l24": ("plain", "text/plain", b"DATABASE_URL=postgres://app:Pa55w0rd@db.internal:5432/app\n"),
    # AWS key id and the PEM header each split across two TCP segments.
    "l25": ("chunked", "text/plain", [b"[default]\naws_access_key_id = AKIAIOSF",
                                      b"ODNN7EXAMPLE\nregion = eu-west-1\n-----BEGIN RSA PRIV",
                                      ("ATE KEY-----\n" + RSA_KEY.split("\n", 1)[1]).encode()]),
    "l26": ("gzip", "text/plain", ("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nGITHUB_TOKEN=ghp_%s\n"
                                   % (AWS_ID, AWS_SECRET, GH)).encode()),
    "l27": ("gzip-chunked", "application/json", ('{"session":"%s","profile":{"name":"Jane Roe","ssn":"078-05-1120"}}\n'
                                                 % JWT).encode()),
}

# ------------------------------------------------------------------ benign
B01 = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Choosing a union representative</title>
<link rel="stylesheet" href="/static/site.css">
<script src="/static/app.js" defer></script>
<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>
</head><body>
<nav><a href="../../index.html">Home</a> | <a href="javascript:void(0)" onclick="toggleMenu()">Menu</a></nav>
<h1>How to select a union representative</h1>
<p>Every spring the members of the union select their representatives. Candidates are listed in
alphabetical order by surname; select one or two names, or leave the ballot blank. The union and the
employer then meet to agree on the order of business, and the minutes are kept in order by date.</p>
<p>It's one or the other: either the committee decides, or the members vote. 1 or 2 delegates are
sent from each branch, and 3 and 4 are reserves. Drop by the office; select a time that suits you.</p>
<p>Questions? Write to <a href="mailto:office@union.example">office@union.example</a> or call
+1 (555) 010-4477 between 9:00 and 17:00. Last updated 2024-03-15.</p>
<form action="/case/b05/login" method="post"><select name="branch"><option>North</option>
<option>South</option></select><input type="password" name="password"><button type="submit"
onclick="return validate(this.form)">Sign in</button></form>
<img src="/img/logo.png" onerror="this.src='/img/fallback.png'" alt="logo">
</body></html>
"""

B02 = (b'{"orders":[' + b",".join(
    b'{"order_no":"%s","id":"%s","placed":"2024-0%d-1%dT10:2%d:00Z","phone":"+1-555-01%02d",'
    b'"items":%d,"total":"%d.99"}' % (n, u, i % 9 + 1, i, i, i, i + 1, 10 * i + 5)
    for i, (n, u) in enumerate([
        (b"4111111111111112", b"6f1c2a7e-3b44-4d0e-9a51-0c2f8d1e7b30"),   # Luhn fails
        (b"5555555555554445", b"0b8e4f32-9c1a-4e55-8f0d-7d2c6a913e44"),
        (b"1000200030004001", b"9d7a6c51-2e3f-4a8b-b1c0-5e4d3c2b1a09"),
        (b"3782822463100051", b"11111111-2222-4333-8444-555555555555"),
        (b"6011111111111118", b"a3b2c1d0-e9f8-4a7b-9c6d-5e4f3a2b1c0d"),
    ])) + b'],"page":1,"per_page":5,"next":"/api/orders?page=2&sort=date&order=desc"}\n')

# 1x1 PNG + some more base64 data
PNG = base64.b64encode(hashlib.sha512(b"png").digest() * 6).decode()
B04 = ("""<!doctype html><html><body><h2>Gallery</h2>
<img alt="pixel" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">
<img alt="thumb" src="data:image/png;base64,%s">
<p>Photo 2024-01-15 12:30, order #1000200030004001, ISBN 978-3-16-148410-0, ref 123-456-789.</p>
</body></html>
""" % PNG).encode()

B07_JS = b"""/* site.js -- menu, consent banner, forms */
(function () {
  'use strict';
  function toggleMenu() { document.body.classList.toggle('menu-open'); }
  if (document.cookie.indexOf('consent=') < 0) { showBanner(); }
  var select = document.querySelector('select[name=branch]');
  var order = items.sort(function (a, b) { return a.order - b.order || a.id - b.id; });
  fetch('/api/orders?page=1').then(function (r) { return r.json(); });
  async function retry() { await sleep(100); return load(); }
  window.addEventListener('load', function () { init(); });
})();
"""

B07_CSS = b"""/* reset */
select, input, textarea { font: inherit; }
/* or use the system font */
body { font-family: system-ui; } a:hover { color: #0050a0; }
.union-badge { display: inline-block; } /* select the badge */
"""

B08 = b"""<!doctype html><html><head><title>Release notes</title></head><body>
<h1>Release notes</h1>
<ul><li>Search results can now be sorted: order by relevance, or by date.</li>
<li>Select multiple rows and drop them into a folder.</li>
<li>The union of two filters now shows all matching items.</li>
<li>Fixed: deleting from the list; updated the sleep timer (sleep 5 minutes).</li></ul>
<p>See ../../docs/usage.html and /docs/etc/faq.html for details. Contact: support@example.com,
sales@example.com.</p>
</body></html>
""" * 3

B09 = [b'{"users":[{"id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","name":"Jane O\'Brien","email":"jane@exam',
       b'ple.com","joined":"2023-11-02"},{"id":"e5f4c3b2-a1d0-4c9b-8a7f-6e5d4c3b2a10","name":"Ola N.",'
       b'"email":"ola@example.org","joined":"2024-02-29"}],"total":2}\n']

BENIGN = {
    "b01": ("plain", "text/html; charset=utf-8", B01),
    "b02": ("plain", "application/json", B02),
    "b04": ("plain", "text/html", B04),
    "b07": ("plain", "application/javascript", B07_JS),
    "b08": ("gzip", "text/html", B08),
    "b09": ("chunked", "application/json", B09),
    "b12": ("plain", "text/css", B07_CSS),
    "b13": ("gzip-chunked", "application/json", B02),
}

RESPONSES = dict(LEAKS)
RESPONSES.update(BENIGN)
