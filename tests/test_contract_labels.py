"""docs/contract.md's evidence labels say what was seen where: each rule is observed,
inferred or the mock's choice, and a rule seen on one route (the password sign-in's, on
``/api/v2/users/signin``) is not labelled observed for another (the older
``/users/sign_in``, whose own answers nobody has published)."""

from __future__ import annotations

import re
from pathlib import Path

CONTRACT = Path(__file__).resolve().parent.parent / "docs" / "contract.md"
KINDS = ("observed", "inferred", "mock's choice")
#: Published logs of plex.tv's answers to POST /api/v2/users/signin (and no other route).
SIGN_IN_LOGS = ("Reaparr", "Syncra")


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def labelled_rows() -> list[dict[str, str]]:
    """Every row of every table with a "kind" column, by column name."""
    rows, header = [], None
    for line in CONTRACT.read_text().splitlines():
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = cells(line)
        elif not set(line) <= set("|- ") and "kind" in header:
            row = cells(line)
            assert len(row) <= len(header), line
            rows.append(dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)))
    return rows


def test_the_legend_defines_every_kind():
    legend = CONTRACT.read_text().split("## ", 1)[0]
    assert all(f"- **{kind}**" in legend for kind in KINDS)
    rows = labelled_rows()
    assert len(rows) > 40
    assert all(any(kind in row["kind"] for kind in KINDS) for row in rows), [
        row["kind"] for row in rows if not any(kind in row["kind"] for kind in KINDS)]


def test_what_sign_in_logs_show_is_labelled_with_their_route():
    cited = [row for row in labelled_rows()
             if any(log in " ".join(row.values()) for log in SIGN_IN_LOGS)]
    assert len(cited) >= 4
    for row in cited:
        if "observed" in row["kind"]:
            assert "observed on `/api/v2/users/signin`" in row["kind"], row
        assert "inferred on `/users/sign_in`" in row["kind"] or (
            "inferred on both routes" in row["kind"]), row


def test_the_sign_in_error_codes_say_where_they_were_seen():
    codes = {row["code"]: row["kind"] for row in labelled_rows() if row.get("code")}
    for code in ("1001", "1029"):
        assert re.search(r"on `/api/v2/users/signin`", codes[code]), code
        assert "inferred on `/users/sign_in`" in codes[code], code
