from __future__ import annotations

import sqlite3

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from checker.errors import StorageError
from checker.store.engine import open_store, safe_url, storage_errors, store_name
from checker.store.loader import load
from checker.store.models import AGENCY
from connectors.edxml_source import read_edxml
from tests.conftest import SAMPLES


def test_migrations_and_models_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_opening_twice_keeps_the_schema(store_url):
    first = open_store(store_url)
    tables = set(inspect(first).get_table_names())
    first.dispose()
    second = open_store(store_url)
    assert set(inspect(second).get_table_names()) == tables
    assert {"document", "document_event", "quarantine", "run", "score"} <= tables
    second.dispose()


def test_unreachable_database_is_a_one_line_storage_error(english):
    with pytest.raises(StorageError) as info:
        open_store("postgresql://someone:hunter2@127.0.0.1:1/nothing")
    message = str(info.value)
    assert "cannot be opened" in message
    assert "the server refuses connections (is PostgreSQL running there?)" in message
    assert "hunter2" not in message
    assert "someone:***@127.0.0.1:1/nothing" in message  # where, with the password hidden
    assert "\n" not in message.strip()


def test_safe_url_hides_the_password_and_keeps_the_rest():
    assert safe_url("postgresql://u:hunter2@host:5433/db") == "postgresql://u:***@host:5433/db"
    assert safe_url("sqlite:///checker.db") == "sqlite:///checker.db"


def test_a_broken_constraint_is_one_line_without_the_row_values(engine, english):
    row = {
        "code": "000.00.01.H99",
        "name": "Sở Nội vụ bí mật",
        "group_id": "so",
        "group_name": "Sở",
        "criteria": "hanoi-2017",
    }
    with (
        pytest.raises(StorageError) as info,
        storage_errors(engine.url),
        engine.begin() as connection,
    ):
        connection.execute(insert(AGENCY), [row, row])
    message = str(info.value)
    assert message.startswith(
        f"database {store_name(engine.url)} refused a write that breaks its constraints ("
    )
    assert "\n" not in message
    assert "bí mật" not in message and "INSERT" not in message


def test_a_lock_held_by_another_process_is_one_line_on_each_database(engine, store_url, english):
    if store_url.startswith("sqlite"):
        path = make_url(store_url).database
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        waiting = open_store(f"{store_url}?timeout=0.1")
    else:
        holder = psycopg.connect(store_url.replace("+psycopg", ""), autocommit=False)
        holder.execute("LOCK TABLE message IN ACCESS EXCLUSIVE MODE")
        waiting = open_store(f"{store_url}?options=-c%20lock_timeout%3D100")
    try:
        with pytest.raises(StorageError) as info:
            load(waiting, read_edxml([SAMPLES / "edoc-vpcp-7816.edxml"], "edxml"), source="edxml")
    finally:
        holder.rollback()
        holder.close()
        waiting.dispose()
    assert str(info.value) == (
        f"database {store_name(store_url)} is locked by another process; try again when it finishes"
    )


def test_store_name_is_the_file_of_sqlite_and_the_url_without_password_otherwise():
    assert store_name("sqlite:////srv/checker/checker.db?timeout=1") == "/srv/checker/checker.db"
    assert store_name("postgresql://u:hunter2@db:5432/checker") == (
        "postgresql://u:***@db:5432/checker"
    )


def test_a_store_that_only_reads_is_not_created_where_there_is_none(tmp_path, english):
    path = tmp_path / "checker.db"
    with pytest.raises(StorageError) as info:
        open_store(f"sqlite:///{path}", create=False)
    assert str(info.value).startswith(f"there is no store here: {path} does not exist")
    assert not path.exists()


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://checker:p@ss-s3cret@127.0.0.1:5432/db", "'@' in its user or password"),
        ("postgresql://checker:s3cret@127.0.0.1:abc/db", "the port 'abc' is not a number"),
        ("postgresql://checker:s3cret@127.0.0.1:99999999/db", "checker:***@127.0.0.1"),
    ],
    ids=["unencoded-at", "port-not-a-number", "port-too-large"],
)
def test_a_malformed_database_url_is_one_line_without_its_password(url, said, english):
    with pytest.raises(StorageError) as info:
        open_store(url)
    message = str(info.value)
    assert said in message
    assert "s3cret" not in message and "ss-s3cret" not in message
    assert "\n" not in message


def test_safe_url_hides_a_password_whatever_it_holds():
    assert safe_url("postgresql://u:a@b:c/d@host:5432/db") == "postgresql://u:***@host:5432/db"
    assert safe_url("postgresql://u:pw@host:x/db?password=p2") == (
        "postgresql://u:***@host:x/db?password=***"
    )
