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
from mockplex.domain.limits import HOME_USERS_MAX, TEXT_MAX, check_text

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
    def __init__(self, username: str, message: str | None = None) -> None:
        super().__init__(message or f"no account has the username {username!r}")
        self.username = username


class HomeError(AccountError):
    """Base class of the Plex Home errors: each is a bad request of a home's member."""


class HomeUserNotFound(HomeError):
    """No member of the caller's home has that id."""


class WrongHomePin(HomeError):
    """The PIN sent to switch to a home user is not its PIN (or none was sent)."""


class NotHomeAdmin(HomeError):
    """Only the account that owns a home may change it."""


class HomeFull(HomeError):
    """The home has ``HOME_USERS_MAX`` members already."""


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
    #: A managed user's: the username of the account whose Plex Home it belongs to.
    home_of: str | None = None
    #: A managed user's: restricted (plex.tv's "managed user" with content limits).
    restricted: bool = False
    #: The 4-digit PIN switching to this home member asks for; None: none.
    home_pin: str | None = dataclasses.field(default=None, repr=False)

    @property
    def managed(self) -> bool:
        """A managed user of a Plex Home: no password, no email, only its token."""
        return self.home_of is not None

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


class _LoginsTaken:
    """The logins ``accounts`` answers to (usernames and emails, in any case), as a
    container :func:`~mockplex.domain.ids.unique` can test names against."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts

    def __contains__(self, login: object) -> bool:
        return isinstance(login, str) and self._accounts.by_login(login) is not None


class Accounts:
    """The accounts of one mock plex.tv, by username and by token."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._by_name: dict[str, Account] = {}
        self._owners: dict[str, str] = {}  # token -> username, revoked tokens included
        self._revoked: set[str] = set()
        self._last_id = 0  # the highest id given yet
        self._put(DEFAULT_ACCOUNT)

    def add(self, username: str | None, *, email: str | None = None, title: str | None = None,
            friendly_name: str | None = None, auth_token: str | None = None,
            password: str | None = None, verification_code: str | None = None,
            home_of: str | None = None, restricted: bool = False,
            pin: str | None = None) -> Account:
        """A new account; what is not given is made up (the username as ``user<id>``).
        With ``home_of``, a managed user of that account's Plex Home: no password, no
        email, ``restricted`` or not. ``pin``: the 4 digits switching to it asks for."""
        # Never an id a removed user had: a client still holding it must not reach another.
        next_id = max(self._last_id, *(a.id for a in self._by_name.values())) + 1
        check_text(home_of=home_of, pin=pin)
        if pin is not None and not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
            raise ValueError("a home PIN is 4 digits, or None for none")
        if home_of is not None:
            self._check_home(home_of, password, email, verification_code)
        elif restricted:
            raise ValueError("only a managed user (home_of) can be restricted")
        if username is None:
            number = itertools.count(next_id)
            username = unique(lambda: f"user{next(number)}", _LoginsTaken(self))
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
        # One login (a username or an email, in any case) names one account: sign-in and
        # invites find accounts by it.
        for kind, login in (("username", username), ("email", email)):
            holder = self.by_login(login) if login is not None else None
            if holder is not None:
                raise AccountExists(f"an account with the {kind} {login!r} exists already: "
                                    f"{holder.username!r} signs in with it (a username or "
                                    "an email, in any case, is one account's)")
        if password is not None and not password:
            raise ValueError("a password is a non-empty string, or None for none")
        if verification_code is not None and (not verification_code or password is None):
            raise ValueError("a verification code is a non-empty string, and needs a password")
        if email is None and home_of is None:
            email = f"{username}@example.com"
        account = Account(
            id=next_id,
            uuid=random_string(self._rng, "0123456789abcdef", 16),
            username=username,
            email=email or "",
            title=title or username,
            friendly_name=friendly_name or title or username,
            auth_token=auth_token or self.new_token(),
            password=password,
            verification_code=verification_code,
            home_of=home_of,
            restricted=restricted,
            home_pin=pin,
        )
        self._put(account)
        self._last_id = max(self._last_id, account.id)
        return account

    def _check_home(self, home_of: str, password: str | None, email: str | None,
                    verification_code: str | None) -> None:
        owner = self.get(home_of)
        if owner.managed:
            raise ValueError(f"{home_of!r} is a managed user: only an account owns a home")
        if password is not None or email is not None or verification_code is not None:
            raise ValueError("a managed user has no password, email or verification code")
        if len(self.home(owner)) >= HOME_USERS_MAX:
            raise HomeFull(f"the home of {home_of!r} has {HOME_USERS_MAX} users already, "
                           "plex.tv's most")

    def free_username(self, title: str) -> str:
        """``title``, or ``title-2``, ``title-3``...: the first no account has as its
        username or email, in any case (a managed user made through plex.tv has a title,
        not a username; the mock keys it by one, which must name no other account), cut
        so that it stays within :data:`TEXT_MAX` as the title does."""
        number = itertools.count(2)
        taken = _LoginsTaken(self)

        def numbered() -> str:
            suffix = f"-{next(number)}"
            return title[:TEXT_MAX - len(suffix)] + suffix
        return title if title not in taken else unique(numbered, taken)

    # -- Plex Home ----------------------------------------------------------

    def home(self, account: Account) -> list[Account]:
        """The members of ``account``'s Plex Home: its admin (the owner) first, then the
        managed users by id. An account with no managed users is a home of one."""
        admin = self.get(account.home_of) if account.home_of is not None else account
        return [admin, *(a for a in self._by_name.values() if a.home_of == admin.username)]

    def home_member(self, account: Account, user_id: int) -> Account:
        """The member of ``account``'s home with id ``user_id``."""
        for member in self.home(account):
            if member.id == user_id:
                return member
        raise HomeUserNotFound(f"no user of this home has the id {user_id}")

    def switch(self, account: Account, user_id: int, pin: str | None) -> Account:
        """The member of ``account``'s home with id ``user_id``, if ``pin`` is its PIN
        (or it has none)."""
        member = self.home_member(account, user_id)
        if member.home_pin is not None and pin != member.home_pin:
            raise WrongHomePin("Invalid PIN")
        return member

    def remove_home_user(self, account: Account, user_id: int) -> Account:
        """Remove the managed user ``user_id`` from ``account``'s home and forget it: its
        name and its tokens, revoked ones included (its id is never given again). Only
        the home's admin may; the admin stays. The store ends what named it."""
        if account.managed:
            raise NotHomeAdmin("only the owner of a home can remove its users")
        member = self.home_member(account, user_id)
        if not member.managed:
            raise HomeError("the owner of a home cannot remove itself")
        del self._by_name[member.username]
        for token in [t for t, name in self._owners.items() if name == member.username]:
            del self._owners[token]
            self._revoked.discard(token)
        return member

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
        account = self.by_login(login)
        if account is None or not account.signs_in_with(password, verification_code):
            raise SignInFailed("User could not be authenticated")
        return account

    def by_login(self, login: str) -> Account | None:
        """The account whose username or email is ``login``, either case (a managed
        user's empty email matches nothing)."""
        wanted = login.casefold()
        for account in self._by_name.values():
            if wanted and wanted in (account.username.casefold(), account.email.casefold()):
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
