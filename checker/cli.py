"""The command line: the only place that talks to the user.

Every command builds what it needs (deployment, engine) from the global options, calls the
library, and prints. An expected failure (any ``CheckerError``) prints one line
``Error: ...`` and exits with status 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import httpx
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine, select

from checker.config import Deployment, EdxmlSource, database_url, load_deployment
from checker.criteria import CriteriaSet, load_criteria
from checker.demo import DEMO_TOKEN_ENV, SIMULATOR_URL, build_demo_workspace
from checker.errors import CheckerError, ConfigError
from checker.grading import grade, parse_points
from checker.loader import LoadSummary, load, vietnam_now
from checker.manual import ManualPoints, load_manual_points
from checker.models import QUARANTINE
from checker.registry import write_registry
from checker.report import build_report, latest_run_id, render_evidence, render_table
from checker.scoring import score_agencies, store_run
from checker.simulated_data import demo_agency_codes, generate_dataset
from checker.simulator import FaultPlan, Simulator, serve
from checker.store import open_store
from checker.sync import ClientFactory, PageProgress, SyncReport, default_client, sync
from checker.upsert import store_in_batches
from connectors.edxml_source import read_edxml
from connectors.http import build_client
from connectors.mapping import HttpSource
from connectors.register import read_register
from metrics.calendar import WorkingCalendar
from metrics.evidence import evidence
from metrics.measure import measure_all, unknown_codes
from metrics.period import Period
from metrics.transfers import overdue_files
from metrics.workdays import write_period_calendar

BUNDLED_CRITERIA = Path(__file__).resolve().parent.parent / "config" / "criteria"
DEFAULT_CONFIG = Path("checker.toml")
DEMO_YEAR = 2025
DEMO_TOKEN = "demo-token"

app = typer.Typer(
    help="checker: measures agencies' electronic records work from logs and grades it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Read logs into the store.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Inputs set aside, and why.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(quarantine_app, name="quarantine")

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Settings:
    config_path: Path | None
    db_url: str | None

    def deployment(self, required: bool = True) -> Deployment | None:
        path = self.config_path
        if path is None and DEFAULT_CONFIG.exists():
            path = DEFAULT_CONFIG
        if path is None:
            if required:
                raise ConfigError(
                    "no deployment file: pass --config PATH or put checker.toml in this folder"
                )
            return None
        return load_deployment(path)

    def required_deployment(self) -> Deployment:
        deployment = self.deployment(required=True)
        assert deployment is not None  # deployment(required=True) raises instead
        return deployment

    @contextmanager
    def store(self, deployment: Deployment | None) -> Iterator[Engine]:
        """An engine on the up-to-date store, disposed of when the command ends."""
        engine = open_store(database_url(self.db_url, deployment))
        try:
            yield engine
        finally:
            engine.dispose()


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Expected failures become one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option("--config", help="Deployment file (default: ./checker.toml).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL; overrides CHECKER_DB_URL and the file."),
    ] = None,
) -> None:
    ctx.obj = Settings(config, db)


# --- ingest -------------------------------------------------------------------------------


@ingest_app.command("edxml")
@user_errors
def ingest_edxml(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="edXML files or folders (recursive).")],
    source: Annotated[str, typer.Option(help="Name recorded as the source.")] = "edxml",
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Read edXML messages (documents and statuses) from the interconnection axis."""
    settings = _settings(ctx)
    with settings.store(settings.deployment(required=False)) as engine:
        summary = load(engine, read_edxml(paths, source), source=source)
    _print_load(summary, as_json)


