"""The workspace leads organisers to attendance and reports."""


def test_event_page_links_to_attendance_sheet_and_menu_to_reports(
    client, login, make_user, make_event
):
    event = make_event()
    login(make_user(role="admin"))
    page = client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert f'href="/organiser/events/{event.id}/attendance"' in page
    assert 'href="/organiser/reports"' in page
