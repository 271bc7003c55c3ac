""""mockplex saw": what a mock was asked and what state it is in, as text short enough
to read in a failing test's report (the pytest plugin adds it). A request to a fake
Plex Media Server names the server (``GET /library/sections -> 200 on Home``), and so
does a fault aimed at servers."""

from __future__ import annotations

import time

from mockplex.domain.accounts import AccountError
from mockplex.domain.faults import ANY_SERVER, Fault
from mockplex.domain.journal import Entry
from mockplex.domain.pins import Pin
from mockplex.domain.store import Store
from mockplex.domain.text import printable

REQUESTS_SHOWN = 30  # past this, the newest are shown and the rest counted


def describe(store: Store) -> str:
    """The requests (unmatched first, then the newest), the live pins and the active
    faults of ``store``."""
    return "\n".join([*requests(store.journal.entries()), *pins(store),
                      *faults(store.faults.active())])


def requests(entries: list[Entry]) -> list[str]:
    if not entries:
        return ["requests: none"]
    unmatched = [entry for entry in entries if not entry.matched and not entry.fault]
    others = [entry for entry in entries if entry.matched or entry.fault]
    shown = (unmatched + others[::-1])[:REQUESTS_SHOWN]
    lines = [f"requests ({len(entries)}; unmatched first, then the newest):"]
    lines += [f"  {request_line(entry)}" for entry in shown]
    if len(entries) > len(shown):
        lines.append(f"  ... and {len(entries) - len(shown)} older ones left out")
    return lines


def request_line(entry: Entry) -> str:
    when = time.strftime("%H:%M:%S", time.gmtime(entry.time))
    marks = [mark for mark, on in (("UNMATCHED", not entry.matched and not entry.fault),
                                   ("fault", entry.fault)) if on]
    pin = f" pin {entry.pin_id}" if entry.pin_id is not None else ""
    return f"{when} {entry}{pin}" + (f"  [{', '.join(marks)}]" if marks else "")


def pins(store: Store) -> list[str]:
    live = store.pins()
    if not live:
        return ["pins: none live"]
    now = store.clock.now()
    return [f"pins ({len(live)} live):", *(f"  {pin_line(store, pin, now)}" for pin in live)]


def pin_line(store: Store, pin: Pin, now: float) -> str:
    if pin.auth_token is None:
        state = "pending"
    else:
        try:
            username = store.account_for_token(pin.auth_token).username
            state = f"approved as {printable(username)}"
        except AccountError:  # revoked since, or a token of no account
            state = "approved as an unknown token"
    kind = "strong" if pin.strong else "4-character"
    return (f"{pin.id} code {pin.code} ({kind}), client {pin.client_identifier!r}, "
            f"product {pin.product!r}: {state}, {pin.polls} poll(s), "
            f"{pin.expires_in(now)} s left")


def faults(active: list[Fault]) -> list[str]:
    if not active:
        return ["faults: none"]
    return [f"faults ({len(active)} active):", *(f"  {fault_line(fault)}" for fault in active)]


def fault_line(fault: Fault) -> str:
    what = ("drop the connection" if fault.drop else
            f"answer {fault.status}" if fault.status is not None else "")
    if fault.delay_ms:
        what = f"wait {fault.delay_ms} ms" + (f", then {what}" if what else "")
    left = "until cleared" if fault.times is None else f"{fault.times} more time(s)"
    where = ("" if fault.server is None else " on every fake server"
             if fault.server == ANY_SERVER else f" on {printable(fault.server)}")
    return f"{printable(fault.method)} {printable(fault.path)}{where}: {what} ({left})"
