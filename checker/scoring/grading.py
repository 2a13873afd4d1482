"""Grading: section points against a criteria set's grades, with the reasons each higher grade
was missed.

The reasons are data (:class:`GradeMiss`, :class:`Shortfall`), stored with a run and put into
words when shown, in the reader's language (:func:`reason_lines`): for the next grade up, each
condition that fails, once; for the grades above it, one line.

Grades are checked from the first down; the first whose conditions all hold is the grade (the
last has none, so one always does). A section is *implemented* when its points are above 0.
"above" is strict (>), "at least" is not (>=); shares are compared as exact fractions, so
10.5 of 15 is exactly 70% and is not above 70%.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from checker.errors import CriteriaError
from checker.i18n import _, ngettext
from checker.scoring.criteria import (
    Comparison,
    Condition,
    CriteriaSet,
    ImplementedCondition,
    ShareCondition,
    TotalCondition,
)
from checker.scoring.points import points_text, round_half_up


@dataclass(frozen=True)
class SectionScore:
    id: str
    title: str
    points: Decimal
    max: Decimal
    share: Fraction  # points / max, exact
    unknown: Decimal = Decimal(0)  # max points of its criteria not measured or not entered
    unknown_ids: tuple[str, ...] = ()

    @property
    def implemented(self) -> bool:
        return self.points > 0

    @property
    def known_max(self) -> Decimal:
        """The max of what could be measured or was entered."""
        return self.max - self.unknown

    def at_full(self) -> SectionScore:
        """The section with its unknown criteria at full marks: what a condition is checked
        on before saying it fails."""
        points = self.points + self.unknown
        return SectionScore(
            self.id, self.title, points, self.max, Fraction(points) / Fraction(self.max)
        )

    def percent_text(self) -> str:
        """The share as people read it: ``66.67%``, ``70%``."""
        return f"{points_text(round_half_up(self.share * 100))}%"


@dataclass(frozen=True)
class Shortfall:
    """One condition of a grade that the points do not meet, as data: numbers as people read
    them (``10.5``, ``70%``), put into words by :meth:`text` in the current language."""

    condition: str  # "total", "implemented" or "share"
    comparison: Comparison
    needed: str  # the bound: points, a number of sections, or a percent
    value: str  # the total, the sections implemented, or the section's points
    section: str = ""  # share: the section
    max: str = ""  # share: the section's max
    percent: str = ""  # share: the section's share, "70%"
    count: int = 0  # implemented: the sections of the set
    missing: tuple[str, ...] = ()  # implemented: the sections with 0 points
    # criteria with no points yet (not measured, not entered): the condition fails even with
    # them at full marks, and ``value``/``max``/``percent`` are of what is known
    unknown: tuple[str, ...] = ()

    def text(self) -> str:
        if self.condition == "total":
            template = (
                _("total {value} is not above {needed}")
                if self.comparison == "above"
                else _("total {value} is below {needed}")
            )
            return self._even_with(template.format(value=self.value, needed=self.needed))
        if self.condition == "implemented":
            return self._even_with(self._implemented_text())
        if self.unknown:
            template = (
                _(
                    "section {section} has {value}/{max} ({percent}) of what is known, "
                    "needs above {needed}%"
                )
                if self.comparison == "above"
                else _(
                    "section {section} has {value}/{max} ({percent}) of what is known, "
                    "needs at least {needed}%"
                )
            )
        else:
            template = (
                _("section {section} has {value}/{max} ({percent}), needs above {needed}%")
                if self.comparison == "above"
                else _("section {section} has {value}/{max} ({percent}), needs at least {needed}%")
            )
        text = template.format(
            section=self.section,
            value=self.value,
            max=self.max,
            percent=self.percent,
            needed=self.needed,
        )
        return self._even_with(text)

    def _even_with(self, text: str) -> str:
        """A condition that fails whatever the criteria with no points yet turn out to be."""
        if not self.unknown:
            return text
        even = _("even with {criteria} (no points yet) at full marks")
        return f"{text}, {even.format(criteria=', '.join(self.unknown))}"

    def _implemented_text(self) -> str:
        template = (
            _("{value}/{count} sections implemented (above 0 points), needs above {needed}")
            if self.comparison == "above"
            else _("{value}/{count} sections implemented (above 0 points), needs at least {needed}")
        )
        text = template.format(value=self.value, count=self.count, needed=self.needed)
        if not self.missing:
            return text
        where = ngettext(
            "0 points in section {sections}", "0 points in sections {sections}", len(self.missing)
        )
        return f"{text}; {where.format(sections=', '.join(self.missing))}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Shortfall:
        missing = data.get("missing", ())
        unknown = data.get("unknown", ())
        assert isinstance(missing, list | tuple) and isinstance(unknown, list | tuple)
        return cls(
            **{  # type: ignore[arg-type]
                **data,
                "missing": tuple(str(m) for m in missing),
                "unknown": tuple(str(u) for u in unknown),
            }
        )


@dataclass(frozen=True)
class GradeMiss:
    """A grade above the one given, and the conditions of it that the points do not meet;
    or, with no shortfall, a grade still possible: ``pending`` names the criteria with no
    points yet (not measured, not entered) that decide it."""

    grade_id: str
    grade_name: str
    shortfalls: tuple[Shortfall, ...]
    pending: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "grade": self.grade_id,
            "grade_name": self.grade_name,
            "shortfalls": [s.as_json() for s in self.shortfalls],
        }
        if self.pending:
            data["pending"] = list(self.pending)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> GradeMiss:
        shortfalls = data["shortfalls"]
        pending = data.get("pending", ())
        assert isinstance(shortfalls, list) and isinstance(pending, list | tuple)
        return cls(
            str(data["grade"]),
            str(data["grade_name"]),
            tuple(Shortfall.from_json(s) for s in shortfalls),
            tuple(str(p) for p in pending),
        )


@dataclass(frozen=True)
class GradeResult:
    grade_id: str
    grade_name: str
    total: Decimal
    missed: tuple[GradeMiss, ...]  # the grades above the one given, from the top down
    sections: tuple[SectionScore, ...]
    unknown: tuple[str, ...] = ()  # criteria with no points yet, counted 0 in ``total``

    @property
    def possible(self) -> tuple[str, ...]:
        """The grades still possible while criteria have no points yet, best first (the
        given grade alone when none is missing)."""
        return (*(m.grade_name for m in self.missed if not m.shortfalls), self.grade_name)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why not higher, in words, in the current language (:func:`reason_lines`)."""
        return tuple(reason_lines(self.missed))


