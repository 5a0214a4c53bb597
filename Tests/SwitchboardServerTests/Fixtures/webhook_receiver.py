"""A real webhook receiver for the tests, checking signatures on its own (Python's hmac).

Usage: python3 webhook_receiver.py DIR [PORT]
Prints its port, serves until standard input closes. Each request is saved as DIR/<n>.json:
{"event", "delivery", "valid", "answered", "body"} — `valid` when X-Switchboard-Signature is
HMAC-SHA256(secret, "t." + body) with the secret in DIR/secret (written by the test once the
webhook exists). What it answers is steered by files in DIR, read at each request:
  DIR/fail   answer 500 while it exists;
  DIR/delay  wait that many seconds first (and record the request as it arrives, "answered": null);
  DIR/status answer that status (e.g. 302, with a Location to DIR/location's address);
  DIR/big    send that many bytes of body with the answer.
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

directory = sys.argv[1]
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
counter = iter(range(1, 1 << 30))
lock = threading.Lock()


def verified(secret, header, body):
    """The scheme receivers use: t=UNIX_SECONDS,v1=HEX over "UNIX_SECONDS." + the raw body."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields["v1"])
    except (KeyError, ValueError):
        return False


def read(name):
    try:
        with open(os.path.join(directory, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


class Receiver(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def save(self, record):
        with lock:
            n = next(counter)
        name = os.path.join(directory, f"{n:06d}")
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name + ".json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        record = {
            "event": self.headers.get("X-Switchboard-Event"),
            "delivery": self.headers.get("X-Switchboard-Delivery"),
            "valid": verified(read("secret") or "", self.headers.get("X-Switchboard-Signature", ""), body),
            "body": json.loads(body or b"null"),
        }
        delay = read("delay")
        if delay:
            self.save({**record, "answered": None})
            time.sleep(float(delay))
        status = 500 if os.path.exists(os.path.join(directory, "fail")) else int(read("status") or 200)
        if not delay:
            self.save({**record, "answered": status})
        body = b"x" * int(read("big") or 2)
        self.send_response(status)
        if read("location"):
            self.send_header("Location", read("location"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server read what it wanted and went


server = ThreadingHTTPServer(("127.0.0.1", port), Receiver)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print(server.server_address[1], flush=True)
sys.stdin.read()
server.shutdown()
