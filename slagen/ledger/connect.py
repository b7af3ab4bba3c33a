"""Opening a ledger: a location (file path, sqlite:///…, postgresql://…) -> an engine whose
schema is at the newest migration.

Migrations run under a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped
advisory lock), so two processes opening a new ledger at once migrate it once.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from slagen.errors import SlagenError, UsageError

HEAD = "0002"  # the newest migration in migrations/versions/
MIGRATIONS = Path(__file__).parent / "migrations"
ENV_VAR = "SLAGEN_LEDGER"
_LOCK_KEY = 0x51A6E7  # PostgreSQL advisory lock id for migrations


class LedgerError(SlagenError):
    """The ledger cannot be opened or used (unreachable database, not a ledger, conflict)."""


def describe_location(location: str) -> str:
    """The location without a password, for messages."""
    try:
        url = make_url(location) if "://" in location else None
    except (ArgumentError, ValueError):
        return location
    return url.render_as_string(hide_password=True) if url is not None else location


def engine_for(location: str, create: bool = True) -> sa.Engine:
    """A file path or URL -> a SQLAlchemy engine (nothing is connected yet). Without
    `create`, an SQLite file must exist already."""
    location = location.strip()
    if not location:
        raise UsageError("--ledger: give a file path or a postgresql:// URL")
    if "://" not in location:
        _check_file(Path(location), location, create)
        url = sa.URL.create("sqlite+pysqlite", database=location)
    else:
        try:
            url = make_url(location)
            url.port  # a port that is not a number fails here  # noqa: B018
        except (ArgumentError, ValueError):
            raise UsageError(f"--ledger {describe_location(location)}: not a database URL; give a file path or postgresql://user@host/dbname") from None
        backend = url.get_backend_name()
        if backend == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        elif backend == "sqlite":
            if not url.database or url.database == ":memory:":
                raise UsageError(f"--ledger {location}: name a database file (sqlite:///path/ledger.sqlite)")
            _check_file(Path(url.database), location, create)
            url = url.set(drivername="sqlite+pysqlite")
        else:
            raise UsageError(f"--ledger {describe_location(location)}: slagen keeps its ledger in SQLite (a file path) or PostgreSQL (postgresql://…), not {backend!r}")
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": 60}, poolclass=sa.pool.NullPool)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, record):
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # take the write lock at the start: two writers queue instead of deadlocking
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 10})


def _check_file(path: Path, location: str, create: bool = True) -> None:
    """An SQLite ledger is a regular file (made if missing, when `create`) in a directory
    that exists."""
    if path.is_dir():
        raise UsageError(f"--ledger {location}: is a directory; give a file, e.g. {path / 'ledger.sqlite'}")
    if path.exists() and not path.is_file():
        raise UsageError(f"--ledger {location}: not a regular file (a device, FIFO or socket cannot hold a ledger)")
    if not path.parent.is_dir():
        raise UsageError(f"--ledger {location}: directory {path.parent} does not exist (slagen does not create it)")
    if not create and not path.exists():
        raise UsageError(f"--ledger {location}: no such ledger; {NOT_MADE}")


# Only recording makes a ledger: a mistyped path must not read as an empty ledger ("no claim
# due") nor make rolling caps forget earlier credits.
NOT_MADE = "a ledger is made by the first run with --record (slagen evaluate POLICY --record --ledger FILE)"


def open_engine(location: str, create: bool = True) -> sa.Engine:
    """The engine of a ledger at the newest schema: an older one is upgraded, and a new one
    made only when `create` (else a database without a ledger is an error)."""
    engine = engine_for(location, create)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            current = current_revision(connection)
            if current is None and not create:
                raise UsageError(f"--ledger {describe_location(location)}: this database holds no slagen ledger yet; {NOT_MADE}")
            if current != HEAD:
                if current is not None and current > HEAD:
                    raise LedgerError(f"ledger {describe_location(location)}: made by a newer slagen (schema {current}; this one knows up to {HEAD})")
                upgrade(connection)
    except SlagenError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError) as exc:
        engine.dispose()
        raise LedgerError(f"ledger {describe_location(location)}: {db_reason(exc)}") from None
    return engine


def current_revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        if sa.inspect(connection).get_table_names():
            raise LedgerError("this database has tables but is not a slagen ledger (no alembic_version table)")
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Run the migrations (Alembic) on `connection`, inside its transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def db_reason(exc: BaseException) -> str:
    """A database error in one line, without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    if "file is not a database" in text:
        return "not an SQLite database file"
    if "unable to open database file" in text:
        return "cannot open the database file (check the path and permissions)"
    return text[:300] or type(orig).__name__


def default_location() -> str | None:
    return os.environ.get(ENV_VAR) or None
