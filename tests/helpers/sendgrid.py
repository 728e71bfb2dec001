"""A fake SendGrid HTTP server on loopback: the real sendgrid client posts to it."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSendGrid:
    """Records POST /v3/mail/send and answers from a script: a status code, 'hold' (block
    until released, then drop the connection without an answer) or 'slow' (block until
    released, then accept)."""

    def __init__(self) -> None:
        self.script: list[int | str] = []
        self.requests: list[dict] = []  # every request received
        self.accepted: list[dict] = []  # only those answered 2xx
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake.lock:
                    fake.requests.append(body)
                    answer = fake.script.pop(0) if fake.script else 202
                if answer == "hold":
                    fake.held.set()
                    fake.release.wait(60)
                    self.close_connection = True
                    return  # no answer: the provider never accepted this one
                if answer == "slow":  # a slow provider: accepts, but only once released
                    fake.held.set()
                    fake.release.wait(60)
                    answer = 202
                self.send_response(int(answer))
                self.send_header("Content-Type", "application/json")
                if int(answer) < 300:
                    self.send_header("X-Message-Id", uuid.uuid4().hex)
                    with fake.lock:
                        fake.accepted.append(body)
                payload = b"" if int(answer) < 300 else b'{"errors":[{"message":"scripted failure"}]}'
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def accepted_to(self) -> list[str]:
        with self.lock:
            return sorted(p["personalizations"][0]["to"][0]["email"] for p in self.accepted)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
