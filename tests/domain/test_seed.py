"""Deterministic runs: a seed makes ids, codes and tokens reproducible."""

from __future__ import annotations

from mockplex import Store


def made(store: Store) -> tuple:
    return (store.create_pin("c").id, store.create_pin("c").code,
            store.create_pin("c", strong=True).code, store.create_account("a").auth_token,
            store.account("a").uuid)


def test_the_same_seed_makes_the_same_values():
    assert made(Store(seed=7)) == made(Store(seed=7))
    assert made(Store(seed=7)) != made(Store(seed=8))


def test_a_reset_starts_the_sequence_again():
    store = Store(seed=7)
    first = made(store)
    store.reset()
    assert made(store) == first


def test_without_a_seed_values_differ():
    assert made(Store()) != made(Store())


def test_serve_seed_makes_runs_reproducible(serve):
    import requests

    ids = []
    for _ in range(2):
        proc, url = serve("--port", "0", "--seed", "42")
        pin = requests.post(url + "/api/v2/pins.json",
                            headers={"X-Plex-Client-Identifier": "c"}, timeout=5).json()
        ids.append((pin["id"], pin["code"]))
        proc.terminate()
    assert ids[0] == ids[1]
