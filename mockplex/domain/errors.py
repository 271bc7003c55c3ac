"""The one base of every error mockplex raises itself: ``except mockplex.MockplexError``
catches any of them. Each error keeps the built-in base its callers catch it by too (a
bad scenario is still a ValueError, a port that cannot be bound still an OSError).

The families, each with its own base below this one:

- the store's (:class:`mockplex.domain.store.StoreError`: no such pin, too many pins),
  the accounts' (:class:`~mockplex.domain.accounts.AccountError`) and the servers'
  (:class:`~mockplex.domain.servers.ServerError`);
- a value that is no yes or no (:class:`~mockplex.domain.flags.NotAFlag`);
- what the app answers in plex.tv's error shape (:class:`mockplex.web.errors.PlexError`,
  and the proxy's own refusals, :class:`mockplex.proxy.head.Refused`);
- arguments a schema refused (:class:`mockplex.plextv.arguments.Invalid`), a scenario
  that cannot be loaded (:class:`mockplex.control.scenario.ScenarioError`);
- interception that cannot start (:class:`mockplex.interception.stack.InterceptionError`)
  and a server that cannot listen (:class:`mockplex.listener.CannotListen`).
"""

from __future__ import annotations


class MockplexError(Exception):
    """An error mockplex raises itself (not a bug in it: that is any other exception)."""