def reason_lines(missed: Sequence[GradeMiss]) -> list[str]:
    """For the next grade up, each condition that fails, once; for the grades above it, one
    line: ``not Loại B: total 60 is below 70`` ... ``not Loại A either: 5 conditions fail``."""
    lines = []
    possible = [m for m in missed if not m.shortfalls]
    if possible:
        best = possible[0]
        template = _("{grade} still possible: it depends on {criteria} (no points yet)")
        lines.append(template.format(grade=best.grade_name, criteria=", ".join(best.pending)))
    missed = [m for m in missed if m.shortfalls]
    if not missed:
        return lines
    *higher, next_up = missed
    lines += [
        _("not {grade}: {shortfall}").format(grade=next_up.grade_name, shortfall=s.text())
        for s in next_up.shortfalls
    ]
    if higher:
        count = sum(len(m.shortfalls) for m in higher)
        template = ngettext(
            "not {grades} either: {count} condition fails",
            "not {grades} either: {count} conditions fail",
            count,
        )
        names = ", ".join(m.grade_name for m in reversed(higher))
        lines.append(template.format(grades=names, count=count))
    return lines


def grade(
    criteria: CriteriaSet, section_points: Sequence[Decimal], unknown: Collection[str] = ()
) -> GradeResult:
    """The grade that section points (in the set's section order) earn, and why not higher.

    ``unknown`` names the criteria with no points yet (a measured criterion with nothing to
    measure, an entry not made): they count 0 in the grade given, but a condition is said to
    fail only when it fails even with them at full marks; a higher grade that they alone
    decide is still possible (a :class:`GradeMiss` with no shortfall, naming them)."""
    sections = section_scores(criteria, section_points, unknown)
    total = sum((s.points for s in sections), Decimal(0))
    full = tuple(s.at_full() for s in sections)
    full_total = sum((s.points for s in full), Decimal(0))
    pending = tuple(c.id for c in criteria.criteria if c.id in unknown)
    missed: list[GradeMiss] = []
    for candidate in criteria.grades:
        failed = [f for c in candidate.conditions for f in _failures(c, sections, total)]
        if not failed:
            return GradeResult(
                candidate.id, candidate.name, total, tuple(missed), sections, pending
            )
        certain = [
            _as_known(f, sections, pending)
            for c in candidate.conditions
            for f in _failures(c, full, full_total)
        ]
        missed.append(
            GradeMiss(
                candidate.id,
                candidate.name,
                _once_per_section(certain),
                () if certain else pending,
            )
        )
    message = _("{criteria}: no grade fits; its last grade must have no conditions")
    raise CriteriaError(message.format(criteria=criteria.id))


