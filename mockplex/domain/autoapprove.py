"""Unattended approval: pins approved as the default account with no one clicking."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mockplex.domain.pins import Pin


@dataclass(frozen=True)
class AutoApprove:
    """Approve pins as the default account with no one clicking: once a pin has been
    polled ``after_polls`` times (the next poll carries the token), or once
    ``after_seconds`` have passed since it was made (checked when it is polled)."""

    after_polls: int | None = None
    after_seconds: float | None = None

    def __post_init__(self) -> None:
        if (self.after_polls is None) == (self.after_seconds is None):
            raise ValueError("auto-approve takes after-polls=N or after-seconds=S, one of them")
        value = self.after_polls if self.after_polls is not None else self.after_seconds
        if value is None or value < 0 or math.isnan(value):
            raise ValueError(f"auto-approve needs a number of 0 or more, got {value!r}")

    @classmethod
    def parse(cls, text: str) -> AutoApprove:
        """``after-polls=N`` or ``after-seconds=S``."""
        name, _, value = text.partition("=")
        try:
            if name == "after-polls":
                return cls(after_polls=int(value))
            if name == "after-seconds":
                return cls(after_seconds=float(value))
        except ValueError as error:
            raise ValueError(f"bad auto-approve rule {text!r}: {error}") from None
        raise ValueError(f"bad auto-approve rule {text!r}: use after-polls=N or after-seconds=S")

    def due(self, pin: Pin, now: float) -> bool:
        if self.after_polls is not None:
            return pin.polls > self.after_polls
        assert self.after_seconds is not None
        return now - pin.created_at >= self.after_seconds

    def __str__(self) -> str:
        if self.after_polls is not None:
            return f"after-polls={self.after_polls}"
        return f"after-seconds={self.after_seconds:g}"
