"""``checker run``: the nightly job a scheduler starts, one command for the whole chain.

1. take the run lock of the store (``checker.jobs.lock``): a second run exits at once;
2. read the new files of every edXML source (``edxml_files_since``);
3. sync every HTTP source (``checker.jobs.sync``);
4. score the year to date and store the run;
5. write the report site of the run (``checker.jobs.site``);
6. prune the runs the deployment's retention rule no longer keeps
   (``checker.scoring.retention``);
7. judge ``fail_below`` (a grade or a number of points) for the agencies it names.

A source that cannot be read (a missing folder, an API down) is logged, the others and the
scoring go on, and the run is *partial*: its note in the store names the sources. Every step
is written to the run's JSON-lines log (``checker.jobs.runlog``).

Killed at any point (even ``kill -9``), the next run completes the work: loads are
idempotent and commit in batches, sync cursors move only with the records they cover,
scoring is one transaction (a killed one stores nothing), the site's folder keeps a journal
of the pages being written, and the locks go with the process. "New files only" is judged on
the time the file arrived in its folder (its ctime, which a copy or a move sets, or a later
mtime) against the start of the last complete ingest of the source, less a margin; the
watermark is saved only after the source's files are stored, so a killed ingest is read
again from the old one (stored messages are skipped as duplicates).
"""

from __future__ import annotations

import enum
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, update

from checker.clock import today
from checker.config import Deployment, EdxmlSource
from checker.errors import ConfigError, OutputError, SourceError
from checker.i18n import _
from checker.jobs.lock import run_lock
from checker.jobs.runlog import RunLog
from checker.jobs.score import criteria_by_group, score
from checker.jobs.site import SiteOptions, publish_site
from checker.jobs.sync import ClientFactory, PageProgress, default_client, sync
from checker.oserrors import os_reason
from checker.scoring.criteria import CriteriaSet
from checker.scoring.points import points_text
from checker.scoring.retention import prune_runs
from checker.scoring.runs import AgencyScore
from checker.store.loader import load
from checker.store.models import RUN
from connectors.edxml import DEFAULT_PATTERNS, find_files
from connectors.edxml_source import read_edxml
from connectors.mapping import HttpSource
from metrics.period import Period

T = TypeVar("T")
STATE_FILE = "checker-run-state.json"
ARRIVAL_MARGIN = timedelta(hours=1)


class ExitCode(enum.IntEnum):
    """The exit status of ``checker run``, for the scheduler and the operator."""

    OK = 0  # everything read, scored, published
    ERROR = 1  # nothing scored: configuration, store, or an unexpected failure
    USAGE = 2  # the command line itself is wrong
    PARTIAL = 3  # a source failed; the rest was read, scored and published
    BELOW = 4  # scored, but an agency is below --fail-below
    LOCKED = 5  # another run holds the lock: this one did nothing


Progress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: a long step's advance, for a terminal display."""


@dataclass(frozen=True)
class Threshold:
    """``--fail-below``: a grade id of the agency's criteria set, or a number of points."""

    points: Decimal | None = None
    grade: str | None = None

    @classmethod
    def parse(cls, text: str) -> Threshold:
        try:
            return cls(points=Decimal(text))
        except InvalidOperation:
            return cls(grade=text)


@dataclass(frozen=True)
class NightlyOptions:
    state_dir: Path
    site_dir: Path | None
    as_of: date | None = None
    fail_below: Threshold | None = None
    agencies: tuple[str, ...] = ()  # whom fail_below judges (default: every agency)
    arrival_margin: timedelta = ARRIVAL_MARGIN  # files arrived this long before the last
    # ingest started are read again (their messages skipped as duplicates)
    client_factory: ClientFactory = default_client
    sleep: Callable[[float], None] = time.sleep


@dataclass
class NightlyResult:
    exit_code: ExitCode = ExitCode.OK
    run_id: int | None = None
    log: Path | None = None
    failed_sources: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, object]] = field(default_factory=dict)


def nightly(
    engine: Engine,
    deployment: Deployment,
    options: NightlyOptions,
    progress: Progress | None = None,
) -> NightlyResult:
    """Run the nightly chain under the store's run lock; raises ``RunLockedError`` at once
    when another run holds it."""
    with run_lock(engine, options.state_dir):
        log = RunLog(options.state_dir)
        result = NightlyResult()
        log.event("start", pid=os.getpid(), as_of=options.as_of)
        try:
            _chain(engine, deployment, options, progress or _no_progress, log, result)
        except BaseException as exc:
            log.event("end", exit_code=int(ExitCode.ERROR), error=str(exc), run_id=result.run_id)
            result.log = log.close(result.run_id)
            raise
        log.event("end", exit_code=int(result.exit_code), run_id=result.run_id)
        result.log = log.close(result.run_id)
        return result


def _no_progress(step: str, done: int, total: int | None) -> None:
    pass


