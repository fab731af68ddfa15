"""Suggestions from the producer's library: per-pad picks, "complete this kit" from one seed
sample, and whole kits built from a collection or a text prompt.

Every pick follows the pad's role (see roles.py) and the kit: on a loop pad a sample with a
tempo must lie within ±10 BPM of the kit's, and on loop and texture pads a sample with a key must
mix with the kit's key (the same key, its relative major/minor, or a fifth up or down). Drum and
percussion pads ignore tempo and key (a hit's "tempo" or "key" is noise, and a kick tagged `kick`
must not miss its pad over a spurious G# major), and samples without a tempo or key pass.
Among fitting samples the score is the role fit, plus up to 0.15 for a close tempo and 0.1 for
the same key (0.05 for a related one), plus half the cosine similarity to the seed's embedding
when completing a kit, or up to 0.3 in proportion to the share of a sentence's words a sample
matches when building one from a sentence (sentence.py, prompt.py).
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

import asyncpg
import numpy as np
import numpy.typing as npt

from analysis_engine.kits.queries import SQL
from analysis_engine.kits.roles import (
    FILL_ORDER,
    ROLES,
    Role,
    Sound,
    best_role,
    role_fits,
    role_of_pad,
    sound_of,
)
from analysis_engine.kits.schemas import PadAssign
from analysis_engine.samples.service import sample_view
from analysis_engine.search import LIBRARIES, Key, compatible_keys, key_relation, parse_key
from analysis_engine.sp404 import MAX_BPM, MIN_BPM

# Role indexes kept per process (least recently used dropped past this many samples in all).
MAX_INDEXED_SAMPLES = 2_000_000
TONAL_ROLES: frozenset[Role] = frozenset({"loop", "texture"})
TEMPO_WINDOW_BPM = 10.0
HAT_MUTE_GROUP = 1
BANKS = "ABCDEFGHIJ"


@dataclass(frozen=True)
class KitTarget:
    """The tempo and key the picks must fit (None: anything)."""

    bpm: float | None
    key: Key | None


@dataclass(frozen=True)
class Candidate:
    """One sample of the library with what the rules need."""

    row: asyncpg.Record
    sound: Sound
    key: Key | None

    @property
    def id(self) -> uuid.UUID:
        """The sample's id."""
        sample_id: uuid.UUID = self.row["id"]
        return sample_id

    @property
    def bpm(self) -> float | None:
        """The sample's tempo, if known."""
        bpm: float | None = self.row["bpm"]
        return bpm

    @cached_property
    def fit(self) -> Mapping[Role, float]:
        """How well the sample suits each role (`role_fits`, worked out once: filling ten
        banks asks it for every pad)."""
        return dict(zip(ROLES, role_fits(self.sound), strict=True))


@dataclass(frozen=True)
class Pick:
    """A candidate scored for one role."""

    candidate: Candidate
    score: float
    role_score: float

    def view(self, target: KitTarget) -> dict[str, Any]:
        """The pick as the API shows it."""
        bpm = self.candidate.bpm
        delta = None if bpm is None or target.bpm is None else round(bpm - target.bpm, 2)
        return {
            "sample": sample_view(self.candidate.row),
            "score": round(self.score, 4),
            "role_score": self.role_score,
            "bpm_delta": delta,
            "key_relation": key_relation(target.key, self.candidate.key),
        }


def target_of(bpm: float | None, key_text: str | None) -> KitTarget:
    """The target a kit's tempo and key set."""
    return KitTarget(bpm, parse_key(key_text))


def fits(target: KitTarget, candidate: Candidate, role: Role = "loop") -> bool:
    """Whether a candidate's known tempo and key suit the kit on a pad of `role` (tempo counts
    on loop pads, key on loop and texture pads)."""
    bpm = candidate.bpm
    if role == "loop" and target.bpm is not None and bpm is not None:
        if abs(bpm - target.bpm) > TEMPO_WINDOW_BPM:
            return False
    if role in TONAL_ROLES and target.key is not None and candidate.key is not None:
        return candidate.key in compatible_keys(target.key, fifths=True)
    return True


