"""16 threads poll 100 pins over the live server while others approve and expire them."""

from __future__ import annotations

import threading
import time

import requests

PINS, POLLERS, DEADLINE_S = 100, 16, 60


def test_no_5xx_no_lost_approval_no_pin_served_after_expiry(mockplex):
    pins = [mockplex.store.create_pin(f"client-{n % POLLERS}") for n in range(PINS)]
    approve = {pin.id: f"token-{pin.id}" for pin in pins[::2]}
    expire = [pin.id for pin in pins[1::2]]
    expired = {pin_id: threading.Event() for pin_id in expire}
    seen: dict[int, str] = {}
    gone: set[int] = set()
    problems: list[str] = []
    deadline = time.monotonic() + DEADLINE_S
    start = threading.Barrier(POLLERS + 4)

    def poll(client: str) -> None:
        pending = {pin.id for pin in pins if pin.client_identifier == client}
        headers = {"X-Plex-Client-Identifier": client, "Accept": "application/json"}
        with requests.Session() as session:
            start.wait()
            while pending and time.monotonic() < deadline:
                for pin_id in sorted(pending):
                    was_expired = pin_id in expired and expired[pin_id].is_set()
                    answer = session.get(f"{mockplex.url}/api/v2/pins/{pin_id}",
                                         headers=headers, timeout=10)
                    if answer.status_code == 200:
                        if was_expired:
                            problems.append(f"pin {pin_id} served after its expiry")
                        token = answer.json()["authToken"]
                        if token is not None:
                            seen[pin_id] = token
                            pending.discard(pin_id)
                    elif answer.status_code == 404 and pin_id in expired:
                        gone.add(pin_id)
                        pending.discard(pin_id)
                    else:
                        problems.append(f"pin {pin_id}: {answer.status_code} {answer.text}")
                        pending.discard(pin_id)

    def control(pin_ids: list[int], action: str) -> None:
        with requests.Session() as session:
            start.wait()
            for pin_id in pin_ids:
                body = {"authToken": approve[pin_id]} if action == "verify" else None
                answer = session.post(f"{mockplex.url}/_mockplex/pins/{pin_id}/{action}",
                                      json=body, timeout=10)
                if answer.status_code != 200:
                    problems.append(f"{action} {pin_id}: {answer.status_code}")
                if action == "expire":
                    expired[pin_id].set()

    approvals = list(approve)
    threads = [threading.Thread(target=poll, args=(f"client-{n}",)) for n in range(POLLERS)]
    threads += [threading.Thread(target=control, args=(approvals[half::2], "verify"))
                for half in (0, 1)]
    threads += [threading.Thread(target=control, args=(expire[half::2], "expire"))
                for half in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert problems == []
    assert seen == approve  # every approval reached its poller, with its token
    assert gone == set(expire)
    assert all(entry.status is not None and entry.status < 500 for entry in mockplex.requests)