def _chain(
    engine: Engine,
    deployment: Deployment,
    options: NightlyOptions,
    progress: Progress,
    log: RunLog,
    result: NightlyResult,
) -> None:
    criteria = criteria_by_group(deployment)  # a wrong criteria file stops before any work
    _check_judging(deployment, criteria, options)  # so does a threshold that cannot judge
    for source in deployment.sources:
        if isinstance(source, EdxmlSource):
            _ingest(engine, source, options, progress, log, result)
    _sync(engine, deployment, options, progress, log, result)
    scores = _score(engine, deployment, options, progress, log, result)
    if options.site_dir is not None:
        counts: dict[str, object] = {}
        with log.step("site", counts):
            summary = publish_site(engine, deployment, SiteOptions(options.site_dir, result.run_id))
            counts.update(folder=str(summary.folder), pages=summary.pages)
        result.counts["site"] = counts
    _prune(engine, deployment, options, log, result)
    if options.fail_below is not None:
        result.below = _below(scores, criteria, options.fail_below, options.agencies)
        if result.below:
            log.warning("fail_below", "below the threshold: " + ", ".join(result.below))
    if result.failed_sources:
        result.exit_code = ExitCode.PARTIAL
    elif result.below:
        result.exit_code = ExitCode.BELOW


# --- ingest -------------------------------------------------------------------------------


def _ingest(
    engine: Engine,
    source: EdxmlSource,
    options: NightlyOptions,
    progress: Progress,
    log: RunLog,
    result: NightlyResult,
) -> None:
    counts: dict[str, object] = {"source": source.name}
    state = _read_state(options.state_dir)
    since = state.get(source.name)
    started = datetime.now().astimezone()
    try:
        with log.step("ingest", counts):
            files = edxml_files_since(
                source.paths, since - options.arrival_margin if since else None, source.patterns
            )
            counts["files"] = len(files)
            reads = read_edxml(files, source.name)
            summary = load(
                engine, _counting(reads, len(files), source.name, progress), source=source.name
            )
            counts.update(summary.as_dict())
    except SourceError as exc:
        result.failed_sources.append(source.name)
        log.warning("ingest", f"{source.name}: {exc}")
        return
    result.counts[f"ingest {source.name}"] = counts
    state[source.name] = started
    _write_state(options.state_dir, state)


def edxml_files_since(
    paths: Sequence[Path], since: datetime | None, patterns: Sequence[str] = DEFAULT_PATTERNS
) -> list[Path]:
    """The messages of an edXML source (in folders, the files matching ``patterns``) that
    arrived at or after ``since`` (all when None)."""
    found = [path for path, wanted in find_files(paths, patterns) if wanted]
    if since is None:
        return found
    threshold = since.timestamp()
    return [p for p in found if _arrived(p) >= threshold]


def _arrived(path: Path) -> float:
    try:
        stat = path.stat()
    except OSError:
        return float("inf")  # let the reader say what is wrong with it
    return max(stat.st_ctime, stat.st_mtime)


def _counting(items: Iterator[T], total: int, name: str, progress: Progress) -> Iterator[T]:
    for done, item in enumerate(items, start=1):
        if done % 200 == 0 or done == total:
            progress(f"edXML {name}", done, total)
        yield item