def _bonus(target: KitTarget, candidate: Candidate) -> float:
    bonus = 0.0
    bpm = candidate.bpm
    if target.bpm is not None and bpm is not None:
        bonus += 0.15 * max(0.0, 1.0 - abs(bpm - target.bpm) / TEMPO_WINDOW_BPM)
    relation = key_relation(target.key, candidate.key)
    if relation == "same":
        bonus += 0.1
    elif relation is not None:
        bonus += 0.05
    return bonus


def rank(
    role: Role,
    candidates: Iterable[Candidate],
    target: KitTarget,
    *,
    exclude: set[uuid.UUID],
    boost: Mapping[uuid.UUID, float] | None = None,
) -> list[Pick]:
    """Candidates that suit `role` and the kit, best first."""
    picks = []
    for candidate in candidates:
        if candidate.id in exclude or not fits(target, candidate, role):
            continue
        fit = candidate.fit[role]
        if fit <= 0.0:
            continue
        extra = (boost or {}).get(candidate.id, 0.0)
        picks.append(Pick(candidate, fit + _bonus(target, candidate) + extra, fit))
    # Ties keep the library's order (newest first), so the same library gives the same picks.
    picks.sort(key=lambda pick: -pick.score)
    return picks


@dataclass(frozen=True)
class _Entry:
    """One sample as the role index keeps it."""

    created_us: int
    updated_us: int
    features_us: int | None
    fit: tuple[float, ...]
    bpm: float | None
    key: Key | None
    loop: bool


def _entry(row: asyncpg.Record) -> _Entry:
    sound = sound_of(dict(row))
    return _Entry(
        created_us=row["created_us"],
        updated_us=row["updated_us"],
        features_us=row["features_us"],
        fit=role_fits(sound),
        bpm=row["bpm"],
        key=parse_key(row["musical_key"]),
        loop=bool(sound.is_loop),
    )


