from flask_login import current_user, login_required

from webapp.organiser.views import bp  # noqa: F401  (app must have the blueprint)


def test_login_fixture_logs_the_user_in(app, client, login, make_user):
    @app.get("/__whoami")
    @login_required
    def whoami():
        return current_user.email

    user = make_user()
    login(user)
    response = client.get("/__whoami")
    assert response.get_data(as_text=True) == user.email
