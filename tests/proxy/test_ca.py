"""mockplex's CA: made once per folder and reused, safe to make from parallel processes,
its key private, its certificates accepted by Python's strict checks and OpenSSL's for
plex.tv's and plex.direct's names only (the name constraint); a CA an older mockplex
made for plex.tv alone replaced on load."""

from __future__ import annotations

import logging
import multiprocessing
import socket
import ssl
import subprocess
import threading

import pytest
from cryptography import x509
from freezegun import freeze_time

from mockplex.domain.hosts import PROXY_HOSTS
from mockplex.proxy import ca as ca_module
from mockplex.proxy.ca import CA, DirectLeaves, system_roots

HASH = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> CA:
    return CA.load(tmp_path_factory.mktemp("ca"))


def strict_context(ca: CA) -> ssl.SSLContext:
    """A client context trusting only the CA, with Python 3.13's strict X.509 checks."""
    context = ssl.create_default_context(cafile=str(ca.cert_path))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context


def handshake(ca: CA, host: str, server_name: str) -> str:
    """A real TLS handshake over loopback: the server presents the CA's certificate for
    ``host``; the client verifies it as ``server_name``. Returns the TLS version."""
    contexts = ca.contexts((host,))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def serve() -> None:
            connection, _ = listener.accept()
            try:
                contexts[host].wrap_socket(connection, server_side=True).close()
            except (ssl.SSLError, OSError):
                connection.close()
        thread = threading.Thread(target=serve)
        thread.start()
        try:
            with strict_context(ca).wrap_socket(
                    socket.create_connection(listener.getsockname()),
                    server_hostname=server_name) as tls:
                return str(tls.version())
        finally:
            thread.join(10)


