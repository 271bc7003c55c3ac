"""A fake server's libraries and what is in them, with no web framework in it.

Each server has libraries: by default "Movies" (movie) and "TV Shows" (show), or those a
test gives (``add_server("Home", libraries=[{"title": "Films", "type": "movie"}])``). A
library is what a set-up wizard reads of ``/library/sections``: its key, type, title,
agent, scanner, language, uuid, the folder it scans, and the items of
``/library/sections/<key>/all`` (none unless given). What a test does not give is made
up as a new Plex Media Server makes it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mockplex.domain.limits import ITEMS_MAX, LIBRARIES_MAX, check_text

#: A library's type, and what a new Plex Media Server gives a library of that type:
#: (agent, scanner, folder, the type of its items).
KINDS: dict[str, tuple[str, str, str, str]] = {
    "movie": ("tv.plex.agents.movie", "Plex Movie", "/data/movies", "movie"),
    "show": ("tv.plex.agents.series", "Plex TV Series", "/data/tv", "show"),
    "artist": ("tv.plex.agents.music", "Plex Music", "/data/music", "artist"),
    "photo": ("com.plexapp.agents.none", "Plex Photo Scanner", "/data/photos", "photo"),
}
#: Every library a server has unless a test gives its own.
DEFAULT_LIBRARIES: tuple[Mapping[str, object], ...] = (
    {"title": "Movies", "type": "movie"}, {"title": "TV Shows", "type": "show"})
LIBRARY_FIELDS = ("title", "type", "agent", "scanner", "language", "location", "items")
ITEM_FIELDS = ("title", "year")
FIRST_RATING_KEY = 101


@dataclass(frozen=True)
class Item:
    """A movie, show, artist or photo in a library: what ``/all`` lists of it."""

    rating_key: int
    title: str
    type: str
    year: int | None = None


@dataclass(frozen=True)
class Library:
    """One library section of a server."""

    key: int
    title: str
    type: str
    agent: str
    scanner: str
    language: str
    uuid: str
    location: str
    created_at: float
    items: tuple[Item, ...] = ()


def libraries_of(specs: Iterable[Mapping[str, object]] | None, rng: random.Random,
                 now: float) -> tuple[Library, ...]:
    """The libraries ``specs`` describe (None: :data:`DEFAULT_LIBRARIES`), keyed 1, 2, ...
    in order, each item with a rating key of its own; a ValueError says what is wrong."""
    given = list(DEFAULT_LIBRARIES if specs is None else specs)
    if len(given) > LIBRARIES_MAX:
        raise ValueError(f"a server has at most {LIBRARIES_MAX} libraries, got {len(given)}")
    rating_keys = iter(range(FIRST_RATING_KEY, FIRST_RATING_KEY + LIBRARIES_MAX * ITEMS_MAX))
    libraries: list[Library] = []
    for key, spec in enumerate(given, start=1):
        if not isinstance(spec, Mapping):
            raise ValueError(f"a library is a mapping with a title and a type, got {spec!r}")
        unknown = sorted(set(spec) - set(LIBRARY_FIELDS))
        if unknown:
            raise ValueError(f"a library has no field {unknown[0]!r}; it has "
                             f"{', '.join(LIBRARY_FIELDS)}")
        kind = spec.get("type")
        if kind not in KINDS:
            raise ValueError(f"a library's type is one of {', '.join(KINDS)}, got {kind!r}")
        agent, scanner, location, item_type = KINDS[str(kind)]
        texts = {"title": spec.get("title"), "agent": spec.get("agent", agent),
                 "scanner": spec.get("scanner", scanner),
                 "language": spec.get("language", "en-US"),
                 "location": spec.get("location", location)}
        for name, value in texts.items():
            if not isinstance(value, str) or not value:
                raise ValueError(f"a library's {name} is a non-empty string, got {value!r}")
        check_text("a library's ", **texts)  # type: ignore[arg-type]
        if any(library.title == texts["title"] for library in libraries):
            raise ValueError(f"a server has one library titled {texts['title']!r}, not two")
        items = spec.get("items", ())
        if not isinstance(items, (list, tuple)):
            raise ValueError(f"a library's items are a list, got {items!r}")
        if len(items) > ITEMS_MAX:
            raise ValueError(f"a library has at most {ITEMS_MAX} items, got {len(items)}")
        libraries.append(Library(
            key=key, type=str(kind), uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            created_at=now, items=tuple(item_of(item, item_type, next(rating_keys))
                                        for item in items),
            **texts))  # type: ignore[arg-type]
    return tuple(libraries)


def item_of(spec: object, item_type: str, rating_key: int) -> Item:
    """An item from a title, or a mapping with ``title`` and optional ``year``."""
    if isinstance(spec, str):
        spec = {"title": spec}
    if not isinstance(spec, Mapping):
        raise ValueError(f"an item is a title, or {{\"title\": ..., \"year\": ...}}, got {spec!r}")
    unknown = sorted(set(spec) - set(ITEM_FIELDS))
    if unknown:
        raise ValueError(f"an item has no field {unknown[0]!r}; it has {', '.join(ITEM_FIELDS)}")
    title, year = spec.get("title"), spec.get("year")
    if not isinstance(title, str) or not title:
        raise ValueError(f"an item's title is a non-empty string, got {title!r}")
    check_text("an item's ", title=title)
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)
                             or not 1800 <= year <= 2999):
        raise ValueError(f"an item's year is a whole number from 1800 to 2999, got {year!r}")
    return Item(rating_key=rating_key, title=title, type=item_type, year=year)