@dataclass(frozen=True)
class RoleIndex:
    """A producer's whole library as arrays: each sample's fit for every role (roles.py), its
    tempo and its key, newest first. Kept per library version (`candidate_versions`) and refreshed
    from the rows written since, so a recommendation ranks every sample without reading a row,
    and reads full rows only for the picks."""

    version: tuple[int, ...]
    entries: Mapping[uuid.UUID, _Entry]
    ids: tuple[uuid.UUID, ...]
    position: Mapping[uuid.UUID, int]
    fit: npt.NDArray[np.float64]  # (roles, samples)
    bpm: npt.NDArray[np.float64]  # NaN: unknown
    key_code: npt.NDArray[np.int16]  # -1: unknown
    keys: Mapping[int, Key]
    loop: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, version: tuple[int, ...], entries: Mapping[uuid.UUID, _Entry]) -> RoleIndex:
        """Arrays over `entries`, in the library's order (newest first, then by id)."""
        ids = tuple(sorted(entries, key=lambda i: (-entries[i].created_us, i)))
        fit = (
            np.array([entries[i].fit for i in ids], dtype=np.float64)
            .reshape(len(ids), len(ROLES))
            .T
        )
        bpm = np.array([np.nan if entries[i].bpm is None else entries[i].bpm for i in ids])
        keys: dict[int, Key] = {}
        codes = []
        for i in ids:
            key = entries[i].key
            codes.append(-1 if key is None else key.code)
            if key is not None:
                keys[key.code] = key
        position = {sample_id: n for n, sample_id in enumerate(ids)}
        key_code = np.array(codes, dtype=np.int16)
        loop = np.array([entries[i].loop for i in ids], dtype=bool)
        return cls(version, entries, ids, position, fit, bpm, key_code, keys, loop)

    def patched(
        self,
        version: tuple[int, ...],
        changed: Mapping[uuid.UUID, _Entry],
        present: set[uuid.UUID] | None,
    ) -> RoleIndex:
        """This index with `changed` entries replaced or added and, given `present`, the others
        dropped; arrays are patched when the new samples are the newest (an upload), else
        rebuilt."""
        entries = {**self.entries, **changed}
        keep = np.ones(len(self.ids), dtype=bool)
        if present is not None:
            for n, sample_id in enumerate(self.ids):
                if sample_id not in present:
                    keep[n] = False
                    entries.pop(sample_id, None)
        added = sorted(
            (i for i in changed if i not in self.position and (present is None or i in present)),
            key=lambda i: (-changed[i].created_us, i),
        )
        kept_ids = [i for n, i in enumerate(self.ids) if keep[n]]
        if added and kept_ids and changed[added[-1]].created_us <= entries[kept_ids[0]].created_us:
            return RoleIndex.of(version, entries)
        fit, bpm, key_code = self.fit.copy(), self.bpm.copy(), self.key_code.copy()
        loop = self.loop.copy()
        keys = dict(self.keys)
        for sample_id, entry in changed.items():
            at = self.position.get(sample_id)
            if at is None:
                continue
            fit[:, at] = entry.fit
            bpm[at] = np.nan if entry.bpm is None else entry.bpm
            key_code[at] = -1 if entry.key is None else entry.key.code
            loop[at] = entry.loop
            if entry.key is not None:
                keys[entry.key.code] = entry.key
        front = RoleIndex.of(version, {i: changed[i] for i in added})
        keys.update(front.keys)
        ids = (*front.ids, *kept_ids)
        return RoleIndex(
            version,
            entries,
            ids,
            {sample_id: n for n, sample_id in enumerate(ids)},
            np.concatenate([front.fit, fit[:, keep]], axis=1),
            np.concatenate([front.bpm, bpm[keep]]),
            np.concatenate([front.key_code, key_code[keep]]),
            keys,
            np.concatenate([front.loop, loop[keep]]),
        )

    def matches(self, version: tuple[int, ...]) -> bool:
        """Whether these entries add up to `version` (counts and exact write-time sums)."""
        stamps = [e.features_us for e in self.entries.values() if e.features_us is not None]
        mine = (
            len(stamps),
            sum(stamps),
            len(self.entries),
            sum(e.updated_us for e in self.entries.values()),
        )
        return mine == version

    def aligned(self, boost: Mapping[uuid.UUID, float]) -> npt.NDArray[np.float64]:
        """`boost` as an array in this index's order (0 where it has no entry)."""
        return np.fromiter((boost.get(i, 0.0) for i in self.ids), np.float64, len(self.ids))

    def among(self, sample_ids: Iterable[uuid.UUID]) -> npt.NDArray[np.bool_]:
        """Which of this index's samples are in `sample_ids` (for `top`'s `only`)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        at = [self.position[i] for i in sample_ids if i in self.position]
        mask[at] = True
        return mask

    def derived_target(self, only: npt.NDArray[np.bool_]) -> tuple[float | None, str | None]:
        """`derive_target` over the samples `only` marks, from these arrays alone."""
        known = only & ~np.isnan(self.bpm)
        codes = self.key_code[only & (self.key_code != -1)]
        key = None
        if codes.size:
            # The commonest key; ties go to the one the newest sample has, as `derive_target`'s
            # Counter (in the library's order) does.
            found, first, counts = np.unique(codes, return_index=True, return_counts=True)
            best = min(range(len(found)), key=lambda n: (-counts[n], first[n]))
            key = str(self.keys[int(found[best])])
        return derive_from(self.bpm[known & self.loop], self.bpm[known], key)

    def top(
        self,
        role: Role,
        target: KitTarget,
        *,
        exclude: set[uuid.UUID],
        limit: int,
        boost: npt.NDArray[np.float64] | None = None,
        only: npt.NDArray[np.bool_] | None = None,
    ) -> list[tuple[uuid.UUID, float, float]]:
        """(id, score, role fit) of the best `limit` samples for `role`, as `rank` orders them
        (with `boost`, from `aligned`, added as `rank` adds its boost; with `only`, from
        `among`, among those samples alone)."""
        if not self.ids:
            return []
        fit = self.fit[ROLES.index(role)]
        ok = fit > 0.0
        if only is not None:
            ok &= only
        known_bpm = ~np.isnan(self.bpm)
        bonus = np.zeros(len(self.ids)) if boost is None else boost.copy()
        if target.bpm is not None:
            distance = np.abs(np.where(known_bpm, self.bpm, target.bpm) - target.bpm)
            if role == "loop":
                ok &= distance <= TEMPO_WINDOW_BPM
            bonus += np.where(
                known_bpm, 0.15 * np.maximum(0.0, 1.0 - distance / TEMPO_WINDOW_BPM), 0.0
            )
        if target.key is not None:
            relation = np.zeros(len(self.ids))
            compatible = {k.code for k in compatible_keys(target.key, fifths=True)}
            allowed = self.key_code == -1
            for code, key in self.keys.items():
                if code in compatible:
                    allowed |= self.key_code == code
                related = key_relation(target.key, key)
                if related is not None:
                    relation[self.key_code == code] = 0.1 if related == "same" else 0.05
            if role in TONAL_ROLES:
                ok &= allowed
            bonus += relation
        for sample_id in exclude:
            i = self.position.get(sample_id)
            if i is not None:
                ok[i] = False
        chosen = np.flatnonzero(ok)
        scores = fit[chosen] + bonus[chosen]
        # Best score first; ties keep the library's order (newest first), as `rank` does.
        order = np.lexsort((chosen, -scores))[:limit]
        return [(self.ids[chosen[j]], float(scores[j]), float(fit[chosen[j]])) for j in order]


# Rows written this long before the newest write the index has seen are read again on refresh:
# a transaction's now() is its start, so a long one commits rows stamped in the past.
REFRESH_OVERLAP = timedelta(minutes=10)


class RoleIndexCache:
    """Role indexes of recently served producers, least recently used dropped past a budget."""

    def __init__(self, max_samples: int = MAX_INDEXED_SAMPLES) -> None:
        self._max_samples = max_samples
        self._entries: OrderedDict[uuid.UUID, RoleIndex] = OrderedDict()
        # The library version (sql/0053) each cached index is known to be current at.
        self._library_versions: dict[uuid.UUID, int] = {}

    async def load(self, conn: asyncpg.Connection, user_id: uuid.UUID) -> RoleIndex:
        """The index of the user whose tenant transaction `conn` is, fresh or from the cache.
        An unchanged library version (one row every write moves) answers at once; a moved one
        is checked against the exact counts and write-time sums and refreshed as they say."""
        library_version = await conn.fetchval(SQL["library_version"])
        cached = self._entries.get(user_id)
        if (
            cached is None
            or library_version is None
            or self._library_versions.get(user_id) != library_version
        ):
            versions = await conn.fetchrow(SQL["candidate_versions"])
            version = tuple(int(v) for v in versions.values())
            if cached is None or cached.version != version:
                cached = await _refresh(conn, cached, version)
            self._library_versions[user_id] = library_version
        self._entries[user_id] = cached
        self._entries.move_to_end(user_id)
        while len(self._entries) > 1 and sum(len(e.ids) for e in self._entries.values()) > (
            self._max_samples
        ):
            dropped, _ = self._entries.popitem(last=False)
            self._library_versions.pop(dropped, None)
        return cached


async def _refresh(
    conn: asyncpg.Connection, cached: RoleIndex | None, version: tuple[int, ...]
) -> RoleIndex:
    """Re-read only what changed since `cached` (a full read when that does not add up)."""
    if cached is not None and cached.entries:
        newest = max(max(e.updated_us, e.features_us or 0) for e in cached.entries.values())
        since = datetime.fromtimestamp(newest / 1_000_000, UTC) - REFRESH_OVERLAP
        changed = {
            row["id"]: _entry(row) for row in await conn.fetch(SQL["candidate_facts"], since)
        }
        present = None
        if len(cached.entries.keys() | changed.keys()) != version[2]:
            present = {row["id"] for row in await conn.fetch(SQL["candidate_ids"])}
        refreshed = cached.patched(version, changed, present)
        if refreshed.matches(version):
            return refreshed
    rows = await conn.fetch(SQL["candidate_facts"], None)
    return RoleIndex.of(version, {row["id"]: _entry(row) for row in rows})


ROLE_INDEXES = RoleIndexCache()


async def best_picks(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    role: Role,
    target: KitTarget,
    *,
    exclude: set[uuid.UUID],
    limit: int,
) -> list[Pick]:
    """The whole library's best `limit` picks for `role` (the same order `rank` gives), reading
    full rows for those picks only."""
    index = await ROLE_INDEXES.load(conn, user_id)
    top = index.top(role, target, exclude=exclude, limit=limit)
    if not top:
        return []
    rows = {c.id: c for c in await load_candidates(conn, [sample_id for sample_id, _, _ in top])}
    return [Pick(rows[sample_id], score, fit) for sample_id, score, fit in top if sample_id in rows]


async def shortlist(
    conn: asyncpg.Connection,
    user_id: uuid.UUID,
    target: KitTarget,
    *,
    exclude: set[uuid.UUID],
    pads: int,
    boost: Mapping[uuid.UUID, float] | None = None,
    only: Iterable[uuid.UUID] | None = None,
) -> list[Candidate]:
    """The candidates that filling `pads` pads from the whole library (or from the samples of
    `only`) can pick, read as rows, so that `fill_bank` and `empty_pads` over them answer as
    over every such sample.

    Per role: the best `pads` samples for the kit (filling takes at most `pads` samples in all,
    so while a pad of a role stays empty one of its role's best is still unused); `pads` + 1
    suited to the role regardless of the kit's tempo and key and not yet used (filling leaves at
    least one of them unused if any sample is, which is what `empty_pads` asks); and one suited
    to it at all, on a pad or not (whether such a sample exists)."""
    index = await ROLE_INDEXES.load(conn, user_id)
    boosts = None if not boost else index.aligned(boost)
    mask = None if only is None else index.among(only)
    anything = KitTarget(None, None)
    ids: set[uuid.UUID] = set()
    for role in ROLES:
        best = index.top(role, target, exclude=exclude, limit=pads, boost=boosts, only=mask)
        free = index.top(role, anything, exclude=exclude, limit=pads + 1, only=mask)
        suited = index.top(role, anything, exclude=set(), limit=1, only=mask)
        ids.update(sample_id for sample_id, _, _ in (*best, *free, *suited))
    return await load_candidates(conn, list(ids)) if ids else []


async def load_candidates(conn: asyncpg.Connection, ids: Sequence[uuid.UUID]) -> list[Candidate]:
    """The caller's samples among `ids` as candidates, newest first."""
    rows = await conn.fetch(SQL["candidates"], list(ids))
    return [Candidate(row, sound_of(dict(row)), parse_key(row["musical_key"])) for row in rows]