def test_the_folder_holds_a_private_key_the_certificate_and_a_bundle(ca):
    assert (ca.folder / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    certificate = ca.cert_path.read_text()
    assert certificate.count("BEGIN CERTIFICATE") == 1 and "PRIVATE KEY" not in certificate
    bundle = ca.bundle_path.read_bytes()
    assert bundle.startswith(system_roots()) and bundle.rstrip().endswith(
        certificate.rstrip().encode())
    assert system_roots().count(b"BEGIN CERTIFICATE") > 10  # the system's roots are there


def test_a_relative_folder_gives_absolute_paths(tmp_path, monkeypatch):
    """Its paths go into other processes' environments, which may run elsewhere."""
    monkeypatch.chdir(tmp_path)
    relative = CA.load(".mockplex-ca")
    assert relative.bundle_path == tmp_path / ".mockplex-ca" / "bundle.pem"
    assert relative.cert_path.is_absolute()


def test_the_ca_is_reused_so_a_trusted_ca_stays_trusted(ca):
    again = CA.load(ca.folder)
    assert again.certificate == ca.certificate


def make_in(folder: str) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return CA.load(folder).certificate.public_bytes(Encoding.PEM)


def test_parallel_workers_making_the_ca_at_once_all_get_the_same_one(tmp_path):
    with multiprocessing.get_context("fork").Pool(6) as pool:
        made = pool.map(make_in, [str(tmp_path / "ca")] * 12)
    assert len(set(made)) == 1
    assert [path.name for path in sorted((tmp_path / "ca").iterdir())] == [
        ".lock", "bundle.pem", "ca-key.pem", "ca.pem"]  # nothing half-written beside them


def test_the_ca_carries_a_critical_name_constraint_to_plex_tv_and_plex_direct(ca):
    constraints = ca.certificate.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert constraints.value.permitted_subtrees == [x509.DNSName("plex.tv"),
                                                    x509.DNSName("plex.direct")]
    assert {str(name.value) for name in constraints.value.excluded_subtrees} == {
        "0.0.0.0/0", "::/0"}
    basic = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0


@pytest.mark.parametrize("host", PROXY_HOSTS)
def test_each_plex_host_passes_pythons_strict_checks(ca, host):
    assert handshake(ca, host, host) in ("TLSv1.2", "TLSv1.3")


def test_a_servers_wildcard_passes_pythons_strict_checks_for_its_names(ca):
    for address in ("127-0-0-1", "10-0-0-9"):
        assert handshake(ca, f"*.{HASH}.plex.direct", f"{address}.{HASH}.plex.direct")
    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        handshake(ca, f"*.{HASH}.plex.direct", f"127-0-0-1.{'f' * 32}.plex.direct")


@pytest.mark.parametrize("host", ["example.com", "plex.tv.example.com", "notplex.tv",
                                  "plex.direct.example.com", "notplex.direct"])
def test_a_certificate_it_signs_for_another_name_fails_verification(ca, host):
    with pytest.raises(ssl.SSLCertVerificationError, match="permitted subtree violation"):
        handshake(ca, host, host)


def test_openssl_verifies_the_chain_strictly_and_rejects_other_names(ca, tmp_path):
    for host in ("plex.tv", "example.com"):
        leaf = ca.issue(host, tmp_path)
        assert not leaf.key_path.stat().st_mode & 0o077
        done = subprocess.run(["openssl", "verify", "-x509_strict", "-CAfile",
                               str(ca.cert_path), str(leaf.cert_path)],
                              capture_output=True, text=True)
        if host == "plex.tv":
            assert done.returncode == 0, done.stderr
        else:
            assert done.returncode != 0 and "permitted subtree violation" in done.stderr


def test_certificates_made_while_a_test_freezes_time_still_verify(tmp_path):
    with freeze_time("2001-01-01"):
        ca = CA.load(tmp_path)
    assert handshake(ca, "plex.tv", "plex.tv")


def test_a_folder_holding_something_else_is_named_in_a_clear_error(tmp_path):
    (tmp_path / "ca-key.pem").write_text("not a key")
    with pytest.raises(ValueError, match=r"is not a mockplex CA.*delete the folder"):
        CA.load(tmp_path)


# -- a CA an older mockplex made: plex.tv alone ------------------------------------------

def make_old_ca(folder, monkeypatch) -> bytes:
    """A CA folder as mockplex 0.9 made it: its constraint permits plex.tv alone."""
    with monkeypatch.context() as patched:
        patched.setattr(ca_module, "PERMITTED", ("plex.tv",))
        old = CA.load(folder)
    assert ca_module.permitted_names(old.certificate) == ["plex.tv"]
    return old.cert_path.read_bytes()


def test_an_old_ca_is_replaced_with_one_that_vouches_for_plex_direct(tmp_path, monkeypatch,
                                                                     caplog):
    old = make_old_ca(tmp_path, monkeypatch)
    with caplog.at_level(logging.WARNING, logger="mockplex.proxy"):
        new = CA.load(tmp_path)
    assert new.cert_path.read_bytes() != old
    assert ca_module.permitted_names(new.certificate) == ["plex.tv", "plex.direct"]
    assert new.bundle_path.read_bytes().endswith(new.cert_path.read_bytes())
    [warning] = caplog.messages
    assert "vouches for plex.tv only" in warning and "trust its ca.pem anew" in warning
    assert handshake(new, f"*.{HASH}.plex.direct", f"127-0-0-1.{HASH}.plex.direct")
    assert CA.load(tmp_path).certificate == new.certificate  # replaced once


def test_parallel_workers_loading_an_old_ca_at_once_all_get_the_same_new_one(tmp_path,
                                                                           monkeypatch):
    old = make_old_ca(tmp_path / "ca", monkeypatch)
    with multiprocessing.get_context("fork").Pool(6) as pool:
        made = pool.map(make_in, [str(tmp_path / "ca")] * 12)
    assert len(set(made)) == 1 and old not in made


# -- the live servers' certificates -----------------------------------------------------

def test_a_servers_certificate_is_made_once_and_the_cache_is_bounded(ca):
    live = {"a" * 32, "b" * 32, "c" * 32}
    leaves = DirectLeaves(ca, lambda direct_hash: direct_hash in live, most=2)
    first = leaves.context("a" * 32)
    assert leaves.context("a" * 32) is first and leaves.hash_of(first) == "a" * 32
    leaves.context("b" * 32)
    live.discard("b" * 32)  # its server is gone: dropped before a live one
    leaves.context("c" * 32)
    assert len(leaves) == 2 and leaves.context("a" * 32) is first
    leaves.context("d" * 32)  # all live: the oldest goes
    assert len(leaves) == 2 and leaves.hash_of(first) is None