@ingest_app.command("register")
@user_errors
def ingest_register(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Register exports (.xlsx or .csv).")],
    agency: Annotated[str, typer.Option(help="Code of the agency whose register it is.")],
    direction: Annotated[
        str | None, typer.Option(help="in or out (default: told from the headers).")
    ] = None,
    channel: Annotated[
        str, typer.Option(help="Channel of rows without one: paper, email or axis.")
    ] = "paper",
    source: Annotated[str, typer.Option(help="Name recorded as the source.")] = "register",
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Read incoming or outgoing registers exported as spreadsheets (Decree 30 layout)."""
    if direction not in (None, "in", "out"):
        raise ConfigError(f"--direction {direction!r}: use in or out")
    if channel not in ("paper", "email", "axis"):
        raise ConfigError(f"--channel {channel!r}: use paper, email or axis")
    settings = _settings(ctx)
    totals = {"files": 0, "rows": 0, "stored": 0, "quarantined": 0}
    reasons: list[str] = []
    with settings.store(settings.deployment(required=False)) as engine:
        for path in files:
            rows = read_register(
                path,
                organ_id=agency,
                direction=direction,  # type: ignore[arg-type]
                source=source,
                default_channel=channel,  # type: ignore[arg-type]
            )
            counts = store_in_batches(engine, rows, source)
            totals["files"] += 1
            totals["stored"] += counts.records
            totals["quarantined"] += counts.quarantined
            reasons += counts.reasons
    totals["rows"] = totals["stored"] + totals["quarantined"]
    if as_json:
        typer.echo(json.dumps(totals))
        return
    typer.echo(
        f"Read {totals['files']} register file(s): {totals['stored']} rows stored, "
        f"{totals['quarantined']} set aside."
    )
    for reason in reasons:
        typer.echo(f"  set aside: {reason}")


def _print_load(summary: LoadSummary, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.as_dict()))
        return
    typer.echo(
        f"Read {summary.files} files: {summary.documents} documents and {summary.statuses} "
        f"statuses stored, {summary.duplicates} duplicates skipped, "
        f"{summary.quarantined} set aside."
    )
    for reason, count in sorted(summary.quarantine_reasons.items()):
        typer.echo(f"  set aside ×{count}: {reason}")
    if summary.quarantined:
        typer.echo("See `checker quarantine list` for the files.")


@quarantine_app.command("list")
@user_errors
def quarantine_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show every input set aside, where it was and why."""
    settings = _settings(ctx)
    with (
        settings.store(settings.deployment(required=False)) as engine,
        engine.connect() as connection,
    ):
        rows = connection.execute(select(QUARANTINE).order_by(QUARANTINE.c.id)).mappings().all()
    if as_json:
        keys = ("source", "locator", "reason", "excerpt", "created_at")
        typer.echo(json.dumps([{k: str(r[k]) for k in keys} for r in rows], ensure_ascii=False))
        return
    if not rows:
        typer.echo("Nothing set aside.")
    for r in rows:
        typer.echo(f"{r['source']}  {r['locator']}\n    {r['reason']}")


# --- grading and scoring ------------------------------------------------------------------


def _criteria_dir(deployment: Deployment | None) -> Path:
    if deployment is not None and deployment.scoring.criteria_dir is not None:
        return deployment.scoring.criteria_dir
    return BUNDLED_CRITERIA


@app.command("grade")
@user_errors
def grade_command(
    ctx: typer.Context,
    criteria: Annotated[str, typer.Option(help="Criteria set name (e.g. hanoi-2017) or file.")],
    points: Annotated[str, typer.Option(help="Section points in section order: 5,15,25,...")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Grade a set of section points and say why: which condition each higher grade missed."""
    criteria_set = load_criteria(criteria, _criteria_dir(_settings(ctx).deployment(False)))
    result = grade(criteria_set, parse_points(points))
    if as_json:
        payload = {
            "criteria": criteria_set.id,
            "grade": result.grade_id,
            "grade_name": result.grade_name,
            "total": float(result.total),
            "reasons": list(result.reasons),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    typer.echo(f"{criteria_set.title}")
    typer.echo(f"Total {result.total}: grade {result.grade_id} ({result.grade_name})")
    for reason in result.reasons:
        typer.echo(f"  {reason}")


def _criteria_by_group(deployment: Deployment) -> dict[str, CriteriaSet]:
    directory = _criteria_dir(deployment)
    return {g.id: load_criteria(g.criteria, directory) for g in deployment.groups}


def _criteria_by_id(deployment: Deployment) -> dict[str, CriteriaSet]:
    return {c.id: c for c in _criteria_by_group(deployment).values()}


def _manual_points(deployment: Deployment, manual: Path | None) -> tuple[ManualPoints, Path | None]:
    path = manual or deployment.scoring.manual_points
    if path is None:
        return {}, None
    return load_manual_points(path), path


@dataclass(frozen=True)
class ScoreOutcome:
    run_id: int
    agencies: int
    unknown: list[tuple[str, int]]


def run_scoring(
    engine: Engine, deployment: Deployment, period: Period, as_of: date | None, manual: Path | None
) -> ScoreOutcome:
    criteria_sets = _criteria_by_group(deployment)
    manual_points, manual_path = _manual_points(deployment, manual)
    started = vietnam_now()
    with engine.begin() as connection:
        write_registry(connection, deployment)
        calendar = WorkingCalendar.from_overrides(deployment.calendar)
        write_period_calendar(connection, calendar, period)
        values = measure_all(connection, period, calendar, deployment.files)
        unknown = unknown_codes(connection, period)
        scores = score_agencies(
            deployment, criteria_sets, values, manual_points, manual_path or "manual points"
        )
        run_id = store_run(connection, period, as_of, started, vietnam_now(), values, scores)
    return ScoreOutcome(run_id, len(scores), [(u.code, u.documents) for u in unknown])


def _period(year: int | None, as_of: date | None) -> Period:
    if year is not None and as_of is not None:
        raise ConfigError("give either --year or --as-of, not both")
    if year is None and as_of is None:
        as_of = vietnam_now().date()
    return Period.of(year, as_of)


AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Year to date up to this day (YYYY-MM-DD).")
]
YearOption = Annotated[int | None, typer.Option("--year", help="A whole calendar year.")]


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"--as-of {text!r} is not a date like 2025-06-30") from exc


@app.command("score")
@user_errors
def score_command(
    ctx: typer.Context,
    year: YearOption = None,
    as_of: AsOfOption = None,
    manual: Annotated[
        Path | None, typer.Option(help="Manual points file (default: the deployment's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Measure every agency, score and grade it, rank it in its group, and store the run."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    as_of_date = _parse_date(as_of)
    period = _period(year, as_of_date)
    with settings.store(deployment) as engine:
        outcome = run_scoring(engine, deployment, period, as_of_date, manual)
    _print_score(outcome, period, as_json)


def _print_score(outcome: ScoreOutcome, period: Period, as_json: bool) -> None:
    if as_json:
        payload = {
            "run": outcome.run_id,
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "agencies": outcome.agencies,
            "unknown_codes": [{"code": c, "documents": n} for c, n in outcome.unknown],
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"Scored {outcome.agencies} agencies for {period.label()} as run {outcome.run_id}.")
    if outcome.unknown:
        listed = ", ".join(f"{c} ({n} documents)" for c, n in outcome.unknown)
        typer.echo(f"Organisation codes the registry does not know: {listed}")


@app.command("report")
@user_errors
def report_command(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency (code).")] = None,
    run: Annotated[int | None, typer.Option(help="Run id (default: the latest).")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Rankings per group and each agency's criteria, points and the metrics behind them."""
    if output_format not in ("table", "json"):
        raise ConfigError(f"--format {output_format!r}: use table or json")
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    criteria_sets = _criteria_by_id(deployment)
    with settings.store(deployment) as engine, engine.connect() as connection:
        run_id = run or latest_run_id(connection)
        report = build_report(
            connection, criteria_sets, run_id, agency, [g.id for g in deployment.groups]
        )
    if output_format == "json":
        typer.echo(report.model_dump_json(indent=2))
    else:
        typer.echo(render_table(report), nl=False)


@app.command("overdue")
@user_errors
def overdue_command(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option(help="Only this agency (code).")] = None,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Files past their deadline for the agency archive or the historical archive."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    day = _parse_date(as_of) or vietnam_now().date()
    with settings.store(deployment) as engine, engine.begin() as connection:
        write_registry(connection, deployment)
        files = overdue_files(connection, day, agency)
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in files], default=str, ensure_ascii=False))
        return
    typer.echo(f"{len(files)} files overdue as of {day.isoformat()}")
    for f in files:
        archive = "Lưu trữ cơ quan" if f.archive == "agency_archive" else "Lưu trữ lịch sử"
        state = f", {f.status}" if f.status else ""
        typer.echo(
            f"  {f.agency_code}  {f.file_code}  {archive}: due {f.deadline.isoformat()}, "
            f"overdue by {f.days_overdue} days{state}  {f.title or ''}".rstrip()
        )


