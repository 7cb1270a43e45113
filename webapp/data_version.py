"""The data version: what page and feed caches are keyed by, across processes and hosts.

Every transaction that writes a table a visitor can see raises the one-row
``data_version`` number, in that same transaction: a reader on any worker or host sees
the new number exactly when it sees the new data, so a cache entry keyed by the number
it read is never stale and never needs to be told about a change. A request reads it
before anything else, so what it then renders is at least that new.

Reading it is one primary-key lookup per request, in autocommit on a small engine of
its own: one round trip, without the main pool's liveness ping and the transaction's
``BEGIN``/``ROLLBACK`` (a connection found dead is replaced and the read tried again).

The bump happens in the ORM (after a flush that changed a visible table, and before a
bulk ``UPDATE``/``DELETE``/``INSERT`` run through the session); a script that writes the
database with raw SQL calls :func:`bump_data_version` in its transaction. Writing the
row serialises writers for the rest of their transaction on PostgreSQL; registrations
for one event already queue behind its row lock, and the tables that change most
without changing a page (the outbox, the audit log, login sessions) do not bump.
"""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import Engine, create_engine, event, insert, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from webapp.extensions import db
from webapp.models import DATA_VERSION_ID, DataVersion

# Changes to these never show on a page or feed that is cached.
UNSEEN_TABLES = frozenset(
    {
        "data_version",
        "outbox_messages",
        "audit_entries",
        "user_sessions",
        "recovery_codes",
        "security_policy",
    }
)

_BUMPED = "data_version_bumped"
_TABLE = DataVersion.__table__


def bump_data_version(session: Session) -> None:
    """Raise the version in ``session``'s transaction (once per transaction is enough)."""
    if session.info.get(_BUMPED):
        return
    session.info[_BUMPED] = True
    connection = session.connection()
    result = connection.execute(
        update(_TABLE).where(_TABLE.c.id == DATA_VERSION_ID).values(version=_TABLE.c.version + 1)
    )
    if result.rowcount == 0:  # a database emptied by hand: start again
        connection.execute(insert(_TABLE).values(id=DATA_VERSION_ID, version=1))


def _version_engine() -> Engine:
    """This app's engine for version reads (created in the process that uses it)."""
    engine = current_app.extensions.get("data_version_engine")
    if engine is None:
        main = db.engine
        engine = create_engine(
            main.url, isolation_level="AUTOCOMMIT", pool_size=2, pool_reset_on_return=None
        )
        # Closed with the app's own engine (tests and shutdown dispose it).
        event.listen(main, "engine_disposed", lambda *_args: engine.dispose())
        current_app.extensions["data_version_engine"] = engine
    return engine


# The same query as plain SQL for the driver's own cursor (no parameters: the id is a
# constant), which psycopg prepares on the server after a few runs.
_READ_SQL = f"SELECT version FROM {DataVersion.__tablename__} WHERE id = {int(DATA_VERSION_ID)}"


# Version queries sent by this process (they bypass SQLAlchemy's events: tests and the
# benchmark add them to the statements they count).
reads = 0


def read_data_version() -> int | None:
    """The committed version now; None when there is no row or the database is down.

    Runs on the driver's cursor of a pooled autocommit connection: the one query of a
    request answered 304 costs its round trip and little more. A connection found dead
    is thrown away and the read tried once more on a new one.
    """
    global reads
    engine = _version_engine()
    for attempt in (1, 2):
        reads += 1
        try:
            connection = engine.raw_connection()
        except SQLAlchemyError:
            return None
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(_READ_SQL)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as exc:
            # No table yet (a database not migrated) is an answer; a lost connection
            # is replaced and tried again once.
            if not engine.dialect.is_disconnect(exc, connection.dbapi_connection, None):
                return None
            connection.invalidate(exc)
            if attempt == 2:
                return None
            continue
        finally:
            connection.close()  # back to the pool (an invalidated one is replaced)
        return None if row is None else int(row[0])
    return None


def current_data_version() -> int | None:
    """The version this request reads (once per request); None when there is no row."""
    if "data_version" not in g:
        g.data_version = read_data_version()
    return g.data_version


def _table_name(instance: object) -> str | None:
    table = getattr(type(instance), "__table__", None)
    return getattr(table, "name", None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    if session.info.get(_BUMPED):
        return
    for instance in (*session.new, *session.deleted, *session.dirty):
        if _table_name(instance) in UNSEEN_TABLES:
            continue
        if instance in session.dirty and not session.is_modified(instance):
            continue
        bump_data_version(session)
        return


@event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in UNSEEN_TABLES:
        return
    bump_data_version(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_bump(session: Session, transaction: SessionTransaction) -> None:
    # Also at the end of a savepoint: one rolled back took its bump with it, and a
    # second bump in the same transaction costs nothing more. (A flush's own inner
    # transaction is neither.)
    if transaction.parent is None or transaction.nested:
        session.info.pop(_BUMPED, None)
