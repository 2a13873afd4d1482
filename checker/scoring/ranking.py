"""Ranks of scorecards inside their group and their cluster, and the nominations.

Equal totals share a rank (1, 1, 3) unless the criteria set declares a tie-break (section ids
compared in order). Each cluster proposes one excellent unit among its members graded with
the set's top grade: the highest total; a tie is reported for the vote, never broken here.
Each district picks one among its clusters' nominees the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from checker.config import Agency, Deployment
from checker.scoring.assessment import Scorecard
from checker.scoring.grading import section_points_from_criteria
from checker.scoring.standing import Standing, counting_points, standing


@dataclass(frozen=True)
class Ranked:
    card: Scorecard
    standing: Standing
    group: str
    group_rank: int
    cluster: str = ""
    cluster_rank: int | None = None

    @property
    def total(self) -> Decimal:
        return self.standing.low.total


@dataclass(frozen=True)
class Nomination:
    """Who a cluster (or a district) proposes; ``tied`` when the vote must decide."""

    among: str  # cluster id, or district name
    nominee: str | None
    tied: tuple[str, ...]
    candidates: tuple[str, ...]


def _key(ranked: Ranked) -> tuple[Decimal, ...]:
    criteria = ranked.card.criteria
    points = section_points_from_criteria(criteria, counting_points(ranked.card))
    by_id = dict(zip((s.id for s in criteria.sections), points, strict=True))
    return (ranked.total, *(by_id[s] for s in criteria.tie_break))


def _ranks(items: Sequence[Ranked]) -> dict[str, int]:
    """Competition ranks (1, 1, 3) on the total and the declared tie-break."""
    ordered = sorted(items, key=lambda r: (tuple(-v for v in _key(r)), r.card.agency_code))
    ranks: dict[str, int] = {}
    previous: tuple[Decimal, ...] | None = None
    rank = 0
    for position, item in enumerate(ordered, start=1):
        if _key(item) != previous:
            rank, previous = position, _key(item)
        ranks[item.card.agency_code] = rank
    return ranks


def rank_cards(deployment: Deployment, cards: Sequence[tuple[Agency, Scorecard]]) -> list[Ranked]:
    """Every scorecard with its rank in its group and in its cluster."""
    cluster_of = {m: c.id for c in deployment.clusters for m in c.members}
    items = [
        Ranked(card, standing(card), agency.group, 0, cluster_of.get(agency.code, ""))
        for agency, card in cards
    ]
    group_ranks = _ranks_by(items, lambda r: r.group)
    cluster_ranks = _ranks_by([r for r in items if r.cluster], lambda r: r.cluster)
    return [
        Ranked(
            r.card,
            r.standing,
            r.group,
            group_ranks[r.card.agency_code],
            r.cluster,
            cluster_ranks.get(r.card.agency_code),
        )
        for r in items
    ]


def _ranks_by(items: Sequence[Ranked], key: Callable[[Ranked], str]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    for _name, members in groupby(sorted(items, key=key), key=key):
        ranks |= _ranks(list(members))
    return ranks


def nominate(among: str, candidates: Sequence[Ranked]) -> Nomination:
    """The highest total among the candidates graded with their set's top grade."""
    eligible = [r for r in candidates if r.standing.low.grade_id == r.card.criteria.grades[0].id]
    codes = tuple(r.card.agency_code for r in eligible)
    if not eligible:
        return Nomination(among, None, (), codes)
    best = max(r.total for r in eligible)
    top = tuple(r.card.agency_code for r in eligible if r.total == best)
    return Nomination(among, top[0] if len(top) == 1 else None, top if len(top) > 1 else (), codes)


def nominations(
    deployment: Deployment, ranked: Sequence[Ranked]
) -> tuple[list[Nomination], list[Nomination]]:
    """Each cluster's nominee, then each district's pick among its clusters' nominees."""
    by_code = {r.card.agency_code: r for r in ranked}
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
