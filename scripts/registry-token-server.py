#!/usr/bin/env python3
"""A registry token server on loopback, for clnrm's registry-auth tests.

Debian's docker-registry configured with `auth: token` (scripts/start-registry.sh
DIR PORT REALM CERT) sends clients to a token service; this is one, as small
as the distribution token spec allows
(https://distribution.github.io/distribution/spec/auth/token/):

  registry-token-server.py init KEYDIR        makes KEYDIR/key.pem (RSA 2048,
                                              0600) and its self-signed
                                              KEYDIR/cert.pem, the registry's
                                              rootcertbundle
  registry-token-server.py serve KEYDIR PORT  answers GET /token on 127.0.0.1:PORT

`serve` requires HTTP Basic credentials: KEYDIR/users holds one account per
line, "NAME PASSWORD ACTIONS" (ACTIONS: "pull" or "pull,push"). A request
without them, or with a wrong password, gets 401; a right one gets a JWT
(RS256, the certificate in its x5c header, issuer "clnrm-test-token-server")
granting, for each scope asked, the actions asked that the account has.
Each request is logged to KEYDIR/requests.log as one JSON line: the
Authorization scheme received ("basic", "bearer", "none"), the account when
the password matched, what was granted. Passwords and tokens are never
logged.

Keys are made per test run in the test's temp directory; nothing here is
committed. Needs python3 and python3-cryptography (scripts/setup-deps.sh).
The caller owns the process (tests/support/loopback_token_server.h).
"""

import base64
import datetime
import hmac
import http.server
import json
import os
import sys
import time
import urllib.parse
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

ISSUER = "clnrm-test-token-server"
LIFETIME_SECONDS = 300


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def init(keydir):
    os.makedirs(keydir, mode=0o700, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ISSUER)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(os.path.join(keydir, "key.pem"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with open(os.path.join(keydir, "cert.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def load_users(keydir):
    users = {}
    with open(os.path.join(keydir, "users"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                users[parts[0]] = (parts[1], set(parts[2].split(",")))
    return users


def parse_scope(scope):
    # "repository:clnrm-test/x:pull,push" (the name may hold ':' for a port)
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return kind, name, [a for a in actions.split(",") if a]


class TokenHandler(http.server.BaseHTTPRequestHandler):
    server_version = "clnrm-test-token-server"

    def log_message(self, fmt, *args):  # no access log on stderr
        pass

    def record(self, entry):
        with open(os.path.join(self.server.keydir, "requests.log"), "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
            return
        query = urllib.parse.parse_qs(url.query)
        header = self.headers.get("Authorization", "")
        scheme = header.split(" ", 1)[0].lower() if header else "none"
        account = None
        if scheme == "basic":
            try:
                user, _, password = base64.b64decode(header.split(" ", 1)[1]).decode().partition(":")
            except Exception:  # a malformed header is a wrong password
                user, password = "", ""
            known = load_users(self.server.keydir).get(user)
            if known and hmac.compare_digest(known[0], password):
                account = (user, known[1])
        if account is None:
            self.record({"auth": scheme, "account": None, "status": 401})
            self.reply(
                401,
                {"errors": [{"code": "UNAUTHORIZED", "message": "credentials required"}]},
                [("WWW-Authenticate", 'Basic realm="clnrm-test-token-server"')],
            )
            return
        access = []
        for scope in query.get("scope", []):
            for one in scope.split(" "):
                kind, name, actions = parse_scope(one)
                granted = [a for a in actions if a in account[1]]
                if kind == "repository" and name and granted:
                    access.append({"type": kind, "name": name, "actions": granted})
        now = int(time.time())
        service = query.get("service", [""])[0]
        header_json = {"typ": "JWT", "alg": "RS256", "x5c": [self.server.cert_der_b64]}
        claims = {
            "iss": ISSUER,
            "sub": account[0],
            "aud": service,
            "exp": now + LIFETIME_SECONDS,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = b64url(json.dumps(header_json).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = self.server.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        token = signing_input + "." + b64url(signature)
        self.record({"auth": scheme, "account": account[0], "status": 200, "service": service, "access": access})
        self.reply(
            200,
            {
                "token": token,
                "access_token": token,
                "expires_in": LIFETIME_SECONDS,
                "issued_at": datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )


def serve(keydir, port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), TokenHandler)
    server.keydir = keydir
    with open(os.path.join(keydir, "key.pem"), "rb") as f:
        server.key = serialization.load_pem_private_key(f.read(), password=None)
    with open(os.path.join(keydir, "cert.pem"), "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    server.cert_der_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
    server.serve_forever()


def main(argv):
    if len(argv) == 3 and argv[1] == "init":
        init(argv[2])
    elif len(argv) == 4 and argv[1] == "serve":
        serve(argv[2], int(argv[3]))
    else:
        sys.exit("usage: registry-token-server.py init KEYDIR | serve KEYDIR PORT")


if __name__ == "__main__":
    main(sys.argv)