def reaches(criteria: CriteriaSet, grade_id: str, section_points: Sequence[Decimal]) -> bool:
    """Whether section points (in the set's section order, within their maxima) earn the
    grade ``grade_id`` or a higher one: what comparing :func:`grade`'s place says, without
    working out the reasons, for searches that grade thousands of times
    (``checker.scoring.next_grade``). Shares are compared exactly: points × 100 against
    percent × max."""
    total = sum(section_points, Decimal(0))
    for candidate in criteria.grades:
        if all(_meets(c, criteria, section_points, total) for c in candidate.conditions):
            return True
        if candidate.id == grade_id:
            return False
    message = _("{criteria} has no grade {grade}")
    raise CriteriaError(message.format(criteria=criteria.id, grade=repr(grade_id)))


def _meets(
    condition: Condition, criteria: CriteriaSet, points: Sequence[Decimal], total: Decimal
) -> bool:
    def holds(value: Decimal, comparison: Comparison, bound: Decimal) -> bool:
        return value > bound if comparison == "above" else value >= bound

    if isinstance(condition, TotalCondition):
        return holds(total, condition.total, condition.points)
    if isinstance(condition, ImplementedCondition):
        done = sum(1 for p in points if p > 0)
        return holds(Decimal(done), condition.implemented, Decimal(condition.sections))
    named = condition.sections
    return all(
        holds(p * 100, condition.share, condition.percent * section.max)
        for section, p in zip(criteria.sections, points, strict=True)
        if named is None or section.id in named
    )


def _as_known(
    failure: Shortfall, sections: Sequence[SectionScore], pending: tuple[str, ...]
) -> Shortfall:
    """A condition failed with the unknown criteria at full marks, told with the points that
    are known (the unknown ones are never said to have failed)."""
    if not pending:
        return failure
    by_id = {s.id: s for s in sections}
    if failure.condition == "total":
        known = sum((s.points for s in sections), Decimal(0))
        return replace(failure, value=points_text(known), unknown=pending)
    if failure.condition == "implemented":
        done = sum(1 for s in sections if s.implemented)
        return replace(failure, value=str(done), unknown=pending)
    section = by_id[failure.section]
    if not section.unknown_ids:
        return failure
    if section.known_max == 0:  # nothing known: a bound no points can reach (above 100%)
        return replace(failure, unknown=section.unknown_ids)
    share = Fraction(section.points) / Fraction(section.known_max)
    return replace(
        failure,
        value=points_text(section.points),
        max=points_text(section.known_max),
        percent=f"{points_text(round_half_up(share * 100))}%",
        unknown=section.unknown_ids,
    )


def _once_per_section(failed: Sequence[Shortfall]) -> tuple[Shortfall, ...]:
    """The shortfalls of one grade, a section's share said once: the strictest bound it
    misses (two conditions of a grade, every section at least 50% and section 3 above 65%,
    miss section 3 at 40% once: it needs above 65%)."""
    strictest: dict[str, Shortfall] = {}
    for f in failed:
        if f.condition != "share":
            continue
        kept = strictest.get(f.section)
        if kept is None or _strictness(f) > _strictness(kept):
            strictest[f.section] = f
    return tuple(f for f in failed if f.condition != "share" or strictest[f.section] is f)


def _strictness(shortfall: Shortfall) -> tuple[Fraction, bool]:
    return Fraction(shortfall.needed), shortfall.comparison == "above"


