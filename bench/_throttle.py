"""A TCP proxy that behaves like a rural 3G link: so much bandwidth each way, shared by
every connection through it, and so much delay each way.

Each direction is one link: a chunk leaves when the link has sent what was queued before
it (its size over the rate) and arrives `delay` later; chunks of one connection arrive
in order. Defaults: 1 Mbit/s down (hub to device), 384 kbit/s up, 300 ms round trip.

    with Throttle(("127.0.0.1", hub_port)) as link:
        HubClient(link.url)
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

CHUNK = 16 * 1024


class Link:
    """One direction: its rate (bytes/s), its one-way delay, when it is next free."""

    def __init__(self, bits_per_second: float, delay: float) -> None:
        self.rate = bits_per_second / 8
        self.delay = delay
        self.free_at = 0.0

    def arrival(self, size: int) -> float:
        now = time.monotonic()
        self.free_at = max(now, self.free_at) + size / self.rate
        return self.free_at + self.delay


class Throttle:
    def __init__(
        self,
        upstream: tuple[str, int],
        down_bps: float = 1_000_000,
        up_bps: float = 384_000,
        rtt: float = 0.3,
    ) -> None:
        self.upstream = upstream
        self.down = Link(down_bps, rtt / 2)
        self.up = Link(up_bps, rtt / 2)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.sent = {"down": 0, "up": 0}

    def __enter__(self) -> Throttle:
        self.thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop
        ).result(10)
        self.server = server
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _close(self) -> None:
        self.server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, up_writer, self.up, "up"),
            self._pipe(up_reader, writer, self.down, "down"),
            return_exceptions=True,
        )

    async def _pipe(self, reader, writer, link: Link, name: str) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                at, data = item
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                writer.write(data)
                await writer.drain()
            writer.close()

        delivering = asyncio.create_task(deliver())
        try:
            while data := await reader.read(CHUNK):
                self.sent[name] += len(data)
                queue.put_nowait((link.arrival(len(data)), data))
        except OSError:
            pass
        finally:
            queue.put_nowait(None)
            with contextlib.suppress(OSError):
                await delivering
