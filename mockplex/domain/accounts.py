"""Fake plex.tv accounts and their tokens, with no web framework in it.

:class:`Accounts` is not locked itself: the :class:`~mockplex.domain.store.Store` that
owns it calls it with the store's lock held.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import string
from dataclasses import dataclass

from mockplex.domain.errors import MockplexError
from mockplex.domain.ids import random_string, unique
from mockplex.domain.limits import check_text

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 20

#: The token of the default account: it approves pins when a test names no other.
DEFAULT_TOKEN = "MockPlexDefaultToken"
#: When every mock account joined plex.tv (2024-07-16T17:03:05Z), as epoch seconds.
JOINED_AT = 1721149385


class AccountError(MockplexError):
    """Base class of the account errors."""


class AccountExists(AccountError):
    """An account with that username or token exists already."""


class AccountNotFound(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"no account has the username {username!r}")
        self.username = username


class TokenInvalid(AccountError):
    """No account has this token (or none was sent): plex.tv's 401 / 1001."""


class TokenRevoked(AccountError):
    """The token was revoked: plex.tv's 422 ``Invalid token``."""


class SignInFailed(AccountError):
    """No account has that login and password (or code): plex.tv's 401 / 1001."""


class VerificationRequired(AccountError):
    """The password is right but the account has two-factor sign-in and no code came:
    plex.tv's 401 / 1029."""


@dataclass(frozen=True)
class Account:
    id: int
    uuid: str
    username: str
    email: str
    title: str
    friendly_name: str
    auth_token: str
    joined_at: int = JOINED_AT
    locale: str | None = None
    #: None: the account signs in only with a PIN or its token (``hasPassword`` false).
    password: str | None = dataclasses.field(default=None, repr=False)
    #: The two-factor code password sign-in then requires; None: no two-factor sign-in.
    verification_code: str | None = dataclasses.field(default=None, repr=False)

    def signs_in_with(self, password: str, verification_code: str | None) -> bool:
        """Are ``password`` and ``verification_code`` this account's? Raises
        :class:`VerificationRequired` for the right password alone on a two-factor account.
        plex.tv also takes the code appended to the password, for apps that have no field
        for it (observed: its help pages tell users of such apps to do so)."""
        if self.password is None or not password:
            return False
        code = self.verification_code
        if code is None:
            return password == self.password
        if password == self.password + code:
            return True
        if password != self.password:
            return False
        if not verification_code:
            raise VerificationRequired("Please enter the verification code")
        return verification_code == code


DEFAULT_ACCOUNT = Account(
    id=1,
    uuid="6d6f636b706c6578",
    username="mockplex",
    email="mockplex@example.com",
    title="mockplex",
    friendly_name="mockplex",
    auth_token=DEFAULT_TOKEN,
)


class Accounts:
    """The accounts of one mock plex.tv, by username and by token."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._by_name: dict[str, Account] = {}
        self._owners: dict[str, str] = {}  # token -> username, revoked tokens included
        self._revoked: set[str] = set()
        self._put(DEFAULT_ACCOUNT)

    def add(self, username: str | None, *, email: str | None = None, title: str | None = None,
            friendly_name: str | None = None, auth_token: str | None = None,
            password: str | None = None, verification_code: str | None = None) -> Account:
        """A new account; what is not given is made up (the username as ``user<id>``)."""
        next_id = max(a.id for a in self._by_name.values()) + 1
        if username is None:
            number = itertools.count(next_id)
            username = unique(lambda: f"user{next(number)}", self._by_name)
        if not username:
            raise ValueError("an account needs a non-empty username")
        check_text(username=username, email=email, title=title, friendly_name=friendly_name,
                   auth_token=auth_token, password=password,
                   verification_code=verification_code)
        if username in self._by_name:
            raise AccountExists(f"an account with the username {username!r} exists already")
        if auth_token is not None and auth_token in self._owners:
            raise AccountExists("that token belongs to the account "
                                f"{self._owners[auth_token]!r} already")
        if email is not None and self._by_login(email) is not None:
            raise AccountExists(f"an account with the email {email!r} exists already")
        if password is not None and not password:
            raise ValueError("a password is a non-empty string, or None for none")
        if verification_code is not None and (not verification_code or password is None):
            raise ValueError("a verification code is a non-empty string, and needs a password")
        account = Account(
            id=next_id,
            uuid=random_string(self._rng, "0123456789abcdef", 16),
            username=username,
            email=email or f"{username}@example.com",
            title=title or username,
            friendly_name=friendly_name or title or username,
            auth_token=auth_token or self.new_token(),
            password=password,
            verification_code=verification_code,
        )
        self._put(account)
        return account

    def get(self, username: str) -> Account:
        try:
            return self._by_name[username]
        except KeyError:
            raise AccountNotFound(username) from None

    def all(self) -> list[Account]:
        return list(self._by_name.values())

    def knows(self, token: str) -> bool:
        return token in self._owners

    def for_token(self, token: str | None) -> Account:
        """The account ``token`` opens (raises :class:`TokenInvalid` or :class:`TokenRevoked`)."""
        if not token or token not in self._owners:
            raise TokenInvalid("no account has that token")
        if token in self._revoked:
            raise TokenRevoked("the token was revoked")
        return self._by_name[self._owners[token]]

    def sign_in(self, login: str, password: str, verification_code: str | None = None
                ) -> Account:
        """The account whose username or email (either case) is ``login``, if ``password``
        (and the code, for two-factor sign-in) are its own."""
        account = self._by_login(login)
        if account is None or not account.signs_in_with(password, verification_code):
            raise SignInFailed("User could not be authenticated")
        return account

    def _by_login(self, login: str) -> Account | None:
        wanted = login.casefold()
        for account in self._by_name.values():
            if wanted in (account.username.casefold(), account.email.casefold()):
                return account
        return None

    def revoke(self, token: str) -> Account:
        """End ``token``: it answers 422 from now on, and its account gets a new token."""
        account = self.for_token(token)
        self._revoked.add(token)
        renewed = dataclasses.replace(account, auth_token=self.new_token())
        self._put(renewed)
        return renewed

    def new_token(self) -> str:
        """A fresh 20-character token, as plex.tv issues."""
        return unique(lambda: random_string(self._rng, TOKEN_ALPHABET, TOKEN_LENGTH),
                      self._owners)

    def _put(self, account: Account) -> None:
        self._by_name[account.username] = account
        self._owners[account.auth_token] = account.username
