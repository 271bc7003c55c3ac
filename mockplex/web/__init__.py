"""What the app factory (:mod:`mockplex.app`) wires around every route: plex.tv's error
shape and the one handler for every error (:mod:`.errors`), JSON or XML
(:mod:`.render`), the journal and injected faults meeting each request
(:mod:`.traffic`), CORS headers (:mod:`.cors`), the Host, origin and token checks
(:mod:`.guard`), the WSGI environ keys mockplex sets (:mod:`.environ`), the store,
the request and its URL (:mod:`.context`), OpenAPI
declarations beside each route (:mod:`.apidoc`) and modules loaded when first used
(:mod:`.deferred`).

May import: :mod:`mockplex.domain`, Flask, werkzeug and flask-cors (and waitress's
disconnect).
"""
