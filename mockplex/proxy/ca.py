"""mockplex's certificate authority: the certificates the proxy and the TLS listener
present for plex.tv's hosts and the live fake servers' plex.direct names
(``mockplex[proxy]``, built on ``cryptography``).

The CA's certificate carries a critical name constraint: it can vouch for plex.tv and
plex.direct and the names below them, and for no other name and no IP address, so that
its key, if it leaked, could not be used against any other site. Its certificates pass
Python's strict X.509 checks (``ssl.VERIFY_X509_STRICT``): a CA with critical basic
constraints and key usage and a subject key identifier, leaves with an authority key
identifier that matches it, a subject alternative name and the server-auth usage.

The CA lives in a folder (by default a per-user cache folder) and is reused across runs,
so a CA someone trusted stays trusted:

- ``ca-key.pem``: the key and the certificate, readable by the owner only, created
  atomically (written aside, then put into place);
- ``ca.pem``: the certificate alone, the file to trust;
- ``bundle.pem``: the system's trusted roots plus the CA, for clients that take one
  file of roots (so the hosts the proxy passes through still verify);
- ``.lock``: held (``flock``) while the CA is made, read or replaced, so parallel
  workers loading one folder at once all get the same CA.

A CA made by an older mockplex (0.9 and before) vouches for plex.tv alone, so no client would take
its certificate for a plex.direct name: loading one replaces it with a new CA (saying
so in a warning), whose ``ca.pem`` must be trusted anew where the old one was.

The plex.tv leaves are made anew at each start (:meth:`CA.contexts`); a live server's, for
``*.<hash>.plex.direct``, on first use (:class:`DirectLeaves`); their files live in a
private temporary folder only while they are loaded.
"""

from __future__ import annotations

import datetime
import fcntl
import ipaddress
import logging
import os
import secrets
import shutil
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mockplex.domain import files
from mockplex.domain.hosts import PLEX_DIRECT, PLEX_DOMAIN, direct_wildcard
from mockplex.domain.limits import LIVE_SERVERS_MAX

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError as error:  # pragma: no cover - the extra is not installed
    raise ImportError("mockplex's proxy and TLS listener need the proxy extra: "
                      "pip install 'mockplex[proxy]'") from error

log = logging.getLogger("mockplex.proxy")

#: The names the CA may vouch for, with every name below them.
PERMITTED = (PLEX_DOMAIN, PLEX_DIRECT)
KEY_FILE = "ca-key.pem"
CERT_FILE = "ca.pem"
BUNDLE_FILE = "bundle.pem"
LOCK_FILE = ".lock"
CA_YEARS = 10
LEAF_DAYS = 397  # within the 398 days browsers allow a server certificate
BACKDATE = datetime.timedelta(days=1)  # clocks a little behind still accept them


def default_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/mockplex/ca`` (``~/.cache/...``)."""
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "mockplex" / "ca"


def now() -> datetime.datetime:
    """The real time: clients check certificates against their own clock, never a
    frozen one (freezegun does not reach ``clock_gettime``)."""
    return datetime.datetime.fromtimestamp(time.clock_gettime(time.CLOCK_REALTIME),
                                           datetime.UTC)


def spki_hash(certificate: x509.Certificate) -> str:
    """The base64 SHA-256 of the certificate's public key (Chromium's
    ``--ignore-certificate-errors-spki-list``, HPKP pins)."""
    import base64

    der = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return base64.b64encode(digest.finalize()).decode()


@dataclass(frozen=True)
class Leaf:
    """A server certificate: ``cert_path`` holds it followed by the CA's, ``key_path``
    its key."""

    host: str
    cert_path: Path
    key_path: Path

    def context(self) -> ssl.SSLContext:
        """A server-side TLS context presenting this certificate, HTTP/1.1 only."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_path, self.key_path)
        context.set_alpn_protocols(["http/1.1"])
        return context