async def similarity_to(
    conn: asyncpg.Connection, user_id: uuid.UUID, seed_id: uuid.UUID
) -> dict[uuid.UUID, float]:
    """Half the cosine similarity of each analysed sample to the seed (empty if unanalysed)."""
    library = await LIBRARIES.load(conn, user_id)
    row = library.rows.get(seed_id)
    if row is None:
        return {}
    scores = library.vectors @ library.vectors[row]
    return {
        sample_id: 0.5 * max(0.0, float(s))
        for sample_id, s in zip(library.ids, scores, strict=True)
    }


def pad_settings(bank: str, pad: int, sample_id: uuid.UUID) -> PadAssign:
    """A pad assignment with settings that suit its role."""
    role = role_of_pad(pad)
    looping = role == "loop"
    # The open hat is choked by the closed one, as on a drum kit.
    mute = HAT_MUTE_GROUP if role in ("closed_hat", "open_hat") else 0
    return PadAssign.model_validate(
        {
            "bank": bank,
            "pad": pad,
            "sample_id": sample_id,
            "loop": looping,
            "one_shot": not looping,
            "mute_group": mute,
        }
    )


def fill_bank(
    bank: str,
    occupied: set[int],
    candidates: Sequence[Candidate],
    target: KitTarget,
    used: set[uuid.UUID],
    boost: Mapping[uuid.UUID, float] | None = None,
    ranked: dict[Role, list[Pick]] | None = None,
) -> list[PadAssign]:
    """Assignments for a bank's empty pads, most specific roles first; marks picks as used.
    `ranked` keeps each role's ranking (`rank` of every candidate) between banks."""
    rankings = {} if ranked is None else ranked
    filled = []
    for pad in FILL_ORDER:
        if pad in occupied:
            continue
        role = role_of_pad(pad)
        if role not in rankings:
            rankings[role] = rank(role, candidates, target, exclude=set(), boost=boost)
        # The best unused: `rank` with `used` excluded, which keeps the same order.
        pick = next((p for p in rankings[role] if p.candidate.id not in used), None)
        if pick is not None:
            used.add(pick.candidate.id)
            filled.append(pad_settings(bank, pad, pick.candidate.id))
    return sorted(filled, key=lambda assign: assign.pad)


