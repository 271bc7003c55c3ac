"""plex.tv's side: the routes a client calls, by what they are about (:mod:`.pins`; the
account, sign-in and ping, :mod:`.account`; servers and friends, :mod:`.resources`;
the approval pages a person clicks, :mod:`.pages`), what they read of a request
(:mod:`.request`, with the arguments' schemas in :mod:`.arguments`) and the wire shapes
they answer with (:mod:`.wire`).

May import: :mod:`mockplex.domain` and :mod:`mockplex.web`.
"""
