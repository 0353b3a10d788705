"""A fault-injecting HTTP/1.1 proxy on loopback, between the clients and the server.

Per request it may drop the request (close without forwarding), drop the response after
the server has applied it, send the request to the server twice, or delay it."""

from __future__ import annotations

import asyncio
import random
import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    drop_request: float = 0.0
    drop_response: float = 0.0
    duplicate: float = 0.0
    delay: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    def healed(self) -> Faults:
        return Faults(counts=self.counts)


async def _read_message(reader: asyncio.StreamReader, no_body: bool = False) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = b"" if no_body else await reader.readexactly(length)
    return head + body


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int) -> None:
        self.upstream_port = upstream_port
        self.faults = Faults()
        self.cut_next_upload = False  # forward half of the next PUT, then hang up
        self.rng = random.Random(seed)
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> FaultProxy:
        self.thread.start()
        self._ready.wait(10)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    def _count(self, what: str) -> None:
        self.faults.counts[what] = self.faults.counts.get(what, 0) + 1

    async def _forward(self, request: bytes, method: bytes, wait: bool = True) -> bytes | None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            return None
        try:
            writer.write(request)
            await writer.drain()
            if not wait:
                return None
            return await _read_message(reader, no_body=method == b"HEAD")
        except (OSError, asyncio.IncompleteReadError):
            return None
        finally:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_message(reader)
                if request is None:
                    return
                method = request.split(b" ", 1)[0]
                if method == b"PUT" and self.cut_next_upload:
                    self.cut_next_upload = False
                    self._count("cut_upload")
                    await self._forward(request[: len(request) // 2], method, wait=False)
                    return
                f, roll = self.faults, self.rng.random
                if roll() < f.delay:
                    self._count("delayed")
                    await asyncio.sleep(self.rng.uniform(0.02, 0.3))
                if roll() < f.drop_request:
                    self._count("dropped_request")
                    return
                response = await self._forward(request, method)
                if response is not None and roll() < f.duplicate:
                    self._count("duplicated")
                    response = await self._forward(request, method)
                if response is None:
                    return  # the server is down: the client sees the connection close
                if roll() < f.drop_response:
                    self._count("dropped_response")
                    return
                writer.write(response)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()
