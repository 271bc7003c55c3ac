"""The live fake servers through the proxy and the TLS listener, over real sockets: a
server's plex.direct name (on any port) gets that server's certificate from mockplex's
CA and reaches the server's own socket, for curl, Python's strict TLS checks and
requests in a subprocess; a plex.direct name no live server has is refused before any
lookup."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cryptography import x509

from mockplex.domain.servers import Server
from mockplex.proxy.ca import CA
from mockplex.proxy.listeners import Proxy
from mockplex.server import LiveServer
from tests.proxy.test_proxy import curl, error_of, exchange, read_to_end

TIMEOUT = 10
NOBODY = "0" * 32  # a hash no server has


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> CA:
    return CA.load(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def live(ca) -> Iterator[tuple[LiveServer, Proxy]]:
    with LiveServer() as server:
        yield server, Proxy(server, ca=ca, tls_port=0).start()


@pytest.fixture
def proxy(live) -> Proxy:
    live[0].store.reset()
    return live[1]


@pytest.fixture
def home(live, proxy) -> Server:
    return live[0].store.add_server("Home")


def name_of(server: Server | None) -> str:
    return f"127-0-0-1.{server.direct_hash if server else NOBODY}.plex.direct"


def port_of(proxy: Proxy, server: Server) -> int:
    port = proxy.server.store.port_of(server)
    assert port is not None
    return port


def strict_context(ca: CA) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca.cert_path))
    context.verify_flags |= ssl.VERIFY_X509_STRICT
    return context


def tunnel(proxy: Proxy, authority: str) -> socket.socket:
    """A connection through the proxy's CONNECT tunnel to ``authority``, its 200 read."""
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
    sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 200"), head
    return sock


def get_over_tls(tls: ssl.SSLSocket, host: str, path: str = "/identity") -> bytes:
    tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    return read_to_end(tls)


# -- CONNECT ----------------------------------------------------------------------------

def test_curl_with_the_ca_reaches_the_server_by_its_plex_direct_name(proxy, home):
    for port in (port_of(proxy, home), 32400):  # the port listed, or any other
        done = curl("--proxy", proxy.url, "--cacert", str(proxy.ca_path),
                    f"https://{name_of(home)}:{port}/identity")
        assert done.returncode == 0, done.stderr
        assert f'machineIdentifier="{home.machine_identifier}"' in done.stdout


def test_python_verifies_the_servers_certificate_strictly(proxy, home):
    name = name_of(home)
    with tunnel(proxy, f"{name}:{port_of(proxy, home)}") as sock, strict_context(
            proxy.ca).wrap_socket(sock, server_hostname=name) as tls:
        certificate = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
        answer = get_over_tls(tls, name)
    assert answer.startswith(b"HTTP/1.1 200") and home.machine_identifier.encode() in answer
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert names.value.get_values_for_type(x509.DNSName) == [
        f"*.{home.direct_hash}.plex.direct"]


def test_each_server_has_its_own_certificate_made_once(proxy, home):
    other = proxy.server.store.add_server("Other")

    def certificate_of(server: Server) -> bytes:
        name = name_of(server)
        with tunnel(proxy, f"{name}:443") as sock, strict_context(proxy.ca).wrap_socket(
                sock, server_hostname=name) as tls:
            return tls.getpeercert(binary_form=True)

    first = certificate_of(home)
    assert certificate_of(home) == first  # kept
    assert certificate_of(other) != first


def test_requests_in_a_subprocess_with_the_proxys_env_reaches_the_server(proxy, home):
    url = f"https://{name_of(home)}:{port_of(proxy, home)}/identity"
    local = f"http://127.0.0.1:{port_of(proxy, home)}/identity"
    code = ("import requests, sys\n"
            "for url in sys.argv[1:]:\n"
            "    print(requests.get(url, timeout=10).text)\n")
    done = subprocess.run([sys.executable, "-c", code, url, local], capture_output=True,
                          text=True, timeout=TIMEOUT + 20,
                          env={"PATH": os.environ["PATH"], **proxy.env})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(f'machineIdentifier="{home.machine_identifier}"') == 2


