"""Engine and sessions: SQLite in WAL mode with serialised writers, or PostgreSQL."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import threading
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, orm


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite keeps no time zone, so we store naive UTC and put the zone back on the way out.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime reached the database layer")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC)


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


@dataclasses.dataclass
class Database:
    """The engine plus two session factories: writers and readers."""

    engine: sa.Engine
    writer: orm.sessionmaker[orm.Session]
    reader: orm.sessionmaker[orm.Session]
    reader_engine: sa.Engine | None = None
    # SQLite takes one writer at a time anyway, and a writer that finds the lock taken
    # sleeps in steps of up to 100 ms; queueing writers on a Python lock keeps it busy.
    write_lock: threading.Lock | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[orm.Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self.write_lock or contextlib.nullcontext(), self.writer() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[orm.Session]:
        with self.reader() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.reader_engine is not None:
            self.reader_engine.dispose()


def _sqlite_setup(engine: sa.Engine) -> sa.Engine:
    """WAL, foreign keys, and BEGIN IMMEDIATE for writers.

    pysqlite's own deferred BEGIN lets two writers both read then fail to upgrade their
    lock (SQLITE_BUSY mid-transaction). Taking the write lock at BEGIN serialises writers
    cleanly; readers use a second engine with plain BEGIN and never block under WAL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def open_database(url: str) -> Database:
    if url.startswith("sqlite"):
        writer_engine = _sqlite_setup(sa.create_engine(url, pool_size=8, max_overflow=8))
        reader_engine = _sqlite_setup(sa.create_engine(url, pool_size=16, max_overflow=16))

        @event.listens_for(writer_engine, "begin")
        def _begin_immediate(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(reader_engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return Database(
            engine=writer_engine,
            writer=orm.sessionmaker(writer_engine, expire_on_commit=False),
            reader=orm.sessionmaker(reader_engine, expire_on_commit=False),
            reader_engine=reader_engine,
            write_lock=threading.Lock(),
        )
    # Per server process; with N workers PostgreSQL sees up to N × 2 × pool plus one listener
    # each, so `run --workers` shrinks it (QMS_DB_POOL_SIZE) to stay under max_connections.
    pool = int(os.environ.get("QMS_DB_POOL_SIZE") or 16)
    engine = sa.create_engine(url, pool_size=pool, max_overflow=pool, pool_pre_ping=True)
    factory = orm.sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, writer=factory, reader=factory)
