"""What can go wrong with kits, each as the error a producer sees."""

from __future__ import annotations

from sp404.core.errors import Conflict, NotFound, Unprocessable, register_constraint


class DuplicateKitName(Conflict):
    """You already have a kit with that name; pick another name."""

    code = "kit_name_taken"


class PadOccupied(Conflict):
    """That pad already holds a sample; clear it first, swap the pads, or move with replace."""

    code = "pad_occupied"


class PadEmpty(NotFound):
    """That pad holds no sample."""

    code = "pad_empty"


class BadTrim(Unprocessable):
    """The pad's trim points do not fit inside its sample."""

    code = "bad_trim"


class NoCandidates(Unprocessable):
    """Nothing in your library matched, so no kit was built."""

    code = "no_candidates"


register_constraint("kits_user_id_name_key", DuplicateKitName)
