"""Yes or no, written as a value: the one parser (:func:`parse`), and the spellings each
place that reads one takes. Every caller names its spellings here, so what "true" means
where is read in one file:

- plex.tv's parameters (``strong``, ``rememberMe``: a query, a form or a JSON body):
  :data:`WIRE_TRUE` / :data:`WIRE_FALSE`, anything else a 400;
- ``/api/v2/resources``' filters (``includeHttps``, ``includeRelay``): :data:`FILTER_TRUE`
  in any case, anything else (or nothing) no, as plex.tv reads them;
- the control API's ``?unmatched=``: :data:`QUERY_TRUE` / :data:`QUERY_FALSE`, anything
  else a 400;
- a setting (the pytest ini option ``mockplex_intercept``): :data:`SETTING_TRUE` /
  :data:`SETTING_FALSE`, any case, spaces around ignored;
- a scenario file's ``strong``: marshmallow's own spellings for a boolean
  (:data:`LENIENT_TRUE` / :data:`LENIENT_FALSE`: ``"yes"``, ``"on"``, ``"t"``...).

No import here but the domain's errors: the pytest plugin uses it.
"""

from __future__ import annotations

from collections.abc import Collection

from mockplex.domain.errors import MockplexError

#: plex.tv's wire: as its clients send ``strong=true`` (and JSON's true, which equals 1).
WIRE_TRUE = frozenset({"true", "True", "1", 1})
WIRE_FALSE = frozenset({"false", "False", "0", "", 0})
#: ``/api/v2/resources``' filters: yes in any case; anything else no.
FILTER_TRUE = ("1", "true")
#: The control API's query flags.
QUERY_TRUE = ("1", "true")
QUERY_FALSE = ("0", "false")
#: A setting in an ini file.
SETTING_TRUE = ("true", "1", "yes", "on")
SETTING_FALSE = ("false", "0", "no", "off")
#: A scenario file's: marshmallow's ``fields.Boolean`` defaults, kept as they were.
LENIENT_TRUE = frozenset({"t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y",
                          "yes", "Yes", "YES", "1", 1})
LENIENT_FALSE = frozenset({"f", "F", "false", "False", "FALSE", "off", "Off", "OFF", "n",
                           "N", "no", "No", "NO", "0", 0})


class NotAFlag(MockplexError, ValueError):
    """A value that is none of the spellings of yes or no its reader takes."""

    def __init__(self, value: object, true: Collection[object],
                 false: Collection[object]) -> None:
        super().__init__(f"expected one of {sorted(map(str, true))} or "
                         f"{sorted(map(str, false))}, got {value!r}")
        self.value = value


def parse(value: object, true: Collection[object], false: Collection[object] = (), *,
          ignore_case: bool = False, strip: bool = False,
          otherwise: bool | None = None) -> bool:
    """``value`` as yes (one of ``true``) or no (one of ``false``); anything else is
    ``otherwise``, or, with ``otherwise`` None, :class:`NotAFlag` (whose ``value`` is the
    value as compared). A text is compared with spaces around taken off (``strip``) and
    lower-cased (``ignore_case``) if asked. A value is compared as Python's ``in`` does,
    so JSON's true is 1 where 1 is a spelling; one that cannot be (a list) is neither."""
    if isinstance(value, str):
        if strip:
            value = value.strip()
        if ignore_case:
            value = value.lower()
    try:
        if value in true:
            return True
        if value in false:
            return False
    except TypeError:  # unhashable, against a set
        pass
    if otherwise is None:
        raise NotAFlag(value, true, false)
    return otherwise
