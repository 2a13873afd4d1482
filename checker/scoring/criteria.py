"""Criteria sets (*bộ tiêu chí*): sections, criteria with their max points, the rule that turns
a measured metric into points, and the grades checked from the top down.

A criteria set is a TOML file in ``config/criteria``, data only. Loading validates it
strictly: an unknown key names the file, the key and its line; maxima must add up, ids must be
unique, measured criteria must name a known metric with a well-formed points rule, and the
last grade must be the catch-all. Points, maxima and thresholds are ``Decimal`` so that a
comparison at exactly 70% is exact.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from checker.errors import ConfigError
from checker.i18n import N_, _
from checker.scoring.points import Rule, points_text, rule_problems
from checker.tomlfile import read_toml
from checker.validation import Loc, describe, first_error, line_of
from metrics.catalogue import METRICS

if TYPE_CHECKING:
    from checker.config import Deployment

Comparison = Literal["at_least", "above"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sections and criteria ------------------------------------------------------------------


class Criterion(_Strict):
    """Manual criteria are scored by people; measured ones by ``rule`` applied to ``metric``."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    max: Decimal = Field(gt=0)
    kind: Literal["manual", "measured"]
    metric: str | None = None
    rule: Rule | None = None


class Section(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    max: Decimal = Field(gt=0)
    criteria: tuple[Criterion, ...] = Field(min_length=1)


# --- grades ---------------------------------------------------------------------------------


class TotalCondition(_Strict):
    """The total points compared with ``points``."""

    total: Comparison
    points: Decimal = Field(ge=0)


class ImplementedCondition(_Strict):
    """How many sections are implemented (score above 0), compared with ``sections``."""

    implemented: Comparison
    sections: int = Field(ge=0)


class ShareCondition(_Strict):
    """Each named section's share of its max (every section when none are named)."""

    share: Comparison
    percent: Decimal = Field(ge=0, le=100)
    sections: tuple[str, ...] | None = None


def _condition_kind(value: Any) -> str | None:
    names = ("total", "implemented", "share")
    if isinstance(value, dict):
        return next((name for name in names if name in value), None)
    return next((name for name in names if hasattr(value, name)), None)


Condition = Annotated[
    Annotated[TotalCondition, Tag("total")]
    | Annotated[ImplementedCondition, Tag("implemented")]
    | Annotated[ShareCondition, Tag("share")],
    Discriminator(
        _condition_kind,
        custom_error_type="condition_kind",
        custom_error_message=N_("a condition needs one of the keys total, implemented, share"),
    ),
]


class Grade(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    conditions: tuple[Condition, ...] = ()


# --- the set --------------------------------------------------------------------------------


class Problem(ValueError):
    """One thing wrong in a criteria set: where (for people, and as a key path) and what."""

    def __init__(self, place: str, text: str, loc: Loc = ()) -> None:
        super().__init__(f"{place}: {text}" if place else text)
        self.place = place
        self.text = text
        self.loc = loc


class CriteriaSet(_Strict):
    """A validated criteria set; validation context ``{"metrics": ids}`` sets known metrics."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    total_max: Decimal = Field(gt=0)
    sections: tuple[Section, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = Field(min_length=1)
    self_score_tolerance: Decimal = Field(
        default=Decimal(0), ge=0, description="points a self-score may exceed the logs by"
    )
    tie_break: tuple[str, ...] = Field(
        default=(), description="section ids compared in order when totals are equal"
    )

    @model_validator(mode="after")
    def _fits_together(self, info: ValidationInfo) -> CriteriaSet:
        context = info.context if isinstance(info.context, dict) else {}
        known_metrics: Collection[str] = context.get("metrics", METRICS)
        problem = next(iter(_problems(self, known_metrics)), None)
        if problem is not None:
            raise problem
        return self

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion of every section, in order."""
        return tuple(c for s in self.sections for c in s.criteria)


def _problems(criteria: CriteriaSet, known_metrics: Collection[str]) -> Iterable[Problem]:
    sections = criteria.sections
    yield from _duplicates(
        "section", [(s.id, ("sections", i, "id")) for i, s in enumerate(sections)]
    )
    yield from _duplicates(
        "criterion",
        [
            (c.id, ("sections", i, "criteria", j, "id"))
            for i, s in enumerate(sections)
            for j, c in enumerate(s.criteria)
        ],
    )
    yield from _maxima_problems(criteria)
    for i, section in enumerate(sections):
        for j, criterion in enumerate(section.criteria):
            place = _("section {section}, criterion {criterion}").format(
                section=section.id, criterion=criterion.id
            )
            for key, text in _criterion_problems(criterion, known_metrics):
                yield Problem(place, text, ("sections", i, "criteria", j, key))
    yield from _grade_problems(criteria)
    for section_id in criteria.tie_break:
        if section_id not in {s.id for s in sections}:
            text = _("unknown section {section}").format(section=repr(section_id))
            yield Problem("tie_break", text, ("tie_break",))


_TWICE = {
    "section": N_("section id {id} appears twice"),
    "criterion": N_("criterion id {id} appears twice"),
    "grade": N_("grade id {id} appears twice"),
}


def _duplicates(what: str, ids: Sequence[tuple[str, Loc]]) -> Iterable[Problem]:
    seen: set[str] = set()
    for item, loc in ids:
        if item in seen:
            yield Problem("", _(_TWICE[what]).format(id=repr(item)), loc)
        seen.add(item)


def _sum_text(values: Sequence[Decimal]) -> str:
    return _("{parts} make {total}").format(
        parts=" + ".join(map(points_text, values)), total=points_text(sum(values, Decimal(0)))
    )


def _maxima_problems(criteria: CriteriaSet) -> Iterable[Problem]:
    maxima = [s.max for s in criteria.sections]
    if sum(maxima) != criteria.total_max:
        expected = points_text(criteria.total_max)
        text = _("the sections' max points {sum}, expected {expected}").format(
            sum=_sum_text(maxima), expected=expected
        )
        yield Problem("", text, ("total_max",))
    for i, section in enumerate(criteria.sections):
        inner = [c.max for c in section.criteria]
        if sum(inner) != section.max:
            text = _("the criteria's max points {sum}, expected the section max {expected}")
            text = text.format(sum=_sum_text(inner), expected=points_text(section.max))
            place = _("section {section}").format(section=section.id)
            yield Problem(place, text, ("sections", i, "max"))


def _criterion_problems(
    criterion: Criterion, known_metrics: Collection[str]
) -> Iterable[tuple[str, str]]:
    """(key, problem) pairs for one criterion."""
    if criterion.kind == "measured" and (criterion.metric is None or criterion.rule is None):
        yield "kind", _("a measured criterion needs a metric and a rule")
    if criterion.kind == "manual" and (criterion.metric is not None or criterion.rule is not None):
        yield "kind", _("a manual criterion takes no metric and no rule")
    if criterion.metric is not None and criterion.metric not in known_metrics:
        known = ", ".join(sorted(known_metrics))
        text = _("unknown metric {metric} (known: {known})")
        yield "metric", text.format(metric=repr(criterion.metric), known=known)
    if criterion.rule is not None:
        yield from (("rule", text) for text in rule_problems(criterion.rule, criterion.max))


def _grade_problems(criteria: CriteriaSet) -> Iterable[Problem]:
    grades = criteria.grades
    yield from _duplicates("grade", [(g.id, ("grades", k, "id")) for k, g in enumerate(grades)])
    last = len(grades) - 1
    for k, grade in enumerate(grades):
        place, loc = _("grade {grade}").format(grade=grade.id), ("grades", k, "conditions")
        if k == last and grade.conditions:
            text = _("the last grade must have no conditions: it takes the rest")
            yield Problem(place, text, loc)
        if k < last and not grade.conditions:
            text = _("no conditions, so the grades after it are never reached")
            yield Problem(place, text, loc)
        for condition in grade.conditions:
            yield from (Problem(place, t, loc) for t in _condition_problems(criteria, condition))


def _condition_problems(criteria: CriteriaSet, condition: Condition) -> Iterable[str]:
    section_ids = [s.id for s in criteria.sections]
    if isinstance(condition, TotalCondition) and condition.points > criteria.total_max:
        top = points_text(criteria.total_max)
        text = _("total {points} is above the max of {top}")
        yield text.format(points=points_text(condition.points), top=top)
    if isinstance(condition, ImplementedCondition) and condition.sections > len(section_ids):
        text = _("{asked} implemented sections asked, but there are {count}")
        yield text.format(asked=condition.sections, count=len(section_ids))
    if isinstance(condition, ShareCondition):
        for section_id in condition.sections or ():
            if section_id not in section_ids:
                text = _("unknown section {section} (sections: {sections})")
                yield text.format(section=repr(section_id), sections=", ".join(section_ids))


# --- loading --------------------------------------------------------------------------------


def bundled_criteria_dir() -> Path:
    """The criteria sets shipped with checker: inside the installed package (the wheel carries
    them as ``checker/scoring/bundled``), or ``config/criteria`` in a source checkout."""
    installed = Path(__file__).resolve().parent / "bundled"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "config" / "criteria"


def criteria_dir(deployment: Deployment | None) -> Path:
    """Where criteria sets are looked up: the deployment's folder, or the bundled sets."""
    if deployment is not None and deployment.scoring.criteria_dir is not None:
        return deployment.scoring.criteria_dir
    return bundled_criteria_dir()


def known_criteria(criteria_dir: Path) -> list[str]:
    """The names of the criteria sets in a folder (file names without ``.toml``)."""
    if not criteria_dir.is_dir():
        return []
    return sorted(p.stem for p in criteria_dir.glob("*.toml"))


def criteria_path(name_or_path: str, criteria_dir: Path) -> Path:
    """A bare name is a file in ``criteria_dir``; anything ending in ``.toml`` is a path."""
    if name_or_path.endswith(".toml"):
        return Path(name_or_path)
    path = criteria_dir / f"{name_or_path}.toml"
    if not name_or_path or Path(name_or_path).name != name_or_path or not path.is_file():
        known = ", ".join(known_criteria(criteria_dir)) or _("none")
        message = _(
            "unknown criteria set {name} in {folder} (known: {known}); "
            "give one of these names or the path to a .toml file"
        )
        raise ConfigError(message.format(name=repr(name_or_path), folder=criteria_dir, known=known))
    return path


def load_criteria(
    name_or_path: str, criteria_dir: Path, known_metrics: Collection[str] = frozenset(METRICS)
) -> CriteriaSet:
    """Read and validate a criteria set by name (``hanoi-2017``) or by the path to its file."""
    path = criteria_path(name_or_path, criteria_dir)
    where = _("criteria file {path}").format(path=path)
    text, raw = read_toml(path, where)
    try:
        criteria = CriteriaSet.model_validate(raw, context={"metrics": known_metrics})
    except ValidationError as exc:
        raise ConfigError(describe_error(where, raw, text, exc)) from exc
    if criteria.id != path.stem:
        message = _(
            "{where}: id {id} differs from the file name; set id = {stem} or rename the file {file}"
        )
        raise ConfigError(
            message.format(
                where=where,
                id=repr(criteria.id),
                stem=repr(path.stem),
                file=f"{criteria.id}.toml",
            )
        )
    return criteria


# --- error messages -------------------------------------------------------------------------

_TAGGED = {"rule": {"bands", "linear", "count"}, "conditions": {"total", "implemented", "share"}}


def describe_error(where: str, raw: dict[str, Any], text: str, exc: ValidationError) -> str:
    """The first validation error as one line: file, line, place in the set, the problem."""
    loc, first = first_error(exc)
    error = first.get("ctx", {}).get("error")
    if isinstance(error, Problem):
        place, problem, loc = error.place, error.text, error.loc
    else:
        loc = _without_tags(loc)
        place = _place(raw, loc)
        if first["type"] == "extra_forbidden":
            problem = describe(str(loc[-1]), first)
        else:
            problem = describe(_key_path(loc), first)
    line = line_of(text, loc, first)
    head = where + (_(", line {line}").format(line=line) if line else "")
    head += f", {place}" if place else ""
    return f"{head}: {problem}"


def _without_tags(loc: Loc) -> Loc:
    """Drop the union tags pydantic puts in a location (``rule.bands.bands`` → ``rule.bands``)."""
    kept: list[int | str] = []
    for i, part in enumerate(loc):
        after_rule = i >= 1 and loc[i - 1] == "rule"
        after_condition = i >= 2 and loc[i - 2] == "conditions" and isinstance(loc[i - 1], int)
        owner = "rule" if after_rule else "conditions" if after_condition else ""
        if part in _TAGGED.get(owner, set()):
            continue
        kept.append(part)
    return tuple(kept)


def _key_path(loc: Loc) -> str:
    """The keys after the innermost section, criterion or grade: ``rule.bands[1].points``."""
    cut = max(
        (i + 2 for i, p in enumerate(loc) if p in ("sections", "criteria", "grades")), default=0
    )
    tail = loc[cut:] or loc[-1:]
    text = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in tail)
    return text.lstrip(".")


def _place(raw: dict[str, Any], loc: Loc) -> str:
    """Where in the set, from the raw ids: ``section 4, criterion 4.1`` or ``grade A``."""
    names = {
        "sections": N_("section {id}"),
        "criteria": N_("criterion {id}"),
        "grades": N_("grade {id}"),
    }
    parts: list[str] = []
    node: Any = raw
    for key, index in pairwise(loc):
        if isinstance(key, int) or not isinstance(node, dict):
            continue
        node = node.get(key)
        if key in names and isinstance(index, int) and isinstance(node, list):
            node = node[index] if index < len(node) else None
            label = node.get("id", index + 1) if isinstance(node, dict) else index + 1
            parts.append(_(names[key]).format(id=label))
    return ", ".join(parts)
