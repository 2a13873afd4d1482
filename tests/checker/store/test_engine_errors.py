"""Our words for the driver's connection failures that need a server in a given state to
happen (SSL, full, an old authentication method): the driver's first line, as libpq writes
it, given to ``describe_storage_error`` (a unit test; the kinds a test server can produce
are run for real in tests/checker/test_cli_language.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from checker.store.engine import describe_storage_error

AT = 'connection failed: connection to server at "10.0.0.5", port 5432 failed: '


def _failure(line: str) -> OperationalError:
    return OperationalError("connect", {}, Exception(line))


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            "server does not support SSL, but SSL was required",
            "the URL requires SSL (sslmode) and the server does not offer it",
        ),
        (
            'FATAL:  no pg_hba.conf entry for host "10.0.0.9", user "checker", database '
            '"checker", no encryption',
            "the server admits this user only over SSL; add ?sslmode=require to the URL",
        ),
        ("FATAL:  sorry, too many clients already", "the server has no connection free"),
        (
            "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER "
            "attribute",
            "the server has no connection free",
        ),
        ('FATAL:  too many connections for role "checker"', "the server has no connection free"),
        (
            "authentication method 10 not supported",
            "the server asks for a way of signing in that this driver does not support",
        ),
    ],
    ids=["ssl-not-offered", "ssl-required", "full", "reserved-slots", "role-limit", "auth"],
)
def test_a_connection_refused_for_a_known_reason_is_told_in_our_words(english, line, words):
    said = describe_storage_error("postgresql+psycopg://10.0.0.5/checker", _failure(AT + line))
    assert said.startswith("cannot connect to database postgresql+psycopg://10.0.0.5/checker: ")
    assert words in said
    assert "FATAL" not in said and "10.0.0.9" not in said


def test_an_unknown_connection_failure_still_quotes_the_driver(english):
    said = describe_storage_error("db", _failure(AT + "FATAL:  something new"))
    assert said == f"database db failed: {AT}FATAL:  something new"
