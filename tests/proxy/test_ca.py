"""mockplex's CA: made once per folder and reused, safe to make from parallel processes,
its key private, its certificates accepted by Python's strict checks and OpenSSL's for
plex.tv's names only (the name constraint)."""

from __future__ import annotations

import multiprocessing
import socket
import ssl
import subprocess
import threading

import pytest
from cryptography import x509
from freezegun import freeze_time

from mockplex.domain.hosts import PROXY_HOSTS
from mockplex.proxy.ca import CA, Leaves, system_roots


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
    leaves = Leaves(ca, (host,))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        def serve() -> None:
            connection, _ = listener.accept()
            try:
                leaves.contexts[host].wrap_socket(connection, server_side=True).close()
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
        "bundle.pem", "ca-key.pem", "ca.pem"]  # nothing half-written left beside them


def test_the_ca_carries_a_critical_name_constraint_to_plex_tv(ca):
    constraints = ca.certificate.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert constraints.value.permitted_subtrees == [x509.DNSName("plex.tv")]
    assert {str(name.value) for name in constraints.value.excluded_subtrees} == {
        "0.0.0.0/0", "::/0"}
    basic = ca.certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca and basic.value.path_length == 0


@pytest.mark.parametrize("host", PROXY_HOSTS)
def test_each_plex_host_passes_pythons_strict_checks(ca, host):
    assert handshake(ca, host, host) in ("TLSv1.2", "TLSv1.3")


@pytest.mark.parametrize("host", ["example.com", "plex.tv.example.com", "notplex.tv"])
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
