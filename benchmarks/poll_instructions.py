"""N polls of a pin through the whole app, in-process: run under valgrind's callgrind
by benchmarks/run.py, which counts the instructions of 2N polls less those of N, so
that start-up cancels out. ``constant`` runs the constant-JSON app instead."""

from __future__ import annotations

import io
import sys

from werkzeug.test import EnvironBuilder

import mockplex

HEADERS = {"X-Plex-Client-Identifier": "bench", "Accept": "application/json"}
WARM = 50


def main(polls: int, constant: bool) -> None:
    if constant:
        import constant_app

        app, path = constant_app.app, "/api/v2/pins/308667304"
    else:
        app = mockplex.create_app({"MOCKPLEX_SEED": 1})
        path = f"/api/v2/pins/{mockplex.store_of(app).create_pin('bench').id}"
    environ = EnvironBuilder(path=path, headers=HEADERS).get_environ()
    for _ in range(WARM + polls):
        fresh = dict(environ, **{"wsgi.input": io.BytesIO(b"")})
        b"".join(app(fresh, lambda *args: None))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2:] == ["constant"])
