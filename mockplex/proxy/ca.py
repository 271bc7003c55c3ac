"""mockplex's certificate authority: the certificates the proxy and the TLS listener
present for plex.tv's hosts (``mockplex[proxy]``, built on ``cryptography``).

The CA's certificate carries a critical name constraint: it can vouch for plex.tv and
the names below it, and for no other name and no IP address, so that its key, if it
leaked, could not be used against any other site. Its certificates pass Python's strict
X.509 checks (``ssl.VERIFY_X509_STRICT``): a CA with critical basic constraints and key
usage and a subject key identifier, leaves with an authority key identifier that
matches it, a subject alternative name and the server-auth usage.

The CA lives in a folder (by default a per-user cache folder) and is reused across runs,
so a CA someone trusted stays trusted:

- ``ca-key.pem``: the key and the certificate, readable by the owner only, created
  atomically (written aside, then hard-linked into place: of parallel workers, the
  first wins and the others load its CA);
- ``ca.pem``: the certificate alone, the file to trust;
- ``bundle.pem``: the system's trusted roots plus the CA, for clients that take one
  file of roots (so the hosts the proxy passes through still verify).

Leaf certificates are made anew at each start and live in a private temporary folder.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
import shutil
import ssl
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from mockplex.domain import files
from mockplex.domain.hosts import PLEX_DOMAIN

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
except ImportError as error:  # pragma: no cover - the extra is not installed
    raise ImportError("mockplex's proxy and TLS listener need the proxy extra: "
                      "pip install 'mockplex[proxy]'") from error

#: The one name the CA may vouch for, with every name below it.
PERMITTED = PLEX_DOMAIN
KEY_FILE = "ca-key.pem"
CERT_FILE = "ca.pem"
BUNDLE_FILE = "bundle.pem"
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
        if not key_path.exists():
            _create(key_path)
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
        cert_path = folder / f"{host}.pem"
        key_path = folder / f"{host}-key.pem"
        files.write_private(key_path, _key_pem(key))
        cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM)
                              + self.certificate.public_bytes(serialization.Encoding.PEM))
        return Leaf(host, cert_path, key_path)


class Leaves:
    """Server certificates for ``hosts``, in a private temporary folder removed by
    :meth:`close`; ``contexts[host]`` is each one's TLS context."""

    def __init__(self, ca: CA, hosts: tuple[str, ...]) -> None:
        self._folder = tempfile.mkdtemp(prefix="mockplex-leaves-")
        try:
            self.contexts = {host: ca.issue(host, Path(self._folder)).context()
                             for host in hosts}
        finally:  # the contexts hold what they need; the files are not kept
            self.close()

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)


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


def _create(key_path: Path) -> None:
    """Make a CA and put it at ``key_path`` atomically: it appears whole or not at all,
    and a CA another process put there first is kept."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "mockplex"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"mockplex CA for {PERMITTED} "
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
            permitted_subtrees=[x509.DNSName(PERMITTED)],
            excluded_subtrees=[x509.IPAddress(ipaddress.ip_network("0.0.0.0/0")),
                               x509.IPAddress(ipaddress.ip_network("::/0"))]),
            critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    temporary = files.aside(key_path)
    files.write_private(temporary, _key_pem(key)
                        + certificate.public_bytes(serialization.Encoding.PEM))
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
