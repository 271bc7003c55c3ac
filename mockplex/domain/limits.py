"""Every cap on what mockplex reads and keeps, in one place: docs/limits.md lists them,
with what a pin, an account, a journal entry, the journal and a HAR file hold at most.

Text caps are in characters. A character takes at most 4 bytes (in UTF-8, and in
memory), so the byte figures below count 4 bytes a character: they hold whatever the
text is. (Headers and the query come off the wire as one byte a character.)
"""

from __future__ import annotations

from mockplex.domain.pins import STRONG_CODE_LENGTH

#: The most bytes one character takes (UTF-8; CPython's widest strings).
CHAR_BYTES = 4

# -- what the server reads of a request (the app's own: mockplex.app.DEFAULTS, its
# MAX_CONTENT_LENGTH of 1 MiB, which the server takes too, and 64 KiB of headers) -----
HEAD_MAX = 1024 * 1024  # bytes of a request's head: past it, 431 without reading more

# -- what mockplex keeps of a request: refused (400) when longer ----------------------
#: Characters of each X-Plex value a pin keeps (:data:`mockplex.domain.xplex.KEPT`: the client
#: identifier and the product): longer is 400 / 1000 where a client names itself
#: (creating a pin, polling it, signing in). The values mockplex only records
#: (X-Plex-Features, ...) the journal cuts; a token is looked up, never kept.
XPLEX_VALUE_MAX = 1024
#: Characters of each text a test gives mockplex (control API, scenario, Python): an
#: account's username, email, title, friendly name, token, password and verification
#: code; a server's name and fields, a connection's URL; a library's title, agent,
#: scanner, language and location, an item's title; a fault's method, path, server,
#: header names and message (MAX_TEXT, 8192); a pin's approver. Longer is 400 / 1900
#: (a ValueError in Python).
TEXT_MAX = 1024
#: Connections of one server.
CONNECTIONS_MAX = 32
#: Servers mockplex answers as Plex Media Servers at once, each on a loopback port of its
#: own (those given connections of their own are not counted: nothing listens for them).
LIVE_SERVERS_MAX = 64
#: Libraries of one server, and items of one library.
LIBRARIES_MAX = 16
ITEMS_MAX = 500
#: Invites pending at once (sent to an account, not yet accepted nor cancelled).
INVITES_MAX = 256
#: Client devices kept of one account (those that signed in as it): past it, the one
#: seen longest ago leaves (:mod:`mockplex.domain.devices`).
DEVICES_MAX = 100
#: Live claim tokens (``GET /api/claim/token.json``, 4 minutes each): past it, the
#: oldest leaves.
CLAIM_TOKENS_MAX = 1000
#: Members of one Plex Home, its owner included (plex.tv's own most): past it,
#: creating a managed user is refused.
HOME_USERS_MAX = 15
#: Pins whose answer (all but ``expiresIn`` and ``qr``) is cached, the last answered:
#: their text outlives them there, this many at most.
PIN_CACHE = 4096

# -- the request journal: each entry keeps no more (and says ``cut``) ---------------
JOURNAL_LIMIT = 1000  # entries kept, the newest
BODY_LIMIT = 4096  # bytes of the request's body, and of the answer's
QUERY_LIMIT = 4096  # characters of the query string
VALUE_LIMIT = 1024  # characters of the path, and of each header's name and of its value
SHORT_LIMIT = 256  # characters of the method, the host and the body's content type
XPLEX_LIMIT = 32  # X-Plex headers; and headers of the answer
#: Characters of the X-Plex headers' names and values together; the same again for
#: the answer's headers.
HEADERS_LIMIT = 4096

# -- a HAR file (--har, --mockplex-har) -----------------------------------------------
HAR_LIMIT = 10_000  # entries a file keeps, the newest
HAR_BYTES = 32 * 1024 * 1024  # bytes of the entries a file keeps, the newest

# -- what each can hold at most, in bytes (docs/limits.md quotes these) ---------------
#: A pin's text: its client identifier and product (X-Plex values), code (25 at most)
#: and token (a test's text, or 20 characters plex.tv-style).
PIN_BYTES = CHAR_BYTES * (2 * XPLEX_VALUE_MAX + STRONG_CODE_LENGTH + TEXT_MAX)
#: An account's text: username, email, title, friendly name, token, password,
#: verification code, and its 16-character uuid.
ACCOUNT_BYTES = CHAR_BYTES * (7 * TEXT_MAX + 16)
#: A journal entry: the text above (method, host, content type; path; query; both
#: sides' headers) and the two bodies.
ENTRY_BYTES = (CHAR_BYTES * (3 * SHORT_LIMIT + VALUE_LIMIT + QUERY_LIMIT + 2 * HEADERS_LIMIT)
               + 2 * BODY_LIMIT)
JOURNAL_BYTES = JOURNAL_LIMIT * ENTRY_BYTES
#: A HAR file: its entries, the ",\n" between them, and the log's head (under 1 KiB).
HAR_FILE_BYTES = HAR_BYTES + 2 * HAR_LIMIT + 1024


def check_text(whose: str = "", most: int = TEXT_MAX, /, **values: str | None) -> None:
    """Refuse with a ValueError, naming it, a text over its cap (``most`` characters):
    ``check_text(title=...)`` says "title is at most 1024 characters, got 1025";
    ``whose="a pin's "`` puts that before the name. The domain's one length check, and
    its one check that a text is text (a lone surrogate is refused: no answer could
    encode it)."""
    for name, value in values.items():
        if value is None:
            continue
        if len(value) > most:
            raise ValueError(f"{whose}{name} is at most {most} characters, got {len(value)}")
        if not is_text(value):
            raise ValueError(f"{whose}{name} {NOT_TEXT}")


#: Why a text that is no text is refused.
NOT_TEXT = ("holds a lone surrogate (\\ud800 in JSON, say), which is no character: no "
            "answer could carry it")


def is_text(value: str) -> bool:
    """Is ``value`` text UTF-8 can carry (no lone surrogate, which JSON's ``\\ud800``
    decodes to)?"""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