class CA:
    """A certificate authority limited to plex.tv's names; ``CA.load(folder)`` makes or
    reuses one."""

    def __init__(self, folder: Path, key: ec.EllipticCurvePrivateKey,
                 certificate: x509.Certificate) -> None:
        self.folder = folder
        self.key = key
        self.certificate = certificate

    @property
    def cert_path(self) -> Path:
        return self.folder / CERT_FILE

    @property
    def bundle_path(self) -> Path:
        return self.folder / BUNDLE_FILE

    @property
    def spki_hash(self) -> str:
        return spki_hash(self.certificate)

    @classmethod
    def load(cls, folder: str | os.PathLike[str] | None = None) -> CA:
        """The CA in ``folder`` (default :func:`default_dir`), made there first if it has
        none; ``ca.pem`` and ``bundle.pem`` are written beside its key if missing. The
        folder is made absolute: its paths go into other processes' environments (the env
        file, ``mockplex run``), which may run in another directory."""
        folder = Path(folder).absolute() if folder is not None else default_dir()
        folder.mkdir(parents=True, exist_ok=True)
        key_path = folder / KEY_FILE
        with _locked(folder):
            if not key_path.exists():
                _create(key_path)
            key, certificate = _read(key_path)
            if not vouches_for_all(certificate):
                log.warning("mockplex: the CA in %s vouches for %s only, not for the live "
                            "servers' %s names: replaced with a new CA; trust its ca.pem "
                            "anew where you trusted the old one", folder,
                            " and ".join(permitted_names(certificate)) or "no name",
                            PLEX_DIRECT)
                _create(key_path, replace=True)
                key, certificate = _read(key_path)
            ca = cls(folder, key, certificate)
            pem = certificate.public_bytes(serialization.Encoding.PEM)
            _write_if_changed(ca.cert_path, pem)
            _write_if_changed(ca.bundle_path, system_roots() + b"\n" + pem)
        return ca

    def issue(self, host: str, folder: Path) -> Leaf:
        """A server certificate for ``host`` (a DNS name), written into ``folder``. The CA
        signs any name asked, but clients accept only names its constraint permits."""
        key = ec.generate_private_key(ec.SECP256R1())
        start = now() - BACKDATE
        ski = self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=LEAF_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(signs=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ski.value), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        name = host.replace("*", "_")  # (a wildcard's file)
        cert_path = folder / f"{name}.pem"
        key_path = folder / f"{name}-key.pem"
        files.write_private(key_path, _key_pem(key))
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM)
                              + self.certificate.public_bytes(serialization.Encoding.PEM))
        return Leaf(host, cert_path, key_path)


    def contexts(self, hosts: tuple[str, ...]) -> dict[str, ssl.SSLContext]:
        """A server-side TLS context for each of ``hosts``, presenting a new certificate
        for it (its files, in a private temporary folder, removed once loaded)."""
        folder = tempfile.mkdtemp(prefix="mockplex-leaves-")
        try:
            return {host: self.issue(host, Path(folder)).context() for host in hosts}
        finally:  # the contexts hold what they need; the files are not kept
            shutil.rmtree(folder, ignore_errors=True)


class DirectLeaves:
    """The live servers' certificates, each for every plex.direct name of one server
    (``*.<hash>.plex.direct``), made on first use and kept: at most ``most`` of them,
    those of servers no longer live (``live(hash)`` false) dropped first, then the
    oldest. Not locked: the proxy's loop thread is its only user."""

    def __init__(self, ca: CA, live: Callable[[str], bool],
                 most: int = LIVE_SERVERS_MAX) -> None:
        self.ca = ca
        self.live = live
        self.most = most
        self._contexts: dict[str, ssl.SSLContext] = {}

    def context(self, direct_hash: str) -> ssl.SSLContext:
        """The TLS context of the server whose plex.direct names carry ``direct_hash``."""
        found = self._contexts.get(direct_hash)
        if found is None:
            if len(self._contexts) >= self.most:
                for gone in [name for name in self._contexts if not self.live(name)]:
                    del self._contexts[gone]
            while len(self._contexts) >= self.most:
                del self._contexts[next(iter(self._contexts))]
            wildcard = direct_wildcard(direct_hash)
            found = self._contexts[direct_hash] = self.ca.contexts((wildcard,))[wildcard]
        return found

    def hash_of(self, context: ssl.SSLContext) -> str | None:
        """The hash of the server ``context`` is for; None if it is none of these."""
        return next((name for name, known in self._contexts.items() if known is context),
                    None)

    def __len__(self) -> int:
        return len(self._contexts)


