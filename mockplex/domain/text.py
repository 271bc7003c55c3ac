"""Text a client sent, made safe to print: shown, never obeyed (no import here but the
standard library: the domain, the report and the log use it alike)."""

from __future__ import annotations


def _escape(character: str) -> str:
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every character a terminal or a log reader could act on (control
    characters such as ESC, CR and LF, line and paragraph separators, bidirectional
    overrides, and the like) written as a Python escape (``\\x1b``, ``\\u202e``); a
    backslash is doubled, so that the escape cannot be forged either."""
    if text.isprintable() and "\\" not in text:
        return text  # the common case: nothing to do
    return "".join("\\\\" if character == "\\" else
                   character if character.isprintable() else _escape(character)
                   for character in text)


def shown(value: object, limit: int = 40) -> str:
    """A value a client sent, quoted for an error message (a string as its ``repr``, a
    number as written), cut to ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    cut = text[:limit] + ("..." if len(text) > limit else "")
    return repr(cut) if isinstance(value, str) else cut
