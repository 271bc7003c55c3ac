"""One word for approving a pin: "approve" (``Store.approve``, ``Store.approve_code``,
``bodies.ApproveArgs``). The public spellings stay: the control route
``POST /_mockplex/pins/<id>/verify``, plex.tv's ``PUT /api/v2/pins/link``, the handle's
``verify`` and the OpenAPI component ``VerifyArgs``; the store's old method names and the
old body names work, with a DeprecationWarning."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

import mockplex
from mockplex import DEFAULT_TOKEN, Store

PACKAGE = Path(mockplex.__file__).parent


def test_approve_and_approve_code():
    store = Store()
    first, second = store.create_pin("c"), store.create_pin("c")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new names warn of nothing
        assert store.approve(first.id).auth_token == DEFAULT_TOKEN
        assert store.approve_code(second.code, DEFAULT_TOKEN).auth_token == DEFAULT_TOKEN


def test_the_old_store_methods_work_and_warn():
    store = Store()
    first, second = store.create_pin("c"), store.create_pin("c")
    with pytest.warns(DeprecationWarning, match=r"Store\.verify is now Store\.approve") as seen:
        assert store.verify(first.id, "token-0123456789").auth_token == "token-0123456789"
    assert seen[0].filename == __file__  # pointing at the caller
    with pytest.warns(DeprecationWarning, match=r"Store\.link is now Store\.approve_code"):
        assert store.link(second.code, DEFAULT_TOKEN).auth_token == DEFAULT_TOKEN


def test_the_handle_keeps_verify_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plex = mockplex.MockPlex(Store(), "http://127.0.0.1:1")
        pin = plex.store.create_pin("c")
        assert plex.verify(pin.id, user="mockplex") == DEFAULT_TOKEN


def test_the_old_body_names_work_and_warn():
    from mockplex.control import bodies

    with pytest.warns(DeprecationWarning, match="VerifyArgs is now ApproveArgs"):
        assert bodies.VerifyArgs is bodies.ApproveArgs
    with pytest.warns(DeprecationWarning, match="VERIFY_ARGS is now APPROVE_ARGS"):
        assert bodies.VERIFY_ARGS is bodies.APPROVE_ARGS
    with pytest.raises(AttributeError):
        bodies.Nothing  # noqa: B018


def test_the_public_spellings_stay(client, new_pin):
    pin = new_pin()
    approved = client.post(f"/_mockplex/pins/{pin['id']}/verify", json={"user": "mockplex"})
    assert approved.status_code == 200 and approved.get_json()["authToken"] == DEFAULT_TOKEN
    document = client.get("/_mockplex/openapi.json").get_json()
    assert "VerifyArgs" in document["components"]["schemas"]
    operation = document["paths"]["/_mockplex/pins/{id}/verify"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/VerifyArgs"}


#: The old names, where mockplex itself must not call them any more.
OLD_CALLS = {"verify", "link"}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")),
                         ids=lambda path: str(path.relative_to(PACKAGE)))
def test_mockplex_calls_the_store_by_the_new_names(path):
    """``store.verify(...)`` and ``store().link(...)`` are the old words (the handle's own
    ``verify`` is public, and calls the store's ``approve``)."""
    tree = ast.parse(path.read_text())
    old = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
           and isinstance(node.func, ast.Attribute) and node.func.attr in OLD_CALLS
           and "store" in ast.unparse(node.func.value).lower()]
    assert old == [], f"{path.name} calls the store by an old name: lines {old}"