def section_scores(
    criteria: CriteriaSet, section_points: Sequence[Decimal], unknown: Collection[str] = ()
) -> tuple[SectionScore, ...]:
    """Section points checked against the set: one per section, from 0 up to its max, with
    the max of its ``unknown`` criteria (no points yet)."""
    if len(section_points) != len(criteria.sections):
        message = _("{criteria} has {sections} sections, got {points} points")
        raise CriteriaError(
            message.format(
                criteria=criteria.id,
                sections=len(criteria.sections),
                points=len(section_points),
            )
        )
    scores = []
    for section, points in zip(criteria.sections, section_points, strict=True):
        shown = {"section": section.id, "points": points_text(points)}
        if points < 0:
            message = _("section {section}: {points} points is negative; points start at 0")
            raise CriteriaError(message.format(**shown))
        if points > section.max:
            message = _("section {section}: {points} points is above its max of {max}")
            raise CriteriaError(message.format(**shown, max=points_text(section.max)))
        share = Fraction(points) / Fraction(section.max)
        ids = tuple(c.id for c in section.criteria if c.id in unknown)
        open_max = sum((c.max for c in section.criteria if c.id in unknown), Decimal(0))
        if points + open_max > section.max:
            message = _(
                "section {section}: {points} points and {unknown} unknown are above its max"
            )
            raise CriteriaError(message.format(**shown, unknown=points_text(open_max)))
        scores.append(
            SectionScore(section.id, section.title, points, section.max, share, open_max, ids)
        )
    return tuple(scores)


# --- conditions -----------------------------------------------------------------------------


def _holds(value: Fraction, comparison: Comparison, bound: Fraction) -> bool:
    return value > bound if comparison == "above" else value >= bound


def _failures(
    condition: Condition, sections: Sequence[SectionScore], total: Decimal
) -> Iterable[Shortfall]:
    """The condition's shortfalls; nothing when it holds."""
    if isinstance(condition, TotalCondition):
        yield from _total_failures(condition, total)
    elif isinstance(condition, ImplementedCondition):
        yield from _implemented_failures(condition, sections)
    else:
        yield from _share_failures(condition, sections)


def _total_failures(condition: TotalCondition, total: Decimal) -> Iterable[Shortfall]:
    if _holds(Fraction(total), condition.total, Fraction(condition.points)):
        return
    yield Shortfall("total", condition.total, points_text(condition.points), points_text(total))


def _implemented_failures(
    condition: ImplementedCondition, sections: Sequence[SectionScore]
) -> Iterable[Shortfall]:
    done = sum(1 for s in sections if s.implemented)
    if _holds(Fraction(done), condition.implemented, Fraction(condition.sections)):
        return
    yield Shortfall(
        "implemented",
        condition.implemented,
        str(condition.sections),
        str(done),
        count=len(sections),
        missing=tuple(s.id for s in sections if not s.implemented),
    )


def _share_failures(
    condition: ShareCondition, sections: Sequence[SectionScore]
) -> Iterable[Shortfall]:
    named = condition.sections
    bound = Fraction(condition.percent) / 100
    for section in sections:
        if named is not None and section.id not in named:
            continue
        if not _holds(section.share, condition.share, bound):
            yield Shortfall(
                "share",
                condition.share,
                points_text(condition.percent),
                points_text(section.points),
                section=section.id,
                max=points_text(section.max),
                percent=section.percent_text(),
            )


# --- inputs ---------------------------------------------------------------------------------


def parse_points(text: str) -> list[Decimal]:
    """Section points written as ``5,15,25,30,10,10,5`` (decimals with a point: ``10.5``)."""
    return [_parse_one(item.strip()) for item in text.split(",")]


def _parse_one(item: str) -> Decimal:
    try:
        value = Decimal(item)
    except InvalidOperation as exc:
        message = _(
            "points {item} is not a number; give section points as 5,15,25,... "
            "with a point for decimals (10.5)"
        )
        raise CriteriaError(message.format(item=repr(item))) from exc
    if not value.is_finite():
        raise CriteriaError(_("points {item} is not a number").format(item=repr(item)))
    if value and not -6 <= value.adjusted() <= 6:
        message = _("points {item} is out of range; give points like 25 or 10.5")
        raise CriteriaError(message.format(item=repr(item)))
    return value


def section_points_from_criteria(
    criteria: CriteriaSet, criterion_points: Mapping[str, Decimal]
) -> list[Decimal]:
    """Criterion points (by criterion id) summed per section; a missing criterion counts 0."""
    known = {c.id for c in criteria.criteria}
    unknown = sorted(set(criterion_points) - known)
    if unknown:
        message = _("{criteria} has no criterion {criterion}")
        raise CriteriaError(message.format(criteria=criteria.id, criterion=", ".join(unknown)))
    return [
        sum((criterion_points.get(c.id, Decimal(0)) for c in section.criteria), Decimal(0))
        for section in criteria.sections
    ]
