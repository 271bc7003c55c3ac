"""The WSGI environ keys mockplex sets itself, each named once: no header can become one
(headers arrive as ``HTTP_*``), so a network client cannot forge them."""

INTERCEPTED = "mockplex.intercepted"  # True: interception or the proxy sent the request
REFUSED = "mockplex.refused"  # a relayed request in absolute form: the refusal (a Decision)
FOREIGN_HOST = "mockplex.foreign_host"  # True: refused for its Host before any route
COOKIE_SET = "mockplex.cookie_set"  # True: the answer sets the control token's cookie
UNEMULATED = "mockplex.unemulated"  # True: answered "emulates no route", whatever matched
FAULT = "mockplex.fault"  # the injected fault whose error status the app answers with
BEGAN = "mockplex.began"  # when the app began a journaled request (the monotonic clock)
XPLEX_HEADERS = "mockplex.xplex_headers"  # the request's X-Plex headers, for the journal
#: The machine identifier of the fake Plex Media Server a request is for: set by the way
#: in (the server's own listener, the proxy's relay of its plex.direct name, interception)
#: and read by the server's side (:mod:`mockplex.pms`); absent on the plex.tv side.
MEDIA_SERVER = "mockplex.media_server"
#: The socket a request came in on: an Event it sets as it stops, which ends an
#: injected delay held on the request (:meth:`mockplex.domain.faults.Faults.pause`).
ENDED = "mockplex.ended"
