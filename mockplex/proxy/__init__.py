"""mockplex as plex.tv (and its live fake servers as their plex.direct names) for
unchanged programs in any language: the HTTP proxy and the TLS listener
(:mod:`.listeners`), what they read of a request head and answer themselves
(:mod:`.head`), the connections they relay to the app and what each came in as
(:mod:`.relays`), their byte streams (:mod:`.streams`), the certificate authority
(:mod:`.ca`) and the environment that points a process at them (:mod:`.clientenv`,
with the Node preload in ``node/``).

May import: :mod:`mockplex.domain`, :mod:`mockplex.web`'s error shape, and the app and
live server it relays to (:mod:`mockplex.app`, :mod:`mockplex.server`,
:mod:`mockplex.listener`); here, :mod:`mockplex._moved`, for the names of the module
this folder replaced.
"""


def __getattr__(name: str) -> object:
    """The names the module this folder replaced had (deprecated: mockplex._moved)."""
    from mockplex._moved import folder_getattr

    return folder_getattr(__name__.rpartition(".")[2], name)