def system_roots() -> bytes:
    """The system's trusted root certificates as PEM (OpenSSL's default file), or
    nothing if this system has none there."""
    paths = ssl.get_default_verify_paths()
    for name in (paths.cafile, paths.openssl_cafile):
        if name and os.path.isfile(name):
            return Path(name).read_bytes()
    return b""


def _key_usage(*, signs: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=signs, crl_sign=signs, encipher_only=False,
                         decipher_only=False)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Held while a CA folder is made, read or replaced: across processes, one at a
    time (an advisory ``flock`` on its ``.lock`` file, released when it closes)."""
    try:
        descriptor = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a folder only read (a CA mounted read-only): nothing to make in it
        yield
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _read(key_path: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    data = key_path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError as error:
        raise ValueError(f"{key_path} is not a mockplex CA (a PEM key and certificate): "
                         f"{error}; delete the folder to make a new CA") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{key_path} holds a {type(key).__name__}, not mockplex's "
                         "elliptic-curve CA key; delete the folder to make a new CA")
    return key, certificate


def permitted_names(certificate: x509.Certificate) -> list[str]:
    """The DNS names a CA certificate's name constraint permits (none: no constraint)."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.NameConstraints)
    except x509.ExtensionNotFound:
        return []
    return [str(name.value) for name in constraints.value.permitted_subtrees or ()
            if isinstance(name, x509.DNSName)]


def vouches_for_all(certificate: x509.Certificate) -> bool:
    """Does the CA's name constraint permit each of :data:`PERMITTED`?"""
    return set(PERMITTED) <= set(permitted_names(certificate))


def _create(key_path: Path, *, replace: bool = False) -> None:
    """Make a CA and put it at ``key_path`` atomically: it appears whole or not at all;
    a CA another process put there first is kept, unless ``replace`` (the folder's lock
    held: :func:`_locked`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockplex"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"mockplex CA for {' and '.join(PERMITTED)} "
                                                f"{secrets.token_hex(4)}"),
    ])
    start = now() - BACKDATE
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs=True), critical=True)
        .add_extension(x509.NameConstraints(
            permitted_subtrees=[x509.DNSName(name) for name in PERMITTED],
            excluded_subtrees=[x509.IPAddress(ipaddress.ip_network("0.0.0.0/0")),
                               x509.IPAddress(ipaddress.ip_network("::/0"))]),
            critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    data = _key_pem(key) + certificate.public_bytes(serialization.Encoding.PEM)
    if replace:
        files.replace(key_path, data, private=True)
        return
    temporary = files.aside(key_path)
    files.write_private(temporary, data)
    try:
        os.link(temporary, key_path)  # fails if another process made one first: theirs stays
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write_if_changed(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically with ``data`` unless it holds that already."""
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    files.replace(path, data)


def _settle_cryptography_on_real_datetime() -> None:
    """cryptography looks ``datetime.datetime`` up on its first certificate and keeps
    what it found: were that first certificate made under ``freeze_time``, it would
    keep freezegun's class, and every certificate after the freeze would fail ("'datetime'
    object is not an instance of 'FakeDatetime'"). So one is made now, at import, while
    the class is the real one (unless this import itself runs frozen)."""
    if datetime.datetime.__name__ != "datetime":  # imported under freeze_time: no help
        return
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockplex")])
    start = now()
    (x509.CertificateBuilder().subject_name(name).issuer_name(name)
     .public_key(key.public_key()).serial_number(1).not_valid_before(start)
     .not_valid_after(start + BACKDATE).sign(key, hashes.SHA256()))


_settle_cryptography_on_real_datetime()
