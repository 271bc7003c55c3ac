"""What the proxy adds to a poll (GET /api/v2/pins/<id>): through the proxy as
https://plex.tv, on a kept-alive connection and on a new TLS connection each time,
against the same poll over plain loopback to the same server (kept alive, and a new
connection each time). Run alone: .venv/bin/python benchmarks/proxy_cost.py
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

import requests
from intercept_cost import CALLS, ROUNDS, per_call_us  # beside this script

import mockplex
from mockplex.proxy.ca import CA
from mockplex.proxy.listeners import Proxy

__all__ = ["CALLS", "ROUNDS", "measure"]  # the rounds and polls run.py reports

HEADERS = {"X-Plex-Client-Identifier": "bench", "Accept": "application/json"}


def per_poll_ms(poll: Callable[[], None]) -> float:
    return per_call_us(poll) / 1000


def measure() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, mockplex.LiveServer() as server:
        proxy = Proxy(server, ca=CA.load(folder)).start()
        pin = server.store.create_pin("bench")
        direct = f"{server.url}/api/v2/pins/{pin.id}"
        proxied = f"https://plex.tv/api/v2/pins/{pin.id}"
        through = {"proxies": {"https": proxy.url}, "verify": str(proxy.ca_path)}

        def fresh(url: str, **options: object) -> Callable[[], None]:
            def poll() -> None:
                with requests.Session() as session:  # a new connection (and handshake)
                    session.get(url, headers=HEADERS, **options).raise_for_status()
            return poll

        def kept(url: str, **options: object) -> Callable[[], None]:
            session = requests.Session()
            return lambda: session.get(url, headers=HEADERS, **options).raise_for_status()

        return {
            "loopback, kept alive": per_poll_ms(kept(direct)),
            "proxy, kept alive": per_poll_ms(kept(proxied, **through)),
            "loopback, new connection": per_poll_ms(fresh(direct)),
            "proxy, new TLS connection": per_poll_ms(fresh(proxied, **through)),
        }


if __name__ == "__main__":
    for name, ms in measure().items():
        print(f"{name}: {ms:.2f} ms")
