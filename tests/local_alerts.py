"""Local stand-ins for alert channels: an HTTP server that records webhook posts (and can be told
to fail), and a minimal SMTP server in a thread. Both listen on 127.0.0.1 only."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class HookServer:
    url: str
    received: list[tuple[str, Any]] = field(default_factory=list)  # (path, json body)
    fail_next: int = 0  # answer this many requests with 503 first


@contextmanager
def hook_server() -> Iterator[HookServer]:
    state = HookServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if state.fail_next > 0:
                state.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                self.wfile.write(b"busy")
                return
            state.received.append((self.path, json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class MailServer:
    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)  # {"from", "to", "data"}


@contextmanager
def smtp_server() -> Iterator[MailServer]:
    """Enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""
    state = MailServer(port=0)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            def say(line: str) -> None:
                self.wfile.write((line + "\r\n").encode())

            say("220 localhost test SMTP")
            message: dict[str, Any] = {"to": []}
            while True:
                raw = self.rfile.readline()
                if not raw:
                    return
                command = raw.decode().strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 localhost")
                elif verb == "MAIL":
                    message = {"from": command.split(":", 1)[1].strip(), "to": []}
                    say("250 OK")
                elif verb == "RCPT":
                    message["to"].append(command.split(":", 1)[1].strip())
                    say("250 OK")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (line := self.rfile.readline().decode()) not in (".\r\n", ".\n", ""):
                        lines.append(line)
                    message["data"] = "".join(lines)
                    state.messages.append(message)
                    say("250 OK queued")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("250 OK")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
