"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, each message saved as a file.

Usage: python3 smtp_sink.py DIR [--tls CERT KEY] [--require-tls]
Prints the port, serves until standard input closes. With --tls it offers STARTTLS; with
--require-tls it refuses mail until STARTTLS. Each saved message starts with X-Rcpt-To and
X-TLS (yes when it came over TLS).
"""
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller


class SaveToDirectory:
    def __init__(self, directory):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.directory, f"{time.time_ns()}")
        with open(name + ".tmp", "wb") as f:
            f.write(b"X-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode() + b"\r\n")
            f.write(b"X-TLS: " + (b"yes" if session.ssl is not None else b"no") + b"\r\n")
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name + ".eml")
        return "250 OK"


args = sys.argv[1:]
directory = args.pop(0)
options = {}
if "--tls" in args:
    at = args.index("--tls")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args[at + 1], args[at + 2])
    options["tls_context"] = context
    options["require_starttls"] = "--require-tls" in args

probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
controller = Controller(SaveToDirectory(directory), hostname="127.0.0.1", port=port, **options)
controller.start()
print(port, flush=True)
sys.stdin.read()
controller.stop()
