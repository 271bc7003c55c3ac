"""In-process interception: unchanged Python code that calls https://plex.tv (and the
live fake servers' plex.direct names) answered by the mock in the same process. The
stack of active interceptions and how a request is answered through an app
(:mod:`.stack`), and the patches each HTTP client meets (:mod:`.patches`: requests,
httpx, aiohttp).

May import: :mod:`mockplex.domain`, :mod:`mockplex.web`, and the app and live server it
answers through (:mod:`mockplex.app`, :mod:`mockplex.server`, and :mod:`mockplex.media`
for the live fake servers' sockets); here, :mod:`mockplex._moved`, for the names of the
module this folder replaced.
"""


def __getattr__(name: str) -> object:
    """The names the module this folder replaced had (deprecated: mockplex._moved)."""
    from mockplex._moved import folder_getattr

    return folder_getattr(__name__.rpartition(".")[2], name)
