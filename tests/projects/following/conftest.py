"""A webhook receiver on loopback: a real HTTP server in a thread, answering each call with the
next status of its script (then 200), and keeping every call it received."""

import contextlib
import http.server
import threading
from dataclasses import dataclass, field

import pytest


@dataclass
class Call:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    statuses: list[int] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)


@contextlib.contextmanager
def serve_receiver():
    """A receiver listening on 127.0.0.1 while the block runs."""
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            state.calls.append(
                Call(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
            )
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tracker"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def receiver(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    with serve_receiver() as state:
        yield state
