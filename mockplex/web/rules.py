"""The Flask app class both of mockplex's apps are: Flask's, but each URL rule compiles
its URL builders when a URL is first built with it, not when the rule is added.

werkzeug compiles two builders (Python code, through ``ast`` and ``compile``) for every
rule as it is added: about 0.3 ms a rule, most of what building an app costs (73 rules
on plex.tv's side). mockplex builds URLs for its static files alone, and a test suite
builds an app per test, so each rule now compiles them on first use (Flask's
``url_rule_class``; werkzeug's ``Rule._compile_builder`` does the compiling, as before).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyRule(Rule):
    """A rule whose URL builders are compiled the first time it builds a URL."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., Any]:
        compile_now = super()._compile_builder
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule: LazyRule, *args: Any, **kwargs: Any) -> Any:
            built = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, name, built)  # from now on, the compiled builder itself
            return built(*args, **kwargs)
        return build


class App(Flask):
    """Flask, with :class:`LazyRule` for every rule (its static files' rule included)."""

    url_rule_class = LazyRule
