"""Choosing the store from settings: DATABASE_URL means PostgreSQL, empty means SQLite."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from data.open_store import MigrationReport, make_store
from data.postgres_store import PostgresStore, describe_dsn
from data.sqlite_store import SqliteStore

URL = "postgresql://bot:pa%3Ass-w0rd@db.internal:6543/echotuner"


def test_without_database_url_the_store_is_sqlite_at_database_filename() -> None:
    store = make_store(load_settings({"DATABASE_FILENAME": "bot.db"}, env_file=None))
    assert isinstance(store, SqliteStore) and store.path == "bot.db"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_database_url_selects_postgres_with_the_pool_settings(scheme: str) -> None:
    settings = load_settings(
        {"DATABASE_URL": URL.replace("postgresql", scheme, 1), "DB_POOL_MIN_SIZE": "2",
         "DB_POOL_MAX_SIZE": "7", "DB_ACQUIRE_TIMEOUT": "2.5"},
        env_file=None,
    )
    store = make_store(settings)
    assert isinstance(store, PostgresStore) and not store.is_open
    assert store.where == "PostgreSQL database 'echotuner' on db.internal:6543 as user 'bot'"


def test_a_database_url_of_another_kind_is_refused_without_echoing_it() -> None:
    with pytest.raises(SettingsError, match=r"DATABASE_URL.*postgresql://") as refused:
        load_settings({"DATABASE_URL": "mysql://bot:hunter2-secret@db/echotuner"}, env_file=None)
    assert "hunter2-secret" not in str(refused.value)


def test_the_database_url_is_hidden_from_the_settings_repr() -> None:
    assert "pa%3Ass-w0rd" not in repr(load_settings({"DATABASE_URL": URL}, env_file=None))


def test_a_pool_minimum_above_its_maximum_is_refused() -> None:
    with pytest.raises(SettingsError, match="DB_POOL_MIN_SIZE must not exceed DB_POOL_MAX_SIZE"):
        load_settings({"DB_POOL_MIN_SIZE": "5", "DB_POOL_MAX_SIZE": "2"}, env_file=None)


@pytest.mark.parametrize(("name", "value"), [("DB_POOL_MAX_SIZE", "0"),
                                             ("DB_ACQUIRE_TIMEOUT", "soon")])
def test_bad_pool_settings_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value}, env_file=None)


@pytest.mark.parametrize(
    ("dsn", "where"),
    [
        ("postgresql://u:secret@h/db", "PostgreSQL database 'db' on h:5432 as user 'u'"),
        ("postgres://u@h:1/db", "PostgreSQL database 'db' on h:1 as user 'u'"),
        ("postgresql://h1:5432,h2:5433/db", "PostgreSQL database 'db' on h1:5432,h2:5433"),
        ("postgresql:///db?host=/run/postgresql", "PostgreSQL database 'db' on /run/postgresql:5432"),
        ("postgresql://[::1]:5433/db", "PostgreSQL database 'db' on [::1]:5433"),
    ],
)
def test_messages_describe_where_the_database_is_but_never_the_password(
    dsn: str, where: str
) -> None:
    assert describe_dsn(dsn) == where


def test_a_store_refuses_urls_and_pool_sizes_that_cannot_work() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        PostgresStore("mysql://h/db")
    with pytest.raises(ValueError, match="min_size"):
        PostgresStore(URL, min_size=3, max_size=2)


def test_the_migration_report_is_one_line_for_the_operator() -> None:
    assert MigrationReport("SQLite file 'bot.db'", 2, (1, 2)).describe() == (
        "SQLite file 'bot.db': schema version 2 (applied migrations 1, 2)."
    )
    assert MigrationReport("X", 2, ()).describe() == "X: schema version 2 (already up to date)."
