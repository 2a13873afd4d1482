from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from checker.errors import StorageError
from checker.store.engine import open_store, safe_url


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


def test_unreachable_database_is_a_one_line_storage_error():
    with pytest.raises(StorageError) as info:
        open_store("postgresql://someone:hunter2@127.0.0.1:1/nothing")
    message = str(info.value)
    assert "cannot be opened" in message
    assert "hunter2" not in message
    assert "\n" not in message.strip()


def test_safe_url_hides_the_password():
    assert "hunter2" not in safe_url("postgresql://u:hunter2@host/db")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgresql://checker:p@ss-s3cret@127.0.0.1:5432/db", "'@' in its user or password"),
        ("postgresql://checker:s3cret@127.0.0.1:abc/db", "the port 'abc' is not a number"),
        ("postgresql://checker:s3cret@127.0.0.1:99999999/db", "checker:***@127.0.0.1"),
    ],
    ids=["unencoded-at", "port-not-a-number", "port-too-large"],
)
def test_a_malformed_database_url_is_one_line_without_its_password(url, said):
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
