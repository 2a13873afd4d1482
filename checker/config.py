"""The deployment file: which agencies a city grades, in which groups, with which criteria
set, where the logs come from, and which database holds them.

A deployment is one TOML file, validated strictly: an unknown key is an error that names the
file, the key and its line. Relative paths in it are relative to the file's folder. The
environment overrides the database URL (``CHECKER_DB_URL``) and carries secrets.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from checker.errors import ConfigError
from checker.i18n import N_, _
from checker.tomlfile import read_toml
from checker.validation import describe, dotted, first_error, line_of
from connectors.edxml import DEFAULT_PATTERNS
from connectors.mapping import HttpSource
from connectors.register import RegisterLimits
from metrics.calendar import CalendarOverrides
from metrics.files import FilesConfig

DEFAULT_DB_URL = "sqlite:///checker.db"
DB_URL_ENV = "CHECKER_DB_URL"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    criteria: str = Field(min_length=1, description="criteria set name or path")


class Agency(_Strict):
    code: str = Field(min_length=1)
    codes: tuple[str, ...] = Field(default=(), description="alternative organisation codes")
    name: str = Field(min_length=1)
    group: str = Field(min_length=1)

    @property
    def all_codes(self) -> tuple[str, ...]:
        return (self.code, *self.codes)


class Cluster(_Strict):
    """A competition cluster (*cụm thi đua*) of 3-4 agencies; the leader keeps its record."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    members: tuple[str, ...] = Field(min_length=1)
    leader: str = Field(min_length=1)
    district: str = ""


