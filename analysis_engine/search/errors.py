"""What can go wrong with a search, each as the error a producer sees."""

from __future__ import annotations

from sp404.core.errors import Conflict, Unprocessable


class NotAnalysed(Conflict):
    """This sample has not been analysed yet; similar sounds show once its analysis is done."""

    code = "not_analysed"


class NoTempo(Unprocessable):
    """This sample has no tempo to match; search without a tempo filter."""

    code = "no_tempo"


class NoKey(Unprocessable):
    """This sample has no key to match; search without key_compatible."""

    code = "no_key"