@app.command("evidence")
@user_errors
def evidence_command(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option(help="Agency code.")],
    metric: Annotated[str, typer.Option(help="Metric id, e.g. inbound.registered.")],
    year: YearOption = None,
    as_of: AsOfOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """The documents behind a metric for one agency: counted, and not counted with why."""
    if output_format not in ("table", "csv", "json"):
        raise ConfigError(f"--format {output_format!r}: use table, csv or json")
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    if agency not in {a.code for a in deployment.agencies}:
        raise ConfigError(f"agency {agency} is not in the deployment's registry")
    period = _period(year, _parse_date(as_of))
    with settings.store(deployment) as engine, engine.begin() as connection:
        write_registry(connection, deployment)
        calendar = WorkingCalendar.from_overrides(deployment.calendar)
        write_period_calendar(connection, calendar, period)
        lines = evidence(connection, agency, metric, period, calendar, deployment.files)
    typer.echo(render_evidence(lines, output_format, agency, metric, period), nl=False)


@app.command("sync")
@user_errors
def sync_command(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option(help="Only this source (default: every http source).")
    ] = None,
    full: Annotated[bool, typer.Option(help="Forget the cursors and read everything.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Pull the document-management and archive software's logs over HTTP, incrementally.
    Exits with status 1 when any source failed."""
    settings = _settings(ctx)
    deployment = settings.required_deployment()
    sources = _http_sources(deployment, source)
    with settings.store(deployment) as engine:
        report = run_sync(engine, deployment, sources, full=full, show_progress=not as_json)
    _print_sync(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


def _http_sources(deployment: Deployment, name: str | None) -> list[HttpSource]:
    sources = [s for s in deployment.sources if isinstance(s, HttpSource)]
    if name is not None:
        sources = [s for s in sources if s.name == name]
        if not sources:
            known = ", ".join(s.name for s in deployment.sources if isinstance(s, HttpSource))
            raise ConfigError(f"no http source named {name!r} (http sources: {known or 'none'})")
    return sources


def run_sync(
    engine: Engine,
    deployment: Deployment,
    sources: list[HttpSource],
    *,
    full: bool,
    show_progress: bool,
    client_factory: ClientFactory = default_client,
) -> SyncReport:
    """Sync with a progress bar per source on the terminal (none when not a terminal)."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    disable = not show_progress or not console.is_terminal
    with Progress(*columns, TimeElapsedColumn(), console=console, disable=disable) as bars:
        tasks: dict[tuple[str, str, str], TaskID] = {}

        def progress(page: PageProgress) -> None:
            key = (page.source, page.endpoint, page.agency)
            if key not in tasks:
                label = f"{page.source} {page.endpoint} {page.agency}"
                tasks[key] = bars.add_task(label, total=page.total)
            bars.update(tasks[key], advance=page.records + page.quarantined, total=page.total)

        return sync(
            engine,
            deployment,
            sources,
            registry_codes=[a.code for a in deployment.agencies],
            full=full,
            client_factory=client_factory,
            progress=progress,
        )


def _print_sync(report: SyncReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, "sources": [asdict(r) for r in report.sources]}))
        return
    for r in report.sources:
        typer.echo(
            f"{r.source}: {r.status} — {r.pages} pages, {r.records} records stored, "
            f"{r.quarantined} set aside, {r.retries} retries"
        )