def fill_banks(
    candidates: Sequence[Candidate],
    target: KitTarget,
    boost: Mapping[uuid.UUID, float] | None = None,
    *,
    among: str,
) -> tuple[list[PadAssign], list[dict[str, Any]]]:
    """A new kit's pads: banks A, B, ... filled in turn while each gets a pad, and why each
    filled bank's other pads stayed empty (`empty_pads`)."""
    used: set[uuid.UUID] = set()
    placed: list[PadAssign] = []
    empty: list[dict[str, Any]] = []
    ranked: dict[Role, list[Pick]] = {}
    for bank in BANKS:
        assigns = fill_bank(bank, set(), candidates, target, used, boost, ranked)
        if not assigns:
            break
        placed += assigns
        # Later banks fill only while earlier ones could; say why each used bank has gaps.
        filled = {assign.pad for assign in assigns}
        empty += empty_pads(bank, filled, candidates, target, used, among=among)
    return placed, empty


def seed_pad(seed: Candidate, occupied: set[int]) -> int | None:
    """The empty pad of a bank the seed suits best (any empty one if its role's are full)."""
    role, score = best_role(seed.sound)
    free = [pad for pad in range(1, 17) if pad not in occupied]
    if not free:
        return None
    if score > 0:
        for pad in free:
            if role_of_pad(pad) == role:
                return pad
    return free[0]


