"""The human step: the approval pages a person (or a browser test) clicks through.

``/auth`` stands for ``https://app.plex.tv/auth#?...`` (its parameters are in the
URL fragment, read by the page's script); ``/link`` stands for ``https://plex.tv/link``.
Both load nothing from outside the mock.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, render_template, request

bp = Blueprint("pages", __name__)

#: The hosts whose approval URLs :func:`auth_url` rewrites.
APPROVAL_HOSTS = ("app.plex.tv", "plex.tv", "www.plex.tv")


@bp.get("/auth")
@bp.get("/auth/")
def auth() -> str:
    return render_template("auth.html")


@bp.get("/link")
def link() -> str:
    return render_template("link.html", code=request.args.get("pin", ""))


def auth_url(url: str, base_url: str) -> str:
    """``url``, an ``https://app.plex.tv/auth...`` (or ``https://plex.tv/link``) URL a
    client produced, moved onto the mock at ``base_url``, path, query and fragment kept."""
    parts = urlsplit(url)
    if parts.hostname not in APPROVAL_HOSTS or not parts.path.startswith(("/auth", "/link")):
        raise ValueError(f"not a plex.tv approval URL (https://app.plex.tv/auth... or "
                         f"https://plex.tv/link): {url!r}")
    moved = base_url.rstrip("/") + parts.path
    if parts.query:
        moved += "?" + parts.query
    if parts.fragment:
        moved += "#" + parts.fragment
    return moved


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