@app.command("simulate")
@user_errors
def simulate_command(
    size: Annotated[int, typer.Option(min=1, help="Volume: 1 is a year of a small city.")] = 1,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    token: Annotated[str, typer.Option(help="Bearer token clients must send.")] = DEMO_TOKEN,
    faults: Annotated[
        str,
        typer.Option(
            help="Injected faults, e.g. rate_limit_every=5,error_every=7,retry_after=1 "
            "(also slow_every, slow_seconds, truncate_every, invalid_record_every)."
        ),
    ] = "",
    year: Annotated[int, typer.Option(help="Year of the generated logs.")] = DEMO_YEAR,
) -> None:
    """Serve the reference log API of the demo city's document-management and archive
    software on loopback, until Ctrl-C."""
    plan = FaultPlan.parse(faults) if faults else FaultPlan()
    data = generate_dataset(agencies=demo_agency_codes(), year=year, size=size)

    def ready(simulator: Simulator) -> None:
        typer.echo(f"Serving {sum(data.counts().values())} records at {simulator.base_url}")
        typer.echo(f"  document-management API: {simulator.base_url}/api/v1")
        typer.echo(f"  archive API:             {simulator.base_url}/archive/v1")
        typer.echo("Press Ctrl-C to stop.")

    serve(data, port=port, token=token, faults=plan, on_ready=ready)