def derive_target(candidates: Sequence[Candidate]) -> tuple[float | None, str | None]:
    """A tempo (median of the loops', else of all known) and the commonest key of candidates."""
    loops = [c.bpm for c in candidates if c.bpm is not None and c.sound.is_loop]
    tempos = [c.bpm for c in candidates if c.bpm is not None]
    keys = Counter(c.key for c in candidates if c.key is not None)
    key = str(keys.most_common(1)[0][0]) if keys else None
    return derive_from(loops, tempos, key)


def derive_from(
    loop_tempos: Iterable[float], tempos: Iterable[float], key: str | None
) -> tuple[float | None, str | None]:
    """The kit's tempo from the loops' tempos (else all known ones), and `key`."""
    chosen = [float(t) for t in loop_tempos] or [float(t) for t in tempos]
    bpm = None
    if chosen:
        bpm = round(min(MAX_BPM, max(MIN_BPM, statistics.median(chosen))), 1)
    return bpm, key


ROLE_NAMES: Mapping[Role, str] = {
    "loop": "loop (a loop of 3 s or more)",
    "texture": "texture (pads, ambience, vinyl, FX)",
    "percussion": "percussion (claps, rims, shakers, congas)",
    "kick": "kick",
    "snare": "snare",
    "closed_hat": "closed hi-hat",
    "open_hat": "open hi-hat",
}


def empty_pads(
    bank: str,
    filled: set[int],
    candidates: Sequence[Candidate],
    target: KitTarget,
    used: set[uuid.UUID],
    *,
    among: str = "in your library",
) -> list[dict[str, Any]]:
    """Why each pad of a bank outside `filled` stayed empty after filling (`among` says where the
    candidates came from, with its preposition: "in your library", 'matching "dusty"'): no sample
    suits its role (`no_candidate`), those that do and are not on a pad (`used`)
    miss the kit's tempo or key (`tempo_or_key`), or all of them are on pads (`all_used`)."""
    empty = []
    for pad in range(1, 17):
        if pad in filled:
            continue
        role = role_of_pad(pad)
        suited = [c for c in candidates if c.fit[role] > 0]
        left = [c for c in suited if c.id not in used]
        name = ROLE_NAMES[role]
        if not suited:
            reason, message = "no_candidate", f"Nothing {among} suits the {name} pad."
        elif left and not any(fits(target, c, role) for c in left):
            reason = "tempo_or_key"
            # Tempo counts on loop pads only (`fits`): elsewhere the key is what kept them out.
            clash = (
                f"are more than {TEMPO_WINDOW_BPM:g} BPM from the kit's tempo or clash with its key"
                if role == "loop"
                else "clash with the kit's key"
            )
            message = f"The samples {among} that suit the {name} pad {clash}."
        else:
            reason = "all_used"
            message = f"The samples {among} that suit the {name} pad are all on other pads."
        empty.append(
            {"label": f"{bank}-{pad:02d}", "role": role, "reason": reason, "message": message}
        )
    return empty
