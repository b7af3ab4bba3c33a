"""Column types that keep money exact and instants in UTC on every database.

PostgreSQL has both natively (NUMERIC, timestamptz). SQLite has neither: its NUMERIC
affinity stores floats, and it has no time type. So on SQLite money is stored as the
decimal's exact text and an instant as fixed-width ISO 8601 text in UTC (which sorts in
time order); both come back as `Decimal` and aware UTC `datetime`, whatever the database.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class Money(TypeDecorator):
    """An exact decimal, its scale kept (80000.00 comes back as 80000.00): NUMERIC without a
    fixed scale on PostgreSQL, the decimal's text on SQLite."""

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(40))
        return dialect.type_descriptor(sa.Numeric(asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be a Decimal, not {type(value).__name__}")  # never a float
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value)


class Instant(TypeDecorator):
    """An aware instant, stored in UTC: timestamptz on PostgreSQL, ISO 8601 text on SQLite."""

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(32))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("an instant for the ledger must be timezone-aware")
        value = value.astimezone(timezone.utc)
        return value.isoformat(timespec="microseconds") if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value.astimezone(timezone.utc)
