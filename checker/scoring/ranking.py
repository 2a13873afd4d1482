"""Ranks of scorecards inside their group and their cluster, and the nominations.

Equal totals share a rank (1, 1, 3) unless the criteria set declares a tie-break (section ids
compared in order). Each cluster proposes one excellent unit among its members graded with
the set's top grade: the highest total; a tie is reported for the vote, never broken here.
Each district picks one among its clusters' nominees the same way.

Ranking reads a :class:`Mark` of each scorecard (its total, tie-break points and whether it
reached the top grade), not the scorecard: a province's scorecards need not all be held at
once to rank them (``checker.jobs.scorecards`` loads each one again when it is written).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Protocol

from checker.config import Agency, Deployment
from checker.scoring.assessment import Scorecard
from checker.scoring.grading import section_points_from_criteria
from checker.scoring.standing import Standing, counting_points, standing


@dataclass(frozen=True)
class Mark:
    """What ranking and nominating need of one scorecard, without the scorecard."""

    agency_code: str
    group: str
    cluster: str
    key: tuple[Decimal, ...]  # the total (missing entries at 0), then the tie-break sections
    top: bool  # graded with its set's top grade: a candidate for nomination

    @property
    def total(self) -> Decimal:
        return self.key[0]


def mark(agency: Agency, card: Scorecard, where: Standing, cluster: str = "") -> Mark:
    """The mark of an agency's scorecard standing ``where``."""
    criteria = card.criteria
    points = section_points_from_criteria(criteria, counting_points(card))
    by_id = dict(zip((s.id for s in criteria.sections), points, strict=True))
    key = (where.low.total, *(by_id[s] for s in criteria.tie_break))
    top = where.low.grade_id == criteria.grades[0].id
    return Mark(card.agency_code, agency.group, cluster, key, top)


@dataclass(frozen=True)
class Place:
    group_rank: int
    cluster_rank: int | None = None


def places(marks: Sequence[Mark]) -> dict[str, Place]:
    """Each agency's rank in its group and in its cluster (None outside clusters)."""
    group_ranks = _ranks_by(marks, lambda m: m.group)
    cluster_ranks = _ranks_by([m for m in marks if m.cluster], lambda m: m.cluster)
    return {
        m.agency_code: Place(group_ranks[m.agency_code], cluster_ranks.get(m.agency_code))
        for m in marks
    }


@dataclass(frozen=True)
class Ranked:
    card: Scorecard
    standing: Standing
    group: str
    group_rank: int
    cluster: str = ""
    cluster_rank: int | None = None

    @property
    def agency_code(self) -> str:
        return self.card.agency_code

    @property
    def total(self) -> Decimal:
        return self.standing.low.total

    @property
    def top(self) -> bool:
        return self.standing.low.grade_id == self.card.criteria.grades[0].id


class Candidate(Protocol):
    """A scorecard as nominating reads it (a :class:`Mark` or a :class:`Ranked`)."""

    @property
    def agency_code(self) -> str: ...

    @property
    def total(self) -> Decimal: ...

    @property
    def top(self) -> bool: ...


@dataclass(frozen=True)
class Nomination:
    """Who a cluster (or a district) proposes; ``tied`` when the vote must decide."""

    among: str  # cluster id, or district name
    nominee: str | None
    tied: tuple[str, ...]
    candidates: tuple[str, ...]


def _ranks(items: Sequence[Mark]) -> dict[str, int]:
    """Competition ranks (1, 1, 3) on the total and the declared tie-break."""
    ordered = sorted(items, key=lambda m: (tuple(-v for v in m.key), m.agency_code))
    ranks: dict[str, int] = {}
    previous: tuple[Decimal, ...] | None = None
    rank = 0
    for position, item in enumerate(ordered, start=1):
        if item.key != previous:
            rank, previous = position, item.key
        ranks[item.agency_code] = rank
    return ranks


def rank_cards(deployment: Deployment, cards: Sequence[tuple[Agency, Scorecard]]) -> list[Ranked]:
    """Every scorecard with its rank in its group and in its cluster."""
    cluster_of = {m: c.id for c in deployment.clusters for m in c.members}
    stood = [(agency, card, standing(card)) for agency, card in cards]
    placed = places([mark(a, c, s, cluster_of.get(a.code, "")) for a, c, s in stood])
    return [
        Ranked(
            card,
            where,
            agency.group,
            placed[card.agency_code].group_rank,
            cluster_of.get(agency.code, ""),
            placed[card.agency_code].cluster_rank,
        )
        for agency, card, where in stood
    ]


def _ranks_by(items: Sequence[Mark], key: Callable[[Mark], str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for _name, members in groupby(sorted(items, key=key), key=key):
        ranks |= _ranks(list(members))
    return ranks


def nominate(among: str, candidates: Sequence[Candidate]) -> Nomination:
    """The highest total among the candidates graded with their set's top grade."""
    eligible = [r for r in candidates if r.top]
    codes = tuple(r.agency_code for r in eligible)
    if not eligible:
        return Nomination(among, None, (), codes)
    best = max(r.total for r in eligible)
    top = tuple(r.agency_code for r in eligible if r.total == best)
    return Nomination(among, top[0] if len(top) == 1 else None, top if len(top) > 1 else (), codes)


def nominations(
    deployment: Deployment, ranked: Sequence[Candidate]
) -> tuple[list[Nomination], list[Nomination]]:
    """Each cluster's nominee, then each district's pick among its clusters' nominees."""
    by_code = {r.agency_code: r for r in ranked}
    clusters = [
        nominate(c.id, [by_code[m] for m in c.members if m in by_code]) for c in deployment.clusters
    ]
    districts = []
    nominee_of = {n.among: n.nominee for n in clusters}
    for district in dict.fromkeys(c.district for c in deployment.clusters):
        picks = [
            by_code[code]
            for c in deployment.clusters
            if c.district == district and (code := nominee_of[c.id]) is not None
        ]
        districts.append(nominate(district or deployment.city, picks))
    return clusters, districts
