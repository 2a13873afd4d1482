from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from checker.config import load_deployment
from checker.demo.city import CRITERIA, DemoWorkspace, build_demo_workspace
from checker.errors import RecordError
from checker.scoring.criteria import bundled_criteria_dir, load_criteria
from checker.scoring.manual import load_manual_points
from checker.store.records import DocumentRecord, StatusRecord
from connectors.edxml import read_message


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> DemoWorkspace:
    return build_demo_workspace(tmp_path_factory.mktemp("demo"))


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def test_deployment_loads_with_agencies_in_three_groups(workspace: DemoWorkspace) -> None:
    deployment = load_deployment(workspace.config_path)
    assert "Hải Đăng" in deployment.city
    assert len(deployment.agencies) >= 20
    assert [g.id for g in deployment.groups] == ["so-nganh", "quan-huyen", "phuong-xa"]
    assert {g.criteria for g in deployment.groups} == {CRITERIA}
    for group in deployment.groups:
        assert sum(a.group == group.id for a in deployment.agencies) >= 5
    assert all(len(a.code) == 13 for a in deployment.agencies)
    assert sum(bool(a.codes) for a in deployment.agencies) >= 3
    assert deployment.sources[0].paths == (workspace.edxml_dir,)
    assert deployment.scoring.manual_points == workspace.manual_points_path
    assert deployment.scoring.criteria_dir is None
    assert deployment.database.url == f"sqlite:///{workspace.folder / 'checker.db'}"


def test_building_twice_gives_identical_files_and_keeps_other_files(
    workspace: DemoWorkspace, tmp_path: Path
) -> None:
    (tmp_path / "edxml" / "2099-01").mkdir(parents=True)
    (tmp_path / "edxml" / "2099-01" / "stale.edxml").write_text("left from an old build")
    (tmp_path / "checker.db").write_text("old store")
    (tmp_path / "notes.txt").write_text("the user's own file")

    again = build_demo_workspace(tmp_path)

    assert (tmp_path / "notes.txt").read_text() == "the user's own file"
    (tmp_path / "notes.txt").unlink()
    assert not (tmp_path / "checker.db").exists()
    assert _digest(again.folder) == _digest(workspace.folder)
    assert (again.messages_written, again.malformed_written) == (
        workspace.messages_written,
        workspace.malformed_written,
    )


def test_every_message_parses_and_every_malformed_file_is_refused(
    workspace: DemoWorkspace,
) -> None:
    files = sorted(workspace.edxml_dir.rglob("*.edxml"))
    malformed = [p for p in files if p.name.startswith("broken-")]
    assert len(files) == workspace.messages_written
    assert len(malformed) == workspace.malformed_written >= 5
    records: list[DocumentRecord | StatusRecord] = []
    for path in files:
        if path in malformed:
            with pytest.raises(RecordError):
                read_message(path)
        else:
            records.append(read_message(path))

    documents = [r for r in records if isinstance(r, DocumentRecord)]
    statuses = [r for r in records if isinstance(r, StatusRecord)]
    assert 1500 <= len(documents) <= 2500
    assert {s.status_code for s in statuses} >= {"01", "02", "03", "04", "05", "06"}
    assert all(s.description for s in statuses if s.status_code == "02")
    contents = Counter(p.read_bytes() for p in files if p not in malformed)
    assert sorted(contents.values())[-2:] == [1, 2]  # one message written twice

    deployment = load_deployment(workspace.config_path)
    registered = {c for a in deployment.agencies for c in a.all_codes}
    alternative = {c for a in deployment.agencies for c in a.codes}
    senders = {d.sender_id for d in documents}
    assert len(senders - registered) == 2
    assert senders & alternative
    assert {r for d in documents for r in d.recipient_ids} & alternative


def test_manual_points_cover_the_manual_criteria_within_their_maxima(
    workspace: DemoWorkspace,
) -> None:
    points = load_manual_points(workspace.manual_points_path)
    deployment = load_deployment(workspace.config_path)
    manual = {
        c.id: c.max
        for c in load_criteria(CRITERIA, bundled_criteria_dir()).criteria
        if c.kind == "manual"
    }
    assert set(points) == {a.code for a in deployment.agencies}
    entered = [
        (criterion, value) for entries in points.values() for criterion, value in entries.items()
    ]
    assert all(manual[c] / 2 <= v <= manual[c] and v % Decimal("0.5") == 0 for c, v in entered)
    missing = sum(len(manual) - len(entries) for entries in points.values())
    assert 1 <= missing <= 2
