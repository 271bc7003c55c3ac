"""The proxy and the TLS listener over real sockets: curl (trusting only the bundle the
env file names) reaches each plex.tv host on the mock, everything else is refused
before any lookup, passthrough tunnels a local HTTPS server unchanged, and bad or idle
clients are closed while everyone else is served."""

from __future__ import annotations

import contextlib
import datetime
import http.server
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from freezegun import freeze_time

from mockplex.domain.hosts import PROXY_HOSTS
from mockplex.proxy.ca import CA
from mockplex.proxy.listeners import Proxy, Timeouts
from mockplex.server import LiveServer
from tests.values import HEADERS

CLIENT = HEADERS["X-Plex-Client-Identifier"]
TIMEOUT = 10


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> CA:
    return CA.load(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def local_https(tmp_path_factory) -> Iterator[tuple[int, str]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate (not mockplex's): the
    passthrough's far end. Yields its port and its certificate's path."""
    folder = tmp_path_factory.mktemp("local-https")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "local test server")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    with local_server(lambda headers: b"the local server, unchanged", context) as port:
        yield port, str(folder / "cert.pem")


@contextlib.contextmanager
def local_server(body: Callable[[Mapping[str, str]], bytes],
                 context: ssl.SSLContext | None = None) -> Iterator[int]:
    """A local HTTP(S) server on 127.0.0.1 answering GET with ``body(headers)``; yields
    its port."""

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body(self.headers)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def live(ca) -> Iterator[tuple[LiveServer, Proxy]]:
    with LiveServer() as server:
        proxy = Proxy(server, ca=ca, tls_port=0, passthrough=["127.0.0.1"]).start()
        yield server, proxy


@pytest.fixture
def server(live) -> LiveServer:
    server = live[0]
    server.store.reset()
    return server


@pytest.fixture
def proxy(live, server) -> Proxy:
    return live[1]


def curl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """curl with only the given environment (no proxy variables of the caller's)."""
    return subprocess.run(["curl", "--silent", "--show-error", "--max-time", str(TIMEOUT),
                           *args], capture_output=True, text=True, timeout=TIMEOUT + 5,
                          env={"PATH": os.environ["PATH"], **(env or {})})


def create_pin(host: str, *extra: str,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return curl("-X", "POST", "-H", f"X-Plex-Client-Identifier: {CLIENT}",
                "-H", "Accept: application/json", f"https://{host}/api/v2/pins", *extra,
                env=env)


def exchange(port: int, data: bytes, *, host: str = "127.0.0.1") -> bytes:
    """Send ``data`` on a new connection and read until the far side closes."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        return read_to_end(sock)


def read_to_end(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def error_of(answer: bytes) -> tuple[int, str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    [error] = json.loads(body)["errors"]
    assert int(head.split()[1]) == error["status"]
    return error["status"], error["message"]


# -- the plex.tv hosts, through the proxy -----------------------------------------------

@pytest.mark.parametrize("host", PROXY_HOSTS)
def test_curl_trusting_only_the_bundle_reaches_each_plex_host(server, proxy, host):
    done = create_pin(host, env={key: proxy.env[key] for key in ("HTTPS_PROXY",
                                                                "CURL_CA_BUNDLE")})
    assert done.returncode == 0, done.stderr
    pin = json.loads(done.stdout)
    assert pin["qr"] == f"https://{host}/api/v2/pins/qr/{pin['code']}"
    assert [p.id for p in server.store.pins()] == [pin["id"]]  # the same state
    entry = server.store.journal.entries()[-1]  # the same journal
    assert (entry.method, entry.path, entry.status) == ("POST", "/api/v2/pins", 201)


def test_without_the_ca_curl_refuses_the_certificate(proxy):
    done = create_pin("plex.tv", "--cacert", "/etc/ssl/certs/ca-certificates.crt",
                      env={"HTTPS_PROXY": proxy.url})
    assert done.returncode == 60, done.stderr  # SSL certificate problem


def test_a_pin_made_through_the_proxy_is_approved_on_the_mock(server, proxy):
    env = {"HTTPS_PROXY": proxy.url, "CURL_CA_BUNDLE": str(proxy.ca.bundle_path)}
    pin = json.loads(create_pin("plex.tv", env=env).stdout)
    token = server.store.approve(pin["id"], None).auth_token
    done = curl("-H", f"X-Plex-Client-Identifier: {CLIENT}", "-H", "Accept: application/json",
                f"https://clients.plex.tv/api/v2/pins/{pin['id']}", env=env)
    assert json.loads(done.stdout)["authToken"] == token


def test_the_control_api_does_not_exist_on_the_plex_hosts(server, proxy):
    env = {"HTTPS_PROXY": proxy.url, "CURL_CA_BUNDLE": str(proxy.ca.bundle_path)}
    for path in ("/_mockplex/health", "/_mockplex/reset", "/_mockplex/static/mockplex.js"):
        done = curl("-X", "POST", "-H", "Accept: application/json", "-w", " %{http_code}",
                    f"https://plex.tv{path}", env=env)
        assert done.stdout.endswith(" 404"), path
        assert "mockplex emulates no route POST /_mockplex" in done.stdout


def test_app_plex_tv_auth_is_the_approval_page_carrying_its_data(server, proxy):
    env = {"HTTPS_PROXY": proxy.url, "CURL_CA_BUNDLE": str(proxy.ca.bundle_path)}
    server.store.create_pin(CLIENT)
    done = curl("https://app.plex.tv/auth", env=env)
    page = done.stdout
    assert "wants to sign in with Plex" in page
    assert "/_mockplex/static" not in page and "<style>" in page  # inline: no control path
    data = json.loads(page.split('id="mockplex-data">')[1].split("</script>")[0])
    assert [user["username"] for user in data["users"]] == ["mockplex"]
    assert [pin["code"] for pin in data["pins"]] == [p.code for p in server.store.pins()]


# -- absolute form and plain http -------------------------------------------------------

def test_plain_http_to_plex_tv_is_answered_as_http(proxy):
    done = curl("-X", "POST", "-H", f"X-Plex-Client-Identifier: {CLIENT}",
                "-H", "Accept: application/json", "http://plex.tv/api/v2/pins",
                env={"http_proxy": proxy.url})  # curl reads only the lower-case one
    assert json.loads(done.stdout)["qr"].startswith("http://plex.tv/api/v2/pins/qr/")


def test_an_https_url_sent_in_absolute_form_is_answered_as_https(proxy):
    request = (f"POST https://plex.tv/api/v2/pins HTTP/1.1\r\nHost: plex.tv\r\n"
               f"X-Plex-Client-Identifier: {CLIENT}\r\nAccept: application/json\r\n"
               "Content-Length: 0\r\nConnection: close\r\n\r\n").encode()
    head, _, body = exchange(proxy.port, request).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201")
    assert json.loads(body)["qr"].startswith("https://plex.tv/api/v2/pins/qr/")


def test_a_later_request_on_the_connection_for_another_host_is_refused(proxy):
    first = (f"POST https://plex.tv/api/v2/pins HTTP/1.1\r\nHost: plex.tv\r\n"
             f"X-Plex-Client-Identifier: {CLIENT}\r\nContent-Length: 0\r\n\r\n")
    second = ("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nAccept: "
              "application/json\r\nConnection: close\r\n\r\n")
    answer = exchange(proxy.port, (first + second).encode())
    assert answer.startswith(b"HTTP/1.1 201")
    assert b"HTTP/1.1 403" in answer and b"refused 'example.com'" in answer


# -- refusals ------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["example.com", "plex.tv.example.com", "nothing.invalid",
                                  "10.0.0.1"])
def test_every_other_host_is_refused_at_connect_without_a_lookup(proxy, host):
    status, message = error_of(exchange(proxy.port, f"CONNECT {host}:443 HTTP/1.1\r\n"
                                                    f"Host: {host}:443\r\n\r\n".encode()))
    # 403, not 502: a lookup of nothing.invalid would have failed instead
    assert status == 403
    assert f"refused '{host}'" in message and f"--proxy-passthrough {host}" in message


def test_curl_sees_the_refusal_at_connect(proxy):
    done = curl("-w", "%{http_connect}", "https://example.com/",
                env={"HTTPS_PROXY": proxy.url})
    assert done.returncode == 56 and done.stdout == "403"


def test_an_absolute_url_for_another_host_is_refused(proxy):
    status, message = error_of(exchange(proxy.port, b"GET http://example.com/ HTTP/1.1\r\n"
                                                    b"Host: example.com\r\n\r\n"))
    assert status == 403 and "refused 'example.com'" in message


def test_connect_to_a_plex_host_on_another_port_is_refused(proxy):
    status, message = error_of(exchange(proxy.port, b"CONNECT plex.tv:80 HTTP/1.1\r\n\r\n"))
    assert status == 403 and "port 443 (https) only, not 80" in message


@pytest.mark.parametrize(("target", "words"), [
    (b"http://plex.tv:22/", "port 80 (http) only, not 22"),
    (b"https://plex.tv:8443/api/v2/user", "port 443 (https) only, not 8443"),
    (b"http://plex.tv:99999/", "not a port")])
def test_an_absolute_url_for_a_plex_host_on_another_port_is_refused(proxy, mockplex,
                                                                     target, words):
    """As CONNECT plex.tv:22 is: the mock answers plex.tv on its own ports only."""
    status, message = error_of(exchange(proxy.port, b"GET " + target + b" HTTP/1.1\r\n"
                                                    b"Host: plex.tv\r\n\r\n"))
    assert status in (400, 403) and words in message
    assert mockplex.requests == []


@pytest.mark.parametrize("later", [b"HTTP://127.0.0.1/api/v2/ping",
                                   b"Https://evil.example/api/v2/ping"])
def test_a_later_request_for_another_host_in_any_case_is_refused(proxy, later):
    answers = exchange(proxy.port, b"GET http://plex.tv/api/v2/ping HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\n\r\n"
                                   b"GET " + later + b" HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\nConnection: close\r\n\r\n")
    assert answers.rsplit(b"HTTP/1.1 ", 1)[1].startswith(b"403")


def test_a_later_request_for_a_plex_host_on_another_port_is_refused(proxy, mockplex):
    """On a relayed connection, each request in absolute form is checked by the app."""
    answers = exchange(proxy.port, b"GET http://plex.tv/api/v2/ping HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\n\r\n"
                                   b"GET http://plex.tv:22/api/v2/ping HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\nConnection: close\r\n\r\n")
    assert answers.count(b"HTTP/1.1 ") == 2
    assert b"port 80 (http) only, not 22" in answers.rsplit(b"HTTP/1.1 ", 1)[1]


@pytest.mark.parametrize(("target", "status", "words"), [
    (b"http://plex.tv:99999/api/v2/ping", b"400", b"not a port"),
    (b"http://[::1/api/v2/ping", b"400", b"Bad URI")])  # the server's parser: no URL
def test_a_later_request_gets_the_status_the_proxy_gives_the_first(proxy, target, status,
                                                                    words):
    """The one host decision's status on a relayed connection too; a target that is
    no URL gets plex.tv's 400 from the server's parser (waitress let urlsplit's
    ValueError close the connection with no answer)."""
    answers = exchange(proxy.port, b"GET http://plex.tv/api/v2/ping HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\n\r\n"
                                   b"GET " + target + b" HTTP/1.1\r\n"
                                   b"Host: plex.tv\r\nConnection: close\r\n\r\n")
    last = answers.rsplit(b"HTTP/1.1 ", 1)[1]
    assert last.startswith(status) and words in last


def test_a_first_request_that_is_no_url_gets_a_clean_refusal(proxy):
    got, message = error_of(exchange(proxy.port, b"GET http://[::1/x HTTP/1.1\r\n"
                                                 b"Host: plex.tv\r\n\r\n"))
    assert got == 400 and "send CONNECT host:443" in message


@pytest.mark.parametrize(("request_bytes", "status", "words"), [
    (b"GARBAGE\r\n\r\n", 400, "not an HTTP/1.1 request line"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "send CONNECT host:443"),
    (b"CONNECT plex.tv HTTP/1.1\r\n\r\n", 400, "CONNECT needs host:port"),
    (b"CONNECT plex.tv:443 HTTP/1.1\r\nno colon here\r\n\r\n", 400, "not a header line"),
    (b"GET http://plex.tv/ HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 431, "over"),
])
def test_malformed_requests_get_a_clean_refusal_and_the_proxy_serves_on(
        proxy, request_bytes, status, words):
    got, message = error_of(exchange(proxy.port, request_bytes))
    assert got == status and words in message
    test_plain_http_to_plex_tv_is_answered_as_http(proxy)


# -- the TLS listener ----------------------------------------------------------------------

@pytest.mark.parametrize("host", PROXY_HOSTS)
def test_the_tls_listener_presents_each_hosts_certificate(proxy, host):
    port = proxy.tls_port
    done = create_pin(f"{host}:{port}", "--resolve", f"{host}:{port}:127.0.0.1", "--cacert",
                      str(proxy.ca_path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["qr"].startswith(f"https://{host}:{port}/")


# -- passthrough ---------------------------------------------------------------------------

def test_a_passthrough_host_is_tunnelled_unchanged(proxy, local_https):
    port, certificate = local_https
    done = curl("--proxy", proxy.url, "--cacert", certificate, f"https://127.0.0.1:{port}/")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the local server, unchanged"


def test_a_passthrough_host_that_does_not_answer_gets_502(proxy):
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    status, message = error_of(exchange(proxy.port, f"CONNECT 127.0.0.1:{port} HTTP/1.1"
                                                    "\r\n\r\n".encode()))
    assert status == 502 and f"cannot reach 127.0.0.1:{port}" in message


# -- clients that stall, and many at once ---------------------------------------------------

@pytest.fixture
def impatient(server, ca) -> Iterator[Proxy]:
    """A proxy with timeouts of a fraction of a second."""
    with Proxy(server, ca=ca, tls_port=0, max_connections=5,
               timeouts=Timeouts(head=0.2, handshake=0.2, idle=0.3)) as proxy:
        yield proxy


def test_a_client_that_never_sends_its_request_gets_408_then_is_closed(impatient):
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n")  # and never the blank line
        status, message = error_of(read_to_end(sock))
    assert status == 408 and "no complete request head" in message


def test_a_client_that_never_finishes_the_handshake_is_closed(impatient):
    with socket.create_connection(("127.0.0.1", impatient.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n\r\n")
        assert read_to_end(sock) == b"HTTP/1.1 200 Connection established\r\n\r\n"
    with socket.create_connection(("127.0.0.1", impatient.tls_port), timeout=TIMEOUT) as sock:
        assert read_to_end(sock) == b""


def test_an_idle_tunnel_is_closed(impatient):
    context = ssl.create_default_context(cafile=str(impatient.ca_path))
    raw = socket.create_connection(("127.0.0.1", impatient.tls_port), timeout=TIMEOUT)
    with context.wrap_socket(raw, server_hostname="plex.tv") as tls:
        assert tls.recv(1) == b""  # closed by the proxy, no request sent


def test_past_the_connection_limit_new_clients_get_503(impatient):
    idle = [socket.create_connection(("127.0.0.1", impatient.port)) for _ in range(5)]
    try:
        for sock in idle:  # each is in the proxy before the next one counts
            sock.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
        status, message = error_of(exchange(impatient.port, b"CONNECT plex.tv:443 HTTP/1.1"
                                                            b"\r\n\r\n"))
        assert status == 503 and "5 connections open" in message
    finally:
        for sock in idle:
            sock.close()


def test_a_thousand_idle_tunnels_and_everyone_else_is_served(server, proxy):
    tunnels = []
    try:
        for _ in range(1000):  # at once: the proxy queues them all (BACKLOG)
            sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
            tunnels.append(sock)
            sock.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n\r\n")
        for sock in tunnels:
            assert sock.recv(100) == b"HTTP/1.1 200 Connection established\r\n\r\n"
        env = {"HTTPS_PROXY": proxy.url, "CURL_CA_BUNDLE": str(proxy.ca.bundle_path)}
        assert create_pin("plex.tv", env=env).returncode == 0  # through the proxy
        done = curl(f"{server.url}/_mockplex/health")  # and directly
        assert json.loads(done.stdout) == {"status": "ok"}
    finally:
        for sock in tunnels:
            sock.close()


def test_stopping_the_server_stops_the_proxy_and_closes_its_tunnels(ca):
    server = LiveServer().start()
    proxy = Proxy(server, ca=ca, tls_port=0).start()
    tunnel = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
    tunnel.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n\r\n")
    assert tunnel.recv(100).startswith(b"HTTP/1.1 200")
    server.stop()
    assert read_to_end(tunnel) == b""
    tunnel.close()
    for port in (proxy.port, proxy.tls_port):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    assert server.companions == []


def test_a_proxy_off_loopback_needs_credentials(server, ca):
    with pytest.raises(ValueError, match="give it credentials"):
        Proxy(server, ca=ca, host="0.0.0.0")


def test_with_credentials_the_proxy_asks_for_them(server, ca):
    with Proxy(server, ca=ca, credentials="ci:s3cret") as proxy:
        status, message = error_of(exchange(proxy.port, b"CONNECT plex.tv:443 HTTP/1.1"
                                                        b"\r\n\r\n"))
        assert status == 407 and "Proxy-Authorization" in message
        assert proxy.env["HTTPS_PROXY"] == f"http://ci:s3cret@127.0.0.1:{proxy.port}"
        done = create_pin("plex.tv", env={"HTTPS_PROXY": proxy.env["HTTPS_PROXY"],
                                          "CURL_CA_BUNDLE": str(proxy.ca.bundle_path)})
        assert done.returncode == 0, done.stderr


def test_plain_http_passthrough_keeps_the_proxys_credentials_to_itself(server, ca):
    def header_names(headers: Mapping[str, str]) -> bytes:
        return json.dumps(sorted(headers.keys())).encode()

    with local_server(header_names) as port, Proxy(server, ca=ca, credentials="ci:pw",
                                                   passthrough=["127.0.0.1"]) as proxy:
        done = curl("-H", "X-Kept: yes", f"http://127.0.0.1:{port}/",
                    env={"http_proxy": proxy.env["HTTP_PROXY"]})
    headers = json.loads(done.stdout)
    assert "X-Kept" in headers and "Proxy-Authorization" not in headers


def read_answer(tls: ssl.SSLSocket) -> tuple[int, bytes]:
    """One HTTP answer (with a Content-Length) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += tls.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += tls.recv(65536)
    return int(head.split()[1]), body


def test_a_tick_expires_the_pin_and_the_tunnel_in_use_stays_open(server, ca):
    """freeze_time moves the mock's clock through the proxy as it does directly; the
    tunnel's own idle timeout (5 s here) is not moved by the tick."""
    with Proxy(server, ca=ca, port=None, tls_port=0, timeouts=Timeouts(idle=5)) as proxy:
        context = ssl.create_default_context(cafile=str(proxy.ca_path))
        raw = socket.create_connection(("127.0.0.1", proxy.tls_port), timeout=TIMEOUT)
        with freeze_time() as frozen, context.wrap_socket(raw, server_hostname="plex.tv") as tls:
            pin = server.store.create_pin(CLIENT)
            poll = (f"GET /api/v2/pins/{pin.id} HTTP/1.1\r\nHost: plex.tv\r\n"
                    f"X-Plex-Client-Identifier: {CLIENT}\r\nAccept: application/json\r\n"
                    "\r\n").encode()
            tls.sendall(poll)
            assert read_answer(tls)[0] == 200
            frozen.tick(901)  # past the pin's life, and past the tunnel's idle timeout
            tls.sendall(poll)  # on the same tunnel, still open
            status, body = read_answer(tls)
    assert status == 404 and json.loads(body)["errors"][0]["code"] == 1020


def test_the_proxys_timeouts_keep_real_time_while_a_test_freezes_it(impatient):
    with freeze_time("2001-01-01"), socket.create_connection(
            ("127.0.0.1", impatient.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"CONNECT plex.tv:443 HTTP/1.1\r\n")  # and never the blank line
        status, _ = error_of(read_to_end(sock))
    assert status == 408
