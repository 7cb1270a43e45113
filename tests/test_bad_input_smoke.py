"""Every URL answers odd input with a page, never a server error.

Walks the whole URL map with odd values for each URL argument (unknown ids, ids beyond
the database's integer range, malformed tokens and slugs) and sends empty and junk
forms to every POST endpoint, anonymously and as an administrator, on demo data.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from webapp.demo import load_demo_data
from webapp.extensions import db
from webapp.models import User

ODD_VALUES = {
    "int": ["1", "999999", "99999999999999999999"],
    "default": ["x", "NOPE", "a" * 300, "..", "%00", "ü"],
}
JUNK_FORM = {
    "name": "x" * 5000,
    "email": "not-an-address",
    "capacity": "-5",
    "starts_local": "yesterday",
    "timezone": "Mars/Olympus",
    "regions": "ZZ",
    "day": "2026-13-45",
    "action": "explode",
    "status": "maybe",
    "q": "%' OR 1=1 --",
    "page": "-1",
    "file": "",
}


def _urls(app) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        variants = []
        for n in range(3):
            path = rule.rule
            for name, converter in rule._converters.items():
                if isinstance(converter, IntegerConverter):
                    value = ODD_VALUES["int"][n]
                elif isinstance(converter, AnyConverter):
                    value = "csv"
                else:
                    value = ODD_VALUES["default"][n % len(ODD_VALUES["default"])]
                path = re.sub(rf"<(?:[^:<>]+:)?{name}>", value, path)
            variants.append(path)
        for path in variants:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                urls.append((method, path))
    return sorted(set(urls))


@pytest.fixture
def demo(app):
    load_demo_data()
    db.session.commit()


# Readiness answers 503 by design here: the test database is built from the models, not
# by the migrations, so its schema is "not at the latest migration".
NOT_READY = ("GET", "/readyz")


def _check(client, urls):
    failures = []
    for method, path in urls:
        if method == "GET":
            responses = [client.get(path)]
        else:
            responses = [client.post(path, data={}), client.post(path, data=JUNK_FORM)]
        for response in responses:
            if (method, path) == NOT_READY and response.status_code == 503:
                assert response.get_json()["status"] == "unavailable"
                continue
            if response.status_code >= 500:
                failures.append(f"{method} {path} → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_never_get_a_server_error(app, client, demo):
    _check(client, _urls(app))


def test_administrators_never_get_a_server_error(app, client, demo, login):
    admin = db.session.scalar(db.select(User).where(User.role == "admin"))
    login(admin)
    _check(client, _urls(app))
