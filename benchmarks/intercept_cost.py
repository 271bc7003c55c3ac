"""Cost of one intercepted poll (GET /api/v2/pins/<id>) per HTTP library, against the
same poll over loopback to a live mock. Run: .venv/bin/python benchmarks/intercept_cost.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

import aiohttp
import httpx
import requests

import mockplex

ROUNDS, CALLS = 5, 200
HEADERS = {"X-Plex-Client-Identifier": "bench", "Accept": "application/json"}


def per_call_us(call: Callable[[], object]) -> float:
    """Median over ROUNDS of the mean time of CALLS calls, in microseconds."""
    call()
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            call()
        rounds.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(rounds)


def aiohttp_polls(url: str) -> float:
    async def run() -> float:
        async with aiohttp.ClientSession() as session:
            async def poll() -> None:
                async with session.get(url, headers=HEADERS) as response:
                    await response.read()
            await poll()
            start = time.perf_counter()
            for _ in range(CALLS * ROUNDS):
                await poll()
            return (time.perf_counter() - start) / (CALLS * ROUNDS) * 1e6
    return asyncio.run(run())


def measure(base: str) -> dict[str, float]:
    pin = requests.post(base + "/api/v2/pins", headers=HEADERS, timeout=5).json()
    url = f"{base}/api/v2/pins/{pin['id']}"
    with requests.Session() as session, httpx.Client() as client:
        return {
            "requests": per_call_us(lambda: session.get(url, headers=HEADERS)),
            "httpx": per_call_us(lambda: client.get(url, headers=HEADERS)),
            "aiohttp": aiohttp_polls(url),
        }


def main() -> None:
    with mockplex.LiveServer() as server:
        loopback = measure(server.url)
    with mockplex.intercept():
        intercepted = measure("https://plex.tv")
    print("| library | intercepted (µs/request) | loopback live server (µs/request) |")
    print("|---|---|---|")
    for library in loopback:
        print(f"| {library} | {intercepted[library]:.0f} | {loopback[library]:.0f} |")


if __name__ == "__main__":
    main()
