"""The dashboard at ``/_mockplex/``: a page that shows what the mock holds and changes it.

It gets every datum from the control API, by its script (``static/dashboard.js``), so it
honours ``--control-token`` (given once as ``?control_token=``, traded for a cookie by
:func:`mockplex.web.guard.trade_token_in_url`); as a control path it does not exist on
the plex.tv hosts.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

from mockplex.domain.paths import CONTROL_PREFIX
from mockplex.web.guard import page_headers

bp = Blueprint("dashboard", __name__)
bp.after_request(page_headers)  # not framed by another site's page


@bp.get(f"{CONTROL_PREFIX}/")
def dashboard() -> str:
    return render_template("dashboard.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