def _read_state(state_dir: Path) -> dict[str, datetime]:
    try:
        raw = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
        return {name: datetime.fromisoformat(when) for name, when in raw["edxml"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # no state yet, or unreadable: every file is read again, harmlessly


def _write_state(state_dir: Path, state: dict[str, datetime]) -> None:
    path = state_dir / STATE_FILE
    temporary = path.with_name(f".{path.name}.tmp")
    content = {"edxml": {name: when.isoformat() for name, when in sorted(state.items())}}
    try:
        temporary.write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        reason = os_reason(exc)
        message = _("run state {path} cannot be written: {reason}")
        raise OutputError(message.format(path=path, reason=reason)) from exc


# --- sync ---------------------------------------------------------------------------------


def _sync(
    engine: Engine,
    deployment: Deployment,
    options: NightlyOptions,
    progress: Progress,
    log: RunLog,
    result: NightlyResult,
) -> None:
    sources = [s for s in deployment.sources if isinstance(s, HttpSource)]
    if not sources:
        return
    pages = {"n": 0}

    def page_done(page: PageProgress) -> None:
        pages["n"] += 1
        progress(f"sync {page.source} {page.endpoint}", pages["n"], None)

    counts: dict[str, object] = {}
    with log.step("sync", counts):
        report = sync(
            engine,
            deployment,
            sources,
            registry_codes=[a.code for a in deployment.agencies],
            client_factory=options.client_factory,
            progress=page_done,
            sleep=options.sleep,
        )
        for source in report.sources:
            counts[source.source] = {
                "status": source.status,
                "pages": source.pages,
                "records": source.records,
                "quarantined": source.quarantined,
                "retries": source.retries,
                "warnings": list(source.warnings),
            }
    result.counts["sync"] = counts
    for source in report.sources:
        if not source.ok:
            result.failed_sources.append(source.source)
            log.warning("sync", f"{source.source}: {source.status}")
        for warning in source.warnings:
            log.warning("sync", f"{source.source}: {warning}")


# --- retention ----------------------------------------------------------------------------


def _prune(
    engine: Engine,
    deployment: Deployment,
    options: NightlyOptions,
    log: RunLog,
    result: NightlyResult,
) -> None:
    """Apply the deployment's retention rule (``[runs]``) once the run is stored."""
    if deployment.runs.keep_daily_days is None:
        return
    counts: dict[str, object] = {}
    with log.step("prune", counts), engine.begin() as connection:
        pruned = prune_runs(connection, deployment.runs, today())
        counts.update(
            pruned=[r.id for r in pruned.pruned],
            kept=pruned.kept,
            held_by_scorecards=list(pruned.held_by_scorecards),
        )
    result.counts["prune"] = counts


# --- scoring ------------------------------------------------------------------------------


def _score(
    engine: Engine,
    deployment: Deployment,
    options: NightlyOptions,
    progress: Progress,
    log: RunLog,
    result: NightlyResult,
) -> list[AgencyScore]:
    as_of = options.as_of or today()
    period = Period.year_to_date(as_of)
    counts: dict[str, object] = {"period_start": period.start, "period_end": period.end}
    with log.step("score", counts):
        outcome = score(
            engine,
            deployment,
            period,
            as_of=as_of,
            progress=lambda done, stale: progress("facts of documents", done, stale),
            kind="nightly",
        )
        if result.failed_sources:
            note = "partial: sources not read: " + ", ".join(result.failed_sources)
            with engine.begin() as connection:
                connection.execute(update(RUN).where(RUN.c.id == outcome.run_id).values(note=note))
        counts.update(run=outcome.run_id, agencies=outcome.agencies)
    result.run_id = outcome.run_id
    result.counts["score"] = counts
    return list(outcome.scores)


def _check_judging(
    deployment: Deployment, criteria: dict[str, CriteriaSet], options: NightlyOptions
) -> None:
    """Refuse, before anything is read or stored, a ``--fail-below`` that cannot judge: a
    number of points outside 0 to the criteria sets' total, a grade some judged agency's set
    does not have, an ``--agency`` that is not in the registry or comes without it."""
    threshold = options.fail_below
    if threshold is None:
        if options.agencies:
            raise ConfigError(_("--agency names whom --fail-below judges: give --fail-below too"))
        return
    known = {a.code: a for a in deployment.agencies}
    if missing := sorted(set(options.agencies) - set(known)):
        message = _("--agency {codes}: not an agency of the deployment")
        raise ConfigError(message.format(codes=", ".join(missing)))
    judged = [known[code] for code in options.agencies] or list(deployment.agencies)
    sets = {criteria[agency.group].id: criteria[agency.group] for agency in judged}
    if threshold.points is not None:
        top = max(s.total_max for s in sets.values())
        if not threshold.points.is_finite() or not 0 <= threshold.points <= top:
            message = _("--fail-below {value}: points go from 0 to {top}")
            raise ConfigError(message.format(value=threshold.points, top=points_text(top)))
        return
    for criteria_set in sets.values():
        grades = [g.id for g in criteria_set.grades]
        if threshold.grade not in grades:
            message = _(
                "--fail-below {value}: not a number of points nor a grade of {criteria} ({grades})"
            )
            value = repr(threshold.grade)
            raise ConfigError(
                message.format(value=value, criteria=criteria_set.id, grades=", ".join(grades))
            )


def _below(
    scores: Sequence[AgencyScore],
    criteria: dict[str, CriteriaSet],
    threshold: Threshold,
    agencies: Sequence[str],
) -> list[str]:
    judged = [s for s in scores if not agencies or s.agency.code in agencies]
    if missing := sorted(set(agencies) - {s.agency.code for s in scores}):
        message = _("--agency {codes}: not an agency of the deployment")
        raise ConfigError(message.format(codes=", ".join(missing)))
    below = []
    for agency_score in judged:
        if threshold.points is not None:
            if agency_score.result.total < threshold.points:
                below.append(
                    f"{agency_score.agency.code} {agency_score.result.total} < {threshold.points}"
                )
            continue
        grades = [g.id for g in criteria[agency_score.agency.group].grades]
        if threshold.grade not in grades:
            message = _(
                "--fail-below {value}: not a number of points nor a grade of {criteria} ({grades})"
            )
            raise ConfigError(
                message.format(
                    value=repr(threshold.grade),
                    criteria=criteria[agency_score.agency.group].id,
                    grades=", ".join(grades),
                )
            )
        if grades.index(agency_score.result.grade_id) > grades.index(threshold.grade):
            below.append(
                f"{agency_score.agency.code} {agency_score.result.grade_id} < {threshold.grade}"
            )
    return below
