"""The environment that points a process at the mock through its proxy: what
``mockplex_proxy.env`` holds, and (with the TLS listener's URL, :func:`env_of`) what
``mockplex serve --env-file`` writes and ``mockplex run`` gives its command."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mockplex.domain import files
from mockplex.proxy.ca import CA

if TYPE_CHECKING:
    from mockplex.proxy.listeners import Proxy

#: Where the Node preload lives in the installed package.
NODE_PRELOAD = Path(__file__).resolve().parent / "node" / "proxy-preload.cjs"


def client_env(proxy_url: str, ca: CA, mock_url: str) -> dict[str, str]:
    """The variables that send a process's HTTP clients through ``proxy_url`` trusting
    mockplex's CA (:attr:`CA.bundle_path`: the system's roots plus it), with loopback
    reached directly and ``MOCKPLEX_URL`` naming the server (for its control API). Never
    the control token."""
    direct = "localhost,127.0.0.1,::1"
    env = {"HTTPS_PROXY": proxy_url, "https_proxy": proxy_url,
           "HTTP_PROXY": proxy_url, "http_proxy": proxy_url,
           "NO_PROXY": direct, "no_proxy": direct,
           **trust_env(ca), "NODE_USE_ENV_PROXY": "1",
           "NODE_OPTIONS": f"--require={NODE_PRELOAD}",
           "MOCKPLEX_URL": mock_url}
    return env


def trust_env(ca: CA) -> dict[str, str]:
    """The variables that make a process's TLS clients trust mockplex's CA: OpenSSL's,
    requests', curl's (the bundle: the system's roots plus the CA) and Node's (the CA
    alone, added to its own roots)."""
    bundle = str(ca.bundle_path)
    return {"SSL_CERT_FILE": bundle, "REQUESTS_CA_BUNDLE": bundle, "CURL_CA_BUNDLE": bundle,
            "NODE_EXTRA_CA_CERTS": str(ca.cert_path)}


def env_of(proxy: Proxy) -> dict[str, str]:
    """What ``--env-file`` writes and ``mockplex run`` adds to its command's environment,
    for a running ``proxy``: with its proxy port, :attr:`Proxy.env` (:func:`client_env`);
    with its TLS listener, ``MOCKPLEX_TLS_URL`` too, and with the listener alone, only
    the trust of the CA (:func:`trust_env`) and ``MOCKPLEX_URL``. Never the control
    token."""
    if proxy.port is not None:
        env = proxy.env
    else:
        env = {**trust_env(proxy.ca), "MOCKPLEX_URL": proxy.server.local_url}
    if proxy.tls_port is not None:
        env["MOCKPLEX_TLS_URL"] = proxy.tls_url
    return env


def write_env_file(path: str | os.PathLike[str], env: Mapping[str, str]) -> None:
    """``KEY=VALUE`` lines, for ``env``, ``set -a; source`` and ``$GITHUB_ENV`` alike
    (none of which agree on quoting, so a value needing quotes is refused)."""
    unsafe = {key: value for key, value in env.items()
              if any(char.isspace() or char in "'\"$`\\;&|<>()#" for char in value)}
    if unsafe:
        key, value = next(iter(unsafe.items()))
        raise ValueError(f"cannot write {key}={value!r} unquoted: use folders and proxy "
                         "credentials without spaces or shell characters")
    text = "".join(f"{key}={value}\n" for key, value in env.items())
    files.replace(Path(path), text.encode(), private=True)  # it may hold proxy credentials
