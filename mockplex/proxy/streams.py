"""The proxy's byte streams: its event loop, which keeps real time while a test freezes
the clock, and the copying of bytes between a client and the far side."""

from __future__ import annotations

import asyncio

from mockplex.domain.clock import real_monotonic

CHUNK = 64 * 1024


class RealTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose timeouts run on real time while freezegun freezes
    ``time.monotonic``."""

    def time(self) -> float:
        return real_monotonic()


async def drop(reader: asyncio.StreamReader, limit: int) -> None:
    """Read and drop until the client closes, or about ``limit`` bytes more."""
    for _ in range(limit // CHUNK + 1):
        if not await reader.read(CHUNK):
            return


async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
               up_reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter, *,
               idle: float) -> None:
    """Copy both ways (client ``reader``/``writer``, far side ``up_*``) until the far
    side closes, or both ways are silent for ``idle`` seconds. A client that closes its
    sending side still gets its answer. The far side is closed at the end.

    The two copies are tasks of this call's own: cancelled with it, and awaited before
    it returns, so none outlives it. Their timeouts are :func:`asyncio.timeout`, not
    ``asyncio.wait_for``: on Python 3.11, ``wait_for`` swallows a cancellation that
    arrives as its read completes, and the copy would run on after the stop."""
    loop = asyncio.get_running_loop()
    last = [loop.time()]

    async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> str:
        while True:
            try:
                async with asyncio.timeout(idle):
                    data = await source.read(CHUNK)
            except TimeoutError:
                if loop.time() - last[0] >= idle:
                    return "idle"
                continue
            if not data:
                return "eof"
            last[0] = loop.time()
            sink.write(data)
            await sink.drain()

    up = asyncio.create_task(copy(reader, up_writer), name="mockplex:proxy:up")
    down = asyncio.create_task(copy(up_reader, writer), name="mockplex:proxy:down")
    try:
        await asyncio.wait((up, down), return_when=asyncio.FIRST_COMPLETED)
        if (not down.done() and not up.cancelled() and up.exception() is None
                and up.result() == "eof" and up_writer.can_write_eof()):
            up_writer.write_eof()  # the client is done sending: the answer may follow
            await asyncio.wait((down,))
    finally:
        up_writer.transport.abort()
        for task in (up, down):
            task.cancel()
        # gather waits for both (their errors retrieved, not logged) even if this call
        # is cancelled again meanwhile, so that neither is left pending.
        await asyncio.gather(up, down, return_exceptions=True)