class EdxmlSource(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["edxml"]
    paths: tuple[Path, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = Field(
        default=DEFAULT_PATTERNS,
        min_length=1,
        description="names read in a folder (shell style, any case); other files are listed",
    )


class DatabaseConfig(_Strict):
    url: str = DEFAULT_DB_URL


class ScoringConfig(_Strict):
    manual_points: Path | None = None
    criteria_dir: Path | None = None


class RunsConfig(_Strict):
    """How long stored runs are kept (``checker.scoring.retention``): every run of the last
    ``keep_daily_days`` days, then the last run of each month (of each kind) for
    ``keep_monthly_months`` months. Unset: every run is kept."""

    keep_daily_days: int | None = Field(default=None, ge=1)
    keep_monthly_months: int | None = Field(default=None, ge=1)


class Deployment(_Strict):
    """A validated deployment file."""

    city: str = "Thành phố"
    database: DatabaseConfig = DatabaseConfig()
    groups: tuple[Group, ...] = ()
    agencies: tuple[Agency, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    sources: tuple[Annotated[EdxmlSource | HttpSource, Field(discriminator="kind")], ...] = ()
    calendar: CalendarOverrides = CalendarOverrides()
    files: FilesConfig = FilesConfig()
    scoring: ScoringConfig = ScoringConfig()
    registers: RegisterLimits = RegisterLimits()
    runs: RunsConfig = RunsConfig()

    @model_validator(mode="after")
    def _references_hold(self) -> Deployment:
        group_ids = [g.id for g in self.groups]
        _no_repeats(N_("group id {value} appears twice"), group_ids)
        _no_repeats(N_("source name {value} appears twice"), [s.name for s in self.sources])
        codes = [c for a in self.agencies for c in a.all_codes]
        _no_repeats(N_("agency code {value} appears twice"), codes)
        for agency in self.agencies:
            if agency.group not in group_ids:
                message = _(
                    "agency {code} names group {group}, which is not among the groups {ids}"
                )
                raise ValueError(
                    message.format(code=agency.code, group=repr(agency.group), ids=group_ids)
                )
        _check_clusters(self.clusters, {a.code for a in self.agencies})
        return self

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def agency(self, code: str) -> Agency:
        """The agency that carries ``code``, as its main code or one of its alternative
        ``codes``; a ``ConfigError`` naming the nearest codes when none does."""
        for agency in self.agencies:
            if code in agency.all_codes:
                return agency
        known = [c for a in self.agencies for c in a.all_codes]
        near = difflib.get_close_matches(code, known, n=3, cutoff=0.6)
        if near:
            hint = _("did you mean {codes}?").format(codes=_(" or ").join(near))
        else:
            hint = _("{n} codes are listed").format(n=len(known))
        message = _("agency {code} is not in the deployment's registry: {hint}")
        shown = code if len(code) <= _SHOWN_CODE else code[:_SHOWN_CODE] + "…"
        if not code.strip():
            shown = repr(code)  # an empty code is seen, not a double space
        raise ConfigError(message.format(code=shown, hint=hint))


_SHOWN_CODE = 40  # characters of an unknown code a message repeats (a code has about 13)


def _check_clusters(clusters: tuple[Cluster, ...], agencies: set[str]) -> None:
    _no_repeats(N_("cluster id {value} appears twice"), [c.id for c in clusters])
    members = [m for c in clusters for m in c.members]
    _no_repeats(N_("cluster member {value} appears twice"), members)
    for cluster in clusters:
        unknown = [m for m in cluster.members if m not in agencies]
        if unknown:
            message = _("cluster {id} names unknown agencies {codes}")
            raise ValueError(message.format(id=cluster.id, codes=unknown))
        if cluster.leader not in cluster.members:
            message = _("cluster {id}: leader {leader} is not a member")
            raise ValueError(message.format(id=cluster.id, leader=cluster.leader))


def _no_repeats(message: str, values: list[str]) -> None:
    """``message`` (marked with ``N_``, a ``{value}`` in it) for the first value seen twice."""
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(_(message).format(value=repr(value)))
        seen.add(value)


def load_deployment(path: Path) -> Deployment:
    """Read and validate a deployment file; relative paths become relative to its folder."""
    text, raw = read_toml(path, _("deployment file {path}").format(path=path))
    try:
        deployment = Deployment.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(path, text, exc)) from exc
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return _anchor_paths(deployment, path.parent)


def require_agencies(deployment: Deployment, path: Path) -> None:
    """A ``ConfigError`` naming the file and what it lacks when the deployment lists no
    agencies: measuring, grading and reporting have no one to work on (a file with nothing in
    it loads, for the commands that need only the database: ingest, runs, quarantine)."""
    if deployment.agencies:
        return
    if deployment.groups:
        message = _(
            "deployment file {path} lists no agencies: add an [[agencies]] section for each "
            "agency to grade (its code, name and group)"
        )
    else:
        message = _(
            "deployment file {path} lists no groups and no agencies: add a [[groups]] section "
            "for each group (its id, name and criteria set) and an [[agencies]] section for "
            "each agency to grade (its code, name and group)"
        )
    raise ConfigError(message.format(path=path))


def describe_validation_error(path: Path, text: str, exc: ValidationError) -> str:
    """One line naming the file, the key, its line (when it can be found) and the problem."""
    loc, error = first_error(exc)
    line = line_of(text, loc, error)
    where = str(path) + (_(", line {line}").format(line=line) if line else "")
    return f"{where}: {describe(dotted(loc), error)}"


def _anchor_paths(deployment: Deployment, base: Path) -> Deployment:
    def anchor(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    sources = tuple(
        s.model_copy(update={"paths": tuple(map(anchor, s.paths))})
        if isinstance(s, EdxmlSource)
        else s
        for s in deployment.sources
    )
    groups = tuple(
        g.model_copy(update={"criteria": str(anchor(Path(g.criteria)))})
        if g.criteria.endswith(".toml")
        else g
        for g in deployment.groups
    )
    scoring = deployment.scoring
    updates: dict[str, Any] = {}
    if scoring.manual_points is not None:
        updates["manual_points"] = anchor(scoring.manual_points)
    if scoring.criteria_dir is not None:
        updates["criteria_dir"] = anchor(scoring.criteria_dir)
    db = deployment.database
    if db.url.startswith("sqlite:///") and not db.url.startswith("sqlite:////"):
        relative = db.url.removeprefix("sqlite:///")
        db = DatabaseConfig(url=f"sqlite:///{anchor(Path(relative))}")
    return deployment.model_copy(
        update={
            "groups": groups,
            "sources": sources,
            "scoring": scoring.model_copy(update=updates),
            "database": db,
        }
    )


def database_url(cli_url: str | None, deployment: Deployment | None) -> str:
    """The database URL in force: the --db option, then CHECKER_DB_URL, then the file."""
    if cli_url:
        return cli_url
    env = os.environ.get(DB_URL_ENV)
    if env:
        return env
    if deployment is not None:
        return deployment.database.url
    return DEFAULT_DB_URL
