"""A fault-injecting TCP proxy on loopback, between a HubClient and a real hub.

Each connection carries one HTTP/1.1 request (the proxy rewrites it to
`Connection: close` towards the hub and closes the client's side after the answer),
and a seeded `random.Random` picks what happens to it:

pass     forwarded both ways untouched
delay    forwarded after a pause
drop     the client's connection is closed before anything reaches the hub
error    the proxy answers 502 or 503 itself, before or *after* the hub saw the request
cut      the hub's answer is forwarded only in part (headers and some of the body)
lost     the hub handles the request, its answer is dropped (connection closed)
twice    the request is delivered to the hub on two connections at once; one answer returns
garbage  a 200 answer whose body is not JSON (only when asked for: `force` or weights)

`force(...)` queues faults for the next connections, ahead of the random choice; the
hostile tests use it to corrupt one exact answer. Everything is bounded: sockets have
timeouts, and `stop()` (or leaving the `with` block) closes every socket and joins every
thread the proxy started.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections import Counter, deque

IO_TIMEOUT = 15.0
MAX_MESSAGE = 256 * 1024 * 1024

DEFAULT_WEIGHTS = {
    "pass": 40,
    "delay": 10,
    "drop": 10,
    "error": 10,
    "cut": 10,
    "lost": 10,
    "twice": 10,
}


class FaultProxy:
    def __init__(
        self,
        upstream: str,
        seed: int = 0,
        weights: dict[str, float] | None = None,
        max_delay: float = 0.2,
    ) -> None:
        host, _, port = upstream.removeprefix("http://").rstrip("/").partition(":")
        self.upstream = (host, int(port))
        self.rng = random.Random(seed)
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        self.max_delay = max_delay
        self.enabled = True
        self.stats: Counter[str] = Counter()
        self._forced: deque[str] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    # --- lifecycle ----------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._acceptor.join(5)
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            _shut(sock)
        for thread in threads:
            thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- control ------------------------------------------------------------------

    def force(self, *faults: str) -> None:
        """Apply these faults, in order, to the next connections (even when disabled)."""
        with self._lock:
            self._forced.extend(faults)

    def _choose(self) -> tuple[str, float, bool]:
        with self._lock:
            if self._forced:
                fault = self._forced.popleft()
            elif not self.enabled:
                fault = "pass"
            else:
                names = list(self.weights)
                fault = self.rng.choices(names, [self.weights[n] for n in names])[0]
            param = self.rng.random()
            flag = self.rng.random() < 0.5
            self.stats[fault] += 1
        return fault, param, flag

    # --- plumbing -----------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            with self._lock:
                self._threads = {t for t in self._threads if t.is_alive()}
                self._threads.add(thread)
                self._sockets.add(client)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(IO_TIMEOUT)
            request = _read_request(client)
            if request is None:
                return
            fault, param, flag = self._choose()
            if fault == "drop":
                return
            if fault == "error" and flag:  # refused before the hub sees it
                client.sendall(_error(502 if param < 0.5 else 503))
                return
            if fault == "garbage":
                client.sendall(_response(200, b'{"answers": [{"key": \x00garbage'))
                return
            if fault == "delay":
                time.sleep(param * self.max_delay)
            answer = self._twice(request, flag) if fault == "twice" else self._exchange(request)
            if answer is None or fault == "lost":
                return
            if fault == "error":  # the hub did the work; the client is told it failed
                client.sendall(_error(503))
            elif fault == "cut":
                head, _, body = answer.partition(b"\r\n\r\n")
                client.sendall(head + b"\r\n\r\n" + body[: int(len(body) * param * 0.9)])
            else:
                client.sendall(answer)
        except OSError:
            pass
        finally:
            self._forget(client)

    def _twice(self, request: bytes, pick_first: bool) -> bytes | None:
        answers: list[bytes | None] = [None, None]

        def deliver(i: int) -> None:
            answers[i] = self._exchange(request)

        threads = [threading.Thread(target=deliver, args=(i,), daemon=True) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(IO_TIMEOUT * 2)
        first, second = answers if pick_first else answers[::-1]
        return first if first is not None else second

    def _exchange(self, request: bytes) -> bytes | None:
        """Send the request to the hub on a new connection; the whole answer, or None."""
        if self._stop.is_set():
            return None
        try:
            upstream = socket.create_connection(self.upstream, timeout=IO_TIMEOUT)
        except OSError:
            return None
        with self._lock:
            self._sockets.add(upstream)
        try:
            upstream.sendall(request)
            chunks, size = [], 0
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_MESSAGE:
                    return None
            return b"".join(chunks) or None
        except OSError:
            return None
        finally:
            self._forget(upstream)

    def _forget(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _read_request(sock: socket.socket) -> bytes | None:
    """One HTTP request (head and Content-Length body), rewritten to `Connection: close`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1024 * 1024:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        lowered = name.strip().lower()
        if lowered == b"content-length":
            length = int(value.strip())
        if lowered in (b"connection", b"keep-alive"):
            continue
        kept.append(line)
    if length > MAX_MESSAGE:
        return None
    while len(body) < length:
        chunk = sock.recv(min(65536, length - len(body)))
        if not chunk:
            return None
        body += chunk
    kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def _response(status: int, body: bytes, reason: str = "OK") -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


def _error(status: int) -> bytes:
    reason = "Bad Gateway" if status == 502 else "Service Unavailable"
    return _response(status, f"<html><body>{status} {reason}</body></html>".encode(), reason)
