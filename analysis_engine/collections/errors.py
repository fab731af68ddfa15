"""What can go wrong with collections, each as the error a producer sees."""

from __future__ import annotations

from sp404.core.errors import Conflict, NotFound, Unprocessable, register_constraint

MAX_DEPTH = 8


class DuplicateCollectionName(Conflict):
    """A collection with that name already exists in the same place; pick another name."""

    code = "collection_name_taken"


class CollectionCycle(Unprocessable):
    """A collection cannot be moved inside itself or one of its own sub-collections."""

    code = "collection_cycle"


class CollectionTooDeep(Unprocessable):
    """Collections nest at most 8 levels deep."""

    code = "collection_too_deep"


class SmartCollectionMembers(Unprocessable):
    """A smart collection's samples come from its rules; change the rules instead."""

    code = "smart_collection"


class CollectionNotEmpty(Unprocessable):
    """Take this collection's samples out before giving it rules."""

    code = "collection_not_empty"


class NotAMember(NotFound):
    """That sample is not in this collection."""


register_constraint("collections_user_id_parent_id_name_key", DuplicateCollectionName)
