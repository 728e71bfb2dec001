"""Hold many idle Socket.IO clients open from one thread, cheaply, for bench/realtime_latency.py.

Speaks just enough of Engine.IO v4 / Socket.IO v5 over WebSocket (wsproto + selectors):
connect with `{"token": ...}` as the auth payload, answer the server's pings, count the
events received. A thread per client (python-socketio's Client) would make this process,
not the server under test, the bottleneck.

    python bench/socketio_holder.py URL TOKEN COUNT

Prints "ready N" once N clients are connected, then holds them until stdin closes and
prints "held <still connected> received <events> dropped <count>".
"""

from __future__ import annotations

import json
import selectors
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Message, Ping, RejectConnection, Request


class Conn:
    def __init__(self, host: str, port: int, token: str) -> None:
        self.sock = socket.create_connection((host, port), timeout=20)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.token = token
        self.buffer = ""
        self.state = "opening"  # -> handshake -> connected -> closed
        self.received = 0
        self.sock.sendall(self.ws.send(Request(host=f"{host}:{port}", target="/socket.io/?EIO=4&transport=websocket")))

    def send_text(self, text: str) -> None:
        self.sock.sendall(self.ws.send(Message(data=text)))

    def feed(self, data: bytes) -> None:
        if not data:
            self.state = "closed"
            return
        self.ws.receive_data(data)
        for event in self.ws.events():
            if isinstance(event, AcceptConnection):
                self.state = "handshake"
            elif isinstance(event, RejectConnection | CloseConnection):
                self.state = "closed"
            elif isinstance(event, Ping):
                self.sock.sendall(self.ws.send(event.response()))
            elif isinstance(event, Message):
                self.buffer += event.data
                if event.message_finished:
                    self.packet(self.buffer)
                    self.buffer = ""

    def packet(self, text: str) -> None:
        kind = text[:1]
        if kind == "0":  # Engine.IO open: now join the default namespace with our auth
            self.send_text("40" + json.dumps({"token": self.token}))
        elif kind == "2":  # Engine.IO ping
            self.send_text("3")
        elif text.startswith("40"):
            self.state = "connected"
        elif text.startswith("44"):  # connect refused
            self.state = "closed"
        elif text.startswith("42"):
            self.received += 1
        elif kind == "1":
            self.state = "closed"


def main() -> int:
    url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    parts = urlsplit(url)
    selector = selectors.DefaultSelector()
    conns: list[Conn] = []
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()

    def pump(timeout: float) -> None:
        for key, _ in selector.select(timeout):
            conn: Conn = key.data
            try:
                conn.feed(conn.sock.recv(65536))
            except OSError:
                conn.state = "closed"
            if conn.state == "closed":
                selector.unregister(conn.sock)
                conn.sock.close()

    for _ in range(count):
        conn = Conn(parts.hostname, parts.port, token)
        conns.append(conn)
        selector.register(conn.sock, selectors.EVENT_READ, conn)
        pump(0)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sum(c.state == "connected" for c in conns) < count:
        if all(c.state in ("connected", "closed") for c in conns):
            break
        pump(0.1)
    print("ready", sum(c.state == "connected" for c in conns), flush=True)
    while not stop.is_set():
        pump(0.5)
    held = sum(c.state == "connected" for c in conns)
    received = sum(c.received for c in conns)
    for conn in conns:
        if conn.state != "closed":
            conn.sock.close()
    print("held", held, "received", received, "dropped", count - held, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