@app.command("demo")
@user_errors
def demo_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option(help="Workspace to (re)build.")] = Path("checker-demo"),
) -> None:
    """Build a fictional city's workspace, ingest a year of its traffic, score and report."""
    workspace = build_demo_workspace(folder, year=DEMO_YEAR)
    typer.echo(
        f"Demo workspace {workspace.folder}: {workspace.messages_written} edXML messages "
        f"({workspace.malformed_written} of them malformed, on purpose)."
    )
    settings = Settings(workspace.config_path, _settings(ctx).db_url)
    deployment = settings.required_deployment()
    with settings.store(deployment) as engine:
        for source in deployment.sources:
            if not isinstance(source, EdxmlSource):
                continue
            typer.echo(f"Ingesting source {source.name} …")
            summary = load(engine, read_edxml(source.paths, source.name), source=source.name)
            _print_load(summary, False)
        _demo_sync(engine, deployment)
        period = Period.year(DEMO_YEAR)
        outcome = run_scoring(engine, deployment, period, None, None)
        _print_score(outcome, period, False)
        criteria_sets = _criteria_by_id(deployment)
        order = [g.id for g in deployment.groups]
        with engine.connect() as connection:
            report = build_report(connection, criteria_sets, outcome.run_id, None, order)
            shown = report.groups[0].ranking[-1].code
            detail = build_report(connection, criteria_sets, outcome.run_id, shown, order)
    typer.echo("")
    typer.echo(render_table(report.model_copy(update={"agencies": []})), nl=False)
    typer.echo("")
    typer.echo(render_table(detail.model_copy(update={"groups": []})).split("\n", 2)[2], nl=False)
    prefix = f"uv run --project {_project_hint()} checker"
    typer.echo(
        f"\nGo on in the workspace: cd {workspace.folder}, then\n"
        f"  {prefix} report --agency {shown}\n"
        f"  {prefix} evidence --agency {shown} --metric inbound.acknowledged_same_day "
        f"--year {DEMO_YEAR}"
    )


def _demo_sync(engine: Engine, deployment: Deployment) -> None:
    """Pull the demo city's software logs over real HTTP from a simulator of its own."""
    data = generate_dataset(agencies=demo_agency_codes(), year=DEMO_YEAR)
    with Simulator(data, token=DEMO_TOKEN, port=0) as simulator:
        sources = [
            s.model_copy(update={"base_url": s.base_url.replace(SIMULATOR_URL, simulator.base_url)})
            for s in deployment.sources
            if isinstance(s, HttpSource)
        ]
        demo = deployment.model_copy(update={"sources": tuple(sources)})
        typer.echo(f"Syncing {len(sources)} HTTP sources from a simulator on loopback …")

        def client(source: HttpSource) -> httpx.Client:
            return build_client(
                source.name, source.auth, source.timeouts, environ={DEMO_TOKEN_ENV: DEMO_TOKEN}
            )

        report = run_sync(
            engine, demo, sources, full=False, show_progress=True, client_factory=client
        )
    _print_sync(report, False)


def _project_hint() -> str:
    return str(Path(__file__).resolve().parent.parent)
