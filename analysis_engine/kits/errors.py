"""What can go wrong with kits, each as the error a producer sees."""

from __future__ import annotations

from tenancy.errors import Conflict, NotFound, Unprocessable, register_constraint


class DuplicateKitName(Conflict):
    """You already have a kit with that name; pick another name."""

    code = "kit_name_taken"


class PadOccupied(Conflict):
    """That pad already holds a sample; clear it first, swap the pads, or move with replace."""

    code = "pad_occupied"


class PadEmpty(NotFound):
    """That pad holds no sample."""

    code = "pad_empty"


class NoCandidates(Unprocessable):
    """Nothing in your library matched, so no kit was built."""

    code = "no_candidates"


class Hidden(Exception):
    """An object the caller cannot see: answered as a 404 once an audit entry is written."""

    def __init__(self, target_type: str, target_id: object) -> None:
        self.target_type = target_type
        self.target_id = target_id
        super().__init__(f"{target_type} {target_id}")


register_constraint("kits_user_id_name_key", DuplicateKitName)
