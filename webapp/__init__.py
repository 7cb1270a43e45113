"""Inter Ventures Events: the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, ``instance/config.py``, environment, then ``config``."""
    from webapp import config as settings

    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    # The typed settings, built once; app.config holds the same values for Flask and
    # its extensions.
    app.extensions["settings"] = settings.load(app.config, app.instance_path, config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # Outside debug and tests, unsafe settings stop the app here, each one named.
    if not (app.debug or app.testing):
        settings.refuse_unsafe(app.config)

    from webapp import logs

    logs.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)

    from webapp import (
        cli,
        data_version,  # noqa: F401 - its session hooks count every visible change
        errors,
        formatting,
        i18n,
        input_hygiene,
        monitoring,
        search,
        security_headers,
    )

    input_hygiene.register(app)
    search.register(app)
    security_headers.register(app)
    errors.register(app)
    monitoring.init_app(app)
    formatting.register(app)
    i18n.register(app)
    cli.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from webapp import i18n
    from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    from webapp.programme.storage import raise_upload_limit

    # Before the CSRF check, which is the first to read a posted form.
    app.before_request(raise_upload_limit)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "organiser.login"
    login_manager.session_protection = "strong"

    from webapp import sessions

    sessions.init_app(app)
    login_manager.user_loader(sessions.load_session_user)

    from webapp.routing import DatabaseIdConverter, SlugConverter

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = DatabaseIdConverter


def _register_blueprints(app: Flask) -> None:
    from webapp.api.views import bp as api_bp
    from webapp.attendance.views import bp as attendance_bp
    from webapp.feeds.views import bp as feeds_bp
    from webapp.invitations.views import bp as invitations_bp
    from webapp.organiser.views import bp as organiser_bp
    from webapp.polls.views import bp as polls_bp
    from webapp.programme.views import bp as programme_bp
    from webapp.public.views import bp as public_bp
    from webapp.registrations.views import bp as registrations_bp
    from webapp.reporting.certificate_views import bp as certificates_bp
    from webapp.reporting.views import bp as reporting_bp
    from webapp.sharing.views import bp as sharing_bp

    for blueprint in (
        public_bp,
        registrations_bp,
        invitations_bp,
        feeds_bp,
        organiser_bp,
        attendance_bp,
        api_bp,
        polls_bp,
        programme_bp,
        reporting_bp,
        certificates_bp,
        sharing_bp,
    ):
        app.register_blueprint(blueprint)
