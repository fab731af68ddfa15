"""Errors raised while turning audio and kit layouts into SP-404MK2 files."""

from __future__ import annotations


class Sp404FormatError(ValueError):
    """The audio or layout cannot be turned into files the SP-404MK2 accepts."""

    status_code = 422

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class ClipTooLongError(Sp404FormatError):
    """The clip is longer than the 16 minutes a SP-404MK2 sample may last."""


class UnsupportedAudioError(Sp404FormatError):
    """The audio is empty, not finite, or not shaped as frames by channels."""


class HeaderCheckError(Sp404FormatError):
    """A written file does not have the exact header the sampler expects."""

    # A failed self-check is our bug, not the user's input.
    status_code = 500