def test_connect_to_a_plex_direct_name_of_no_server_is_refused(proxy, home):
    for target in (f"{name_of(None)}:443", "plex.direct:443", f"x.y.{home.direct_hash}"
                                                              ".plex.direct:443"):
        status, message = error_of(exchange(proxy.port, f"CONNECT {target} HTTP/1.1\r\n"
                                                         "\r\n".encode()))
        assert status == 403 and "no server of this mockplex is named" in message
    done = curl("--proxy", proxy.url, "-w", "%{http_connect}",
                f"https://{name_of(None)}:32400/identity")
    assert done.returncode == 56 and done.stdout == "403"


def test_a_server_reset_away_is_refused(proxy, home):
    target = f"{name_of(home)}:443"
    tunnel(proxy, target).close()
    proxy.server.store.reset()
    status, message = error_of(exchange(proxy.port, f"CONNECT {target} HTTP/1.1\r\n\r\n"
                                        .encode()))
    assert status == 403 and name_of(home) in message


# -- absolute form ----------------------------------------------------------------------

def test_plain_http_in_absolute_form_reaches_the_server(proxy, home):
    done = curl("--proxy", proxy.url, f"http://{name_of(home)}:{port_of(proxy, home)}/identity")
    assert done.returncode == 0 and home.machine_identifier in done.stdout


def test_a_later_request_on_the_connection_names_the_same_server_or_is_refused(proxy, home):
    url = f"http://{name_of(home)}:{port_of(proxy, home)}/identity"
    other = f"http://{name_of(None)}:1/identity"
    first = f"GET {url} HTTP/1.1\r\nHost: {name_of(home)}\r\n\r\n"
    again = f"GET {url} HTTP/1.1\r\nHost: {name_of(home)}\r\n\r\n"
    last = f"GET {other} HTTP/1.1\r\nHost: {name_of(None)}\r\nConnection: close\r\n\r\n"
    answer = exchange(proxy.port, (first + again + last).encode())
    assert answer.count(home.machine_identifier.encode()) == 2
    assert answer.count(b"HTTP/1.1 200") == 2 and b"HTTP/1.1 403" in answer


def test_on_plex_tvs_connection_a_servers_name_is_refused_for_what_it_is(proxy, home):
    """A client that reuses one proxy connection for plex.tv, then a fake server's name
    (curl and urllib3 do for plain http): the proxy relayed it to plex.tv's side, which
    cannot answer for the server, and says so."""
    url = f"http://{name_of(home)}:{port_of(proxy, home)}/identity"
    first = "GET http://plex.tv/api/v2/ping HTTP/1.1\r\nHost: plex.tv\r\n\r\n"
    then = f"GET {url} HTTP/1.1\r\nHost: {name_of(home)}\r\nConnection: close\r\n\r\n"
    answer = exchange(proxy.port, (first + then).encode())
    _, _, second = answer.partition(b"HTTP/1.1 403")
    assert second and b"this connection reaches plex.tv's side" in second
    assert home.machine_identifier.encode() not in answer


def test_an_absolute_url_for_a_plex_direct_name_of_no_server_is_refused(proxy, home):
    status, message = error_of(exchange(
        proxy.port, f"GET http://{name_of(None)}/identity HTTP/1.1\r\n\r\n".encode()))
    assert status == 403 and "no server of this mockplex is named" in message


# -- the TLS listener ---------------------------------------------------------------------

def test_the_tls_listener_presents_the_servers_certificate_by_sni(proxy, home):
    name = name_of(home)
    done = curl("--cacert", str(proxy.ca_path), "--resolve", f"{name}:{proxy.tls_port}:127.0.0.1",
                f"https://{name}:{proxy.tls_port}/identity")
    assert done.returncode == 0, done.stderr
    assert f'machineIdentifier="{home.machine_identifier}"' in done.stdout


def test_the_tls_listener_ends_the_handshake_for_a_name_of_no_server(proxy, home):
    with (socket.create_connection(("127.0.0.1", proxy.tls_port), timeout=TIMEOUT) as sock,
          pytest.raises((ssl.SSLError, ConnectionError))):
        strict_context(proxy.ca).wrap_socket(sock, server_hostname=name_of(None))
    done = curl("--cacert", str(proxy.ca_path), "--resolve",
                f"plex.tv:{proxy.tls_port}:127.0.0.1", "-H", "Accept: application/json",
                f"https://plex.tv:{proxy.tls_port}/api/v2/ping")
    assert json.loads(done.stdout)["errors"]  # still serving plex.tv (401: no token)
