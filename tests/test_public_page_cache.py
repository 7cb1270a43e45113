"""Anonymous pages cached under the data version: hits, and every way an entry goes stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event

from webapp import create_app, data_version
from webapp.data_version import bump_data_version, current_data_version
from webapp.extensions import db
from webapp.models import DataVersion, Event, OutboxMessage
from webapp.page_cache import CachedPage, PageCache
from webapp.timezones import utcnow


def version() -> int:
    db.session.rollback()
    return db.session.get(DataVersion, 1).version


# --- the data version ----------------------------------------------------------------------------


def test_a_visible_change_raises_the_version_once_per_transaction(app, make_event):
    event = make_event(title="Before")
    before = version()
    event = db.session.get(Event, event.id)
    event.title = "After"
    db.session.flush()
    event.summary = "A second flush in the same transaction"
    db.session.commit()
    assert version() == before + 1


def test_a_rolled_back_change_leaves_the_version(app, make_event):
    event = make_event()
    before = version()
    db.session.get(Event, event.id).title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert version() == before


def test_bulk_statements_raise_the_version(app, make_event):
    make_event()
    before = version()
    db.session.execute(db.update(Event).values(summary="Bulk"))
    db.session.commit()
    assert version() == before + 1


def test_unseen_tables_and_unchanged_rows_leave_the_version(app, make_event):
    event = make_event(title="Same")
    before = version()
    db.session.add(
        OutboxMessage(
            kind="test",
            to_address="someone@example.org",
            from_address="events@example.org",
            subject="Hello",
            body_text="Hello",
            attachments=[],
        )
    )
    db.session.get(Event, event.id).title = "Same"  # assigned, not changed
    db.session.commit()
    assert version() == before


def test_an_emptied_version_table_starts_again(app, regions):
    db.session.execute(db.delete(DataVersion))
    db.session.commit()  # the delete itself bumps first, then removes the row
    assert db.session.get(DataVersion, 1) is None
    bump_data_version(db.session)
    db.session.commit()
    assert version() == 1


def test_the_version_is_read_once_per_request(app, regions):
    with app.test_request_context("/"):
        first = current_data_version()
        assert first == version()
        # Changed by someone else after this request read it: the request keeps its own.
        row = db.session.get(DataVersion, 1)
        row.version += 10
        db.session.commit()
        assert current_data_version() == first


def test_a_version_connection_found_dead_is_replaced(app, regions):
    with app.test_request_context():
        expected = version()
        engine = data_version._version_engine()
        engine.dispose()
        pooled = engine.raw_connection()
        pooled.dbapi_connection.close()  # the server went away under the pool
        pooled.close()
        reads_before = data_version.reads
        assert data_version.read_data_version() == expected
        assert data_version.reads - reads_before == 2  # the dead one, then a new one
        assert data_version.read_data_version() == expected


def test_a_database_without_the_version_table_reads_none(app, regions):
    with app.test_request_context():
        db.session.execute(db.text("ALTER TABLE data_version RENAME TO data_version_away"))
        db.session.commit()
        try:
            assert data_version.read_data_version() is None
        finally:
            db.session.rollback()
            db.session.execute(db.text("ALTER TABLE data_version_away RENAME TO data_version"))
            db.session.commit()
        assert data_version.read_data_version() == version()


# --- pages ---------------------------------------------------------------------------------------


def test_a_repeated_catalogue_page_costs_one_query(app, client, make_event, count_queries):
    make_event(title="Green transition webinar")
    first = client.get("/")
    # The version is read on the driver's own cursor: SQLite tells what it ran.
    version_reads: list[str] = []
    version_engine = app.extensions["data_version_engine"]
    version_engine.dispose()

    def trace(connection, _record) -> None:
        if version_engine.dialect.name == "sqlite":
            connection.set_trace_callback(version_reads.append)

    sa_event.listen(version_engine, "connect", trace)
    reads_before = data_version.reads
    try:
        with count_queries() as statements:
            again = client.get("/")
    finally:
        sa_event.remove(version_engine, "connect", trace)
    assert again.data == first.data
    assert b"Green transition webinar" in again.data
    assert statements == []
    assert data_version.reads - reads_before == 1
    if version_engine.dialect.name == "sqlite":
        assert len(version_reads) == 1 and "data_version" in version_reads[0]
    # The app's own headers are on the cached answer too.
    assert "Content-Security-Policy" in again.headers
    assert again.headers["Content-Type"].startswith("text/html")


def test_a_registration_shows_at_once_in_seats_left(client, make_event, make_registration):
    event = make_event(title="Seats", capacity=3)
    assert "3 seats left" in client.get("/").get_data(as_text=True)
    assert "3 seats left" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    make_registration(event)
    assert "2 seats left" in client.get("/").get_data(as_text=True)
    assert "2 seats left" in client.get(f"/events/{event.slug}").get_data(as_text=True)


def test_a_change_through_another_host_shows_at_once(
    app, client, make_event, database_url, tmp_path
):
    from tests.conftest import base_config

    event = make_event(title="Old title")
    assert b"Old title" in client.get(f"/events/{event.slug}").data
    assert b"Old title" in client.get("/").data
    other_host = create_app(base_config(database_url, tmp_path / "other"))
    try:
        with other_host.app_context():
            db.session.get(Event, event.id).title = "New title"
            db.session.commit()
    finally:
        with other_host.app_context():
            db.engine.dispose()
    db.session.rollback()
    assert b"New title" in client.get(f"/events/{event.slug}").data
    assert b"New title" in client.get("/").data
    assert b"Old title" not in client.get("/").data


def test_languages_and_addresses_are_cached_apart(client, make_event):
    make_event(title="Webinar")
    english = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    hungarian = client.get("/", headers={"Accept-Language": "hu"}).get_data(as_text=True)
    assert 'lang="en"' in english and 'lang="hu"' in hungarian
    webinars = client.get("/?kind=study_visit").get_data(as_text=True)
    assert "Webinar" in english and "Webinar" not in webinars


def test_a_visitor_with_a_session_gets_a_fresh_page(app, client, make_event, count_queries):
    make_event(title="Webinar")
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your registration is cancelled.")]
    with count_queries() as statements:
        page = client.get("/").get_data(as_text=True)
    assert "Your registration is cancelled." in page
    assert len(statements) > 1
    # The flash is gone from the session: the page after it comes from the cache again.
    assert "Your registration is cancelled." not in client.get("/").get_data(as_text=True)


LONG_LIVED = {"PAGE_CACHE_SECONDS": 24 * 3600}


@pytest.mark.parametrize("app_config", [LONG_LIVED])
def test_an_event_page_is_fresh_until_registration_opens(app, client, make_event):
    opens = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    event = make_event(registration_opens_at=opens, start=timedelta(days=5))
    assert client.get(f"/events/{event.slug}").status_code == 200
    entries = list(app.extensions["page_cache"]._entries.values())
    assert [entry.expires_at for entry in entries] == [opens]


@pytest.mark.parametrize("app_config", [LONG_LIVED])
def test_the_catalogue_is_fresh_until_the_next_event_ends(app, client, make_event):
    soon = make_event(start=timedelta(hours=1), duration=timedelta(hours=1))
    make_event(start=timedelta(days=3))
    client.get("/")
    entries = list(app.extensions["page_cache"]._entries.values())
    assert [entry.expires_at for entry in entries] == [soon.ends_at]


@pytest.mark.parametrize("app_config", [{"PAGE_CACHE_SECONDS": 0}])
def test_the_page_cache_can_be_turned_off(app, client, make_event, count_queries):
    make_event()
    client.get("/")
    with count_queries() as statements:
        client.get("/")
    assert len(statements) > 1
    assert "page_cache" not in app.extensions


# --- the cache itself ----------------------------------------------------------------------------


def _page(body: bytes, expires_in: timedelta = timedelta(minutes=5)) -> CachedPage:
    return CachedPage(body, 200, (), datetime.now(UTC) + expires_in)


def test_a_newer_version_empties_the_cache_and_an_older_one_is_not_stored():
    cache = PageCache()
    now = datetime.now(UTC)
    cache.put(1, ("a",), _page(b"one"), max_bytes=1000)
    assert cache.get(1, ("a",), now).body == b"one"
    cache.put(2, ("b",), _page(b"two"), max_bytes=1000)
    assert cache.get(1, ("a",), now) is None
    assert cache.get(2, ("a",), now) is None
    cache.put(1, ("a",), _page(b"late"), max_bytes=1000)
    assert cache.get(2, ("a",), now) is None and len(cache) == 1


def test_entries_expire_and_the_byte_budget_drops_the_least_recently_used():
    cache = PageCache()
    now = datetime.now(UTC)
    cache.put(1, ("old",), _page(b"x" * 400, timedelta(seconds=-1)), max_bytes=1000)
    assert cache.get(1, ("old",), now) is None
    cache.put(1, ("a",), _page(b"a" * 400), max_bytes=1000)
    cache.put(1, ("b",), _page(b"b" * 400), max_bytes=1000)
    assert cache.get(1, ("a",), now) is not None  # now b is the least recently used
    cache.put(1, ("c",), _page(b"c" * 400), max_bytes=1000)
    assert cache.get(1, ("b",), now) is None
    assert cache.get(1, ("a",), now) is not None and cache.get(1, ("c",), now) is not None
    cache.put(1, ("huge",), _page(b"h" * 2000), max_bytes=1000)
    assert cache.get(1, ("huge",), now) is None
