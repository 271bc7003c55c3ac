"""The devices of an account and its claim tokens, with no web framework in it.

plex.tv lists as an account's devices its servers and the clients that signed in as it.
The servers are the store's (:mod:`mockplex.domain.servers`); what this module keeps is
the clients: one :class:`Device` per account and client identifier, recorded when a pin
the client made is approved and polled, or when it signs in with a password, and seen
again on each later sign-in. A **claim token** (``claim-`` and 20 characters) is what a
new server is claimed with; it lives 4 minutes, as plex.tv's do.

Each class here has a lock of its own (the store holds one of each, as it holds its
journal), and caps what it keeps: :data:`~mockplex.domain.limits.DEVICES_MAX` clients
an account (the one seen longest ago leaves), :data:`~mockplex.domain.limits.CLAIM_TOKENS_MAX`
live claim tokens (the oldest leaves).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import string
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mockplex.domain.errors import MockplexError
from mockplex.domain.ids import random_string, unique
from mockplex.domain.limits import CLAIM_TOKENS_MAX, DEVICES_MAX, XPLEX_VALUE_MAX

#: plex.tv's claim tokens expire 4 minutes after they are made.
CLAIM_TOKEN_LIFETIME = 240
CLAIM_PREFIX = "claim-"
CLAIM_LENGTH = 20  # characters after the prefix, as plex.tv's
CLAIM_ALPHABET = string.ascii_letters + string.digits
#: Client devices' ids: past the servers' (1001...) and shares' (2001...).
FIRST_DEVICE_ID = 5001
#: The X-Plex values a device keeps, by lower-cased header name, and its field for each.
DEVICE_VALUES = {
    "x-plex-product": "product", "x-plex-version": "product_version",
    "x-plex-platform": "platform", "x-plex-platform-version": "platform_version",
    "x-plex-device": "device", "x-plex-device-name": "name", "x-plex-model": "model",
    "x-plex-device-vendor": "vendor", "x-plex-provides": "provides",
}


class DeviceNotFound(MockplexError):
    """The account has no client device with that id."""

    def __init__(self, device_id: object) -> None:
        super().__init__(f"no device of this account has the id {device_id}")
        self.device_id = device_id


class ServerDevice(MockplexError):
    """The device named is one of the account's servers, not a client: it stays."""


@dataclass(frozen=True)
class Device:
    """A client that signed in as an account (``username``)."""

    id: int
    username: str
    client_identifier: str
    token: str
    created_at: float
    last_seen_at: float
    name: str = ""
    product: str = ""
    product_version: str = ""
    platform: str = ""
    platform_version: str = ""
    device: str = ""
    model: str = ""
    vendor: str = ""
    provides: str = ""


def kept_values(values: Mapping[str, str]) -> dict[str, str]:
    """The fields a device keeps of a request's X-Plex ``values`` (lower-cased names),
    each cut to :data:`XPLEX_VALUE_MAX` characters: a sign-in never fails for them."""
    return {field: values[header][:XPLEX_VALUE_MAX]
            for header, field in DEVICE_VALUES.items() if values.get(header)}


class Devices:
    """The client devices of every account: at most :data:`DEVICES_MAX` an account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_account: dict[str, OrderedDict[str, Device]] = {}
        self._ids = itertools.count(FIRST_DEVICE_ID)

    def seen(self, username: str, client_identifier: str, token: str, now: float,
             values: Mapping[str, str] | None = None) -> Device:
        """Client ``client_identifier`` signed in as ``username`` with ``token`` at ``now``:
        recorded, or seen again (its values updated with those given)."""
        client_identifier = client_identifier[:XPLEX_VALUE_MAX]
        fields: dict[str, Any] = kept_values(values or {})
        with self._lock:
            devices = self._by_account.setdefault(username, OrderedDict())
            known = devices.pop(client_identifier, None)
            if known is None:
                known = Device(id=next(self._ids), username=username,
                               client_identifier=client_identifier, token=token,
                               created_at=now, last_seen_at=now)
            device = dataclasses.replace(known, token=token, last_seen_at=now, **fields)
            devices[client_identifier] = device  # the newest seen last
            while len(devices) > DEVICES_MAX:
                devices.popitem(last=False)
            return device

    def of(self, username: str) -> list[Device]:
        """``username``'s client devices, the one seen longest ago first."""
        with self._lock:
            return list(self._by_account.get(username, {}).values())

    def remove(self, username: str, device_id: int) -> Device:
        """Forget ``username``'s device ``device_id`` (DeviceNotFound if it has none)."""
        with self._lock:
            devices = self._by_account.get(username, OrderedDict())
            for client_identifier, device in devices.items():
                if device.id == device_id:
                    del devices[client_identifier]
                    return device
        raise DeviceNotFound(device_id)

    def forget(self, username: str) -> None:
        """Forget ``username``'s devices (an account that is gone)."""
        with self._lock:
            self._by_account.pop(username, None)

    def clear(self) -> None:
        with self._lock:
            self._by_account.clear()
            self._ids = itertools.count(FIRST_DEVICE_ID)


@dataclass(frozen=True)
class ClaimToken:
    token: str
    username: str
    expires_at: float


class ClaimTokens:
    """The live claim tokens: at most :data:`CLAIM_TOKENS_MAX`, the oldest leaving."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)  # the same tokens after each clear, if seeded
        self._tokens: OrderedDict[str, ClaimToken] = OrderedDict()

    def new(self, username: str, now: float) -> ClaimToken:
        """A new claim token of ``username``'s, living :data:`CLAIM_TOKEN_LIFETIME` s."""
        with self._lock:
            self._purge(now)
            token = unique(lambda: CLAIM_PREFIX + random_string(
                self._rng, CLAIM_ALPHABET, CLAIM_LENGTH), self._tokens)
            claim = ClaimToken(token, username, now + CLAIM_TOKEN_LIFETIME)
            self._tokens[token] = claim
            while len(self._tokens) > CLAIM_TOKENS_MAX:
                self._tokens.popitem(last=False)
            return claim

    def forget(self, username: str) -> None:
        """Forget ``username``'s claim tokens (an account that is gone)."""
        with self._lock:
            for token in [t for t, claim in self._tokens.items() if claim.username == username]:
                del self._tokens[token]

    def live(self, now: float) -> list[ClaimToken]:
        """The claim tokens not expired at ``now``, oldest first."""
        with self._lock:
            self._purge(now)
            return list(self._tokens.values())

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._rng.seed(self._seed)

    def _purge(self, now: float) -> None:
        expired = [token for token, claim in self._tokens.items() if claim.expires_at <= now]
        for token in expired:
            del self._tokens[token]
