"""Writing files others read while mockplex runs: whole or not at all, and private
where they hold keys or credentials (no Flask here: the CA, the env file and HAR files
use it)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def aside(path: Path) -> Path:
    """A new name beside ``path`` that no other process or thread picks."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")


def write_private(path: Path, data: bytes) -> None:
    """Write a new file only its owner can read (it must not exist yet)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def replace(path: Path, data: bytes, *, private: bool = False) -> None:
    """Put ``data`` at ``path`` atomically (written aside, then renamed over it): a reader
    sees the old file or the new one, never half; ``private``: readable by the owner
    only."""
    temporary = aside(path)
    if private:
        write_private(temporary, data)
    else:
        temporary.write_bytes(data)
    os.replace(temporary, path)
