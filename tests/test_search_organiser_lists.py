"""The organiser lists search through the one helper: wildcards in a query match themselves."""

from __future__ import annotations

from webapp.search import contains_text


def test_event_list_search_matches_percent_and_underscore_literally(
    client, make_event, make_user, login
):
    login(make_user(role="admin"))
    make_event(title="Growth 100% digital")
    make_event(title="Growth 1000 visitors")
    make_event(title="Open_data café")
    make_event(title="Open data day")

    page = client.get("/organiser/events", query_string={"q": "100%"}).get_data(as_text=True)
    assert "Growth 100% digital" in page and "Growth 1000 visitors" not in page
    page = client.get("/organiser/events", query_string={"q": "open_"}).get_data(as_text=True)
    assert "Open_data café" in page and "Open data day" not in page
    page = client.get("/organiser/events", query_string={"q": "DIGITAL"}).get_data(as_text=True)
    assert "Growth 100% digital" in page and "Growth 1000 visitors" not in page


def test_registration_list_search_matches_wildcards_literally(
    client, make_event, make_registration, make_user, login
):
    login(make_user(role="admin"))
    event = make_event()
    make_registration(event, name="Anna_Kovacs", email="anna@example.org")
    make_registration(event, name="Annabel Kis", email="annabel@example.org")

    url = f"/organiser/events/{event.id}/registrations"
    page = client.get(url, query_string={"q": "anna_"}).get_data(as_text=True)
    assert "Anna_Kovacs" in page and "Annabel Kis" not in page
    page = client.get(url, query_string={"q": "%"}).get_data(as_text=True)
    assert "Anna_Kovacs" not in page and "Annabel Kis" not in page


def test_contains_text_is_one_condition_over_all_columns(app):
    from webapp.models import Registration

    condition = contains_text("a%b", Registration.name, Registration.email)
    sql = str(condition.compile(compile_kwargs={"literal_binds": True}))
    assert sql.count("LIKE") == 2 and "a\\%b" in sql and "ESCAPE" in sql
