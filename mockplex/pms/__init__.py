"""The Plex Media Server side: what each live fake server answers on its own address,
in the server's own shapes: the routes a set-up wizard calls (:mod:`.routes`), which
server and whose token (:mod:`.access`), the wire shapes and their values
(:mod:`.wire`, :mod:`.dumps`), XML or JSON and the HTML errors (:mod:`.answers`,
:mod:`.errors`).

May import: :mod:`mockplex.domain` and :mod:`mockplex.web`.
"""
