"""Search of the public catalogue: every text, every language, no matter the accents."""

from __future__ import annotations

from datetime import timedelta

from webapp.extensions import db
from webapp.models import EventSearchText, ProgrammeItem
from webapp.search import contains_pattern, fold


def _titles(client, query: str) -> str:
    response = client.get("/", query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_fold_ignores_case_accents_and_special_letters():
    assert fold("  KLAIPĖDA   Pécs ") == "klaipeda pecs"
    assert fold("Łódź, Đakovo, Straße") == "lodz, dakovo, strasse"


def test_like_pattern_escapes_wildcards():
    assert contains_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_search_without_accents_finds_accented_titles_and_places(client, make_event):
    make_event(title="Blue economy study visit to Klaipėda")
    make_event(title="Cross-border SME day", venue="Zsolnay Quarter", address="7630 Pécs")
    make_event(title="Unrelated webinar")

    page = _titles(client, "q=Klaipeda")
    assert "Blue economy study visit to Klaipėda" in page
    assert "Unrelated webinar" not in page and "Cross-border SME day" not in page

    page = _titles(client, "q=pecs")
    assert "Cross-border SME day" in page
    assert "Blue economy study visit" not in page

    # The accented spelling and capitals find the same events.
    assert "Blue economy study visit to Klaipėda" in _titles(client, "q=KLAIPĖDA")


def test_search_finds_a_title_given_only_in_another_language(client, make_event):
    make_event(
        title="Digitális átállás a kkv-knál",
        language="hu",
        translations={"it": {"title": "Transizione digitale nelle PMI"}},
    )
    make_event(title="Other event")

    page = _titles(client, "q=transizione+digitale")
    assert "Digitális átállás a kkv-knál" in page and "Other event" not in page
    # The original language, typed without its accents.
    assert "Digitális átállás" in _titles(client, "q=digitalis+atallas")


def test_search_covers_descriptions_programme_and_host_partner(client, make_event, make_partner):
    host = make_partner("PL", short_name="RARR", name="Rzeszów Regional Development Agency")
    event = make_event(title="Innovation vouchers", description="Cooperation with Podkarpackie")
    hosted = make_event(title="Hosted in Poland", host_partner=host)
    item = ProgrammeItem(
        event=event,
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=1),
        title="Visita allo stabilimento",
        place="Fábrica de Burgos",
        translations={"lt": {"title": "Apsilankymas gamykloje"}},
    )
    db.session.add(item)
    db.session.commit()

    assert "Innovation vouchers" in _titles(client, "q=podkarpackie")
    assert "Innovation vouchers" in _titles(client, "q=fabrica+burgos")
    assert "Innovation vouchers" in _titles(client, "q=apsilankymas")
    page = _titles(client, "q=rzeszow")
    assert "Hosted in Poland" in page and "Innovation vouchers" not in page

    # Changes reach the search at once: the item leaves, the partner is renamed.
    db.session.delete(item)
    host.name = "Podkarpackie agency"
    db.session.commit()
    assert "Innovation vouchers" not in _titles(client, "q=apsilankymas")
    page = _titles(client, "q=podkarpackie+agency")
    assert "Hosted in Poland" in page
    assert db.session.get(EventSearchText, hosted.id).document.count("rzeszow") == 0


def test_every_word_must_match_and_wildcards_match_themselves(client, make_event):
    make_event(title="Growth 100% digital")
    make_event(title="Growth 1000 visitors")

    assert "Growth 100% digital" in _titles(client, "q=growth+digital")
    assert "Growth 1000 visitors" not in _titles(client, "q=growth+digital")
    page = _titles(client, "q=100%25")
    assert "Growth 100% digital" in page and "Growth 1000 visitors" not in page
    page = _titles(client, "q=grow_h")
    assert "No events match these filters." in page


def test_search_keeps_the_other_filters(client, make_event):
    make_event(title="Klaipėda webinar for Lithuania", region_codes=("LT",), kind="webinar")
    make_event(title="Klaipėda meeting in Hungary", region_codes=("HU",), kind="webinar")
    make_event(title="Klaipėda visit", region_codes=("LT",), kind="study_visit")

    page = _titles(client, "q=klaipeda&region=LT&kind=webinar")
    assert "Klaipėda webinar for Lithuania" in page
    assert "Klaipėda meeting in Hungary" not in page and "Klaipėda visit" not in page
    # Pagination and the feed offered keep the search and the filters.
    assert 'value="klaipeda"' in page


def test_search_document_follows_edits_and_deletion(app, make_event):
    event = make_event(title="Original title")
    assert "original title" in db.session.get(EventSearchText, event.id).document
    event.title = "Kauno renginys"
    db.session.commit()
    document = db.session.get(EventSearchText, event.id).document
    assert "kauno renginys" in document and "original" not in document

    event_id = event.id
    db.session.delete(event)
    db.session.commit()
    assert db.session.get(EventSearchText, event_id) is None


def test_catalogue_search_query_count_is_constant(client, make_event, count_queries):
    def queries(query: str) -> int:
        with count_queries() as statements:
            assert client.get("/", query_string=query).status_code == 200
        return len(statements)

    make_event(title="Klaipėda one", region_codes=("LT",))
    few = queries("q=klaipeda+one&region=LT")
    for n in range(8):
        make_event(title=f"Klaipėda one {n}", region_codes=("LT", "HU"))
    assert queries("q=klaipeda+one&region=LT") == few


def test_translations_changed_in_place_reach_the_search(app, make_event):
    from sqlalchemy.orm.attributes import flag_modified

    event = make_event(title="Original", translations={"hu": {"title": "Eredeti"}})
    event.translations["pl"] = {"title": "Spotkanie w Łodzi"}
    flag_modified(event, "translations")
    db.session.commit()
    assert "spotkanie w lodzi" in db.session.get(EventSearchText, event.id).document


def test_rebuild_command_refolds_stale_documents(app, runner, make_event):
    event = make_event(title="Klaipėda harbour")
    db.session.get(EventSearchText, event.id).document = "stale"
    db.session.commit()
    result = runner.invoke(args=["rebuild-search-index"])
    assert result.exit_code == 0 and "1 events refolded" in result.output
    db.session.expire_all()
    assert "klaipeda harbour" in db.session.get(EventSearchText, event.id).document
    assert "0 events refolded" in runner.invoke(args=["rebuild-search-index"]).output
