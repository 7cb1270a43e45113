"""The privacy notice: the deployment's own text, one file per language.

The operator writes the notice (who runs the site, what is kept, for how long, whom to
ask) in ``PRIVACY_NOTICE_PATH`` (default ``instance/privacy/``) as ``<language>.txt``,
e.g. ``en.txt``, ``lt.txt``: plain text, paragraphs separated by a blank line. A
language without its own file gets the English one, and a site without files the
built-in notice below, in every language.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

NOTICE_MAX_BYTES = 200_000


@dataclass
class PrivacyNotice:
    paragraphs: list[str]
    language: str  # the language the text is written in
    from_deployment: bool  # False: the built-in notice


def notice_folder() -> str:
    return current_app.config.get("PRIVACY_NOTICE_PATH") or os.path.join(
        current_app.instance_path, "privacy"
    )


def _read(folder: str, language: str) -> str | None:
    path = os.path.join(folder, f"{language}.txt")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(NOTICE_MAX_BYTES)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as error:
        current_app.logger.warning("privacy notice %s cannot be read: %s", path, error)
        return None
    return text if text.strip() else None


def _paragraphs(text: str) -> list[str]:
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def privacy_notice(language: str) -> PrivacyNotice:
    """The notice in ``language``, else in English, else the built-in one (translated)."""
    folder = notice_folder()
    for candidate in dict.fromkeys((language, "en")):
        text = _read(folder, candidate)
        if text is not None:
            return PrivacyNotice(_paragraphs(text), candidate, True)
    return PrivacyNotice(_built_in_notice(), language, False)


def _built_in_notice() -> list[str]:
    return [
        _(
            "The partners of the Inter Ventures project use the data you give when you "
            "register (name, e-mail address, organisation, region, kind of organisation "
            "and your answers) only to run the event: to confirm your place, tell you "
            "about changes, keep the attendance list and report, without names, how many "
            "people from each region took part."
        ),
        _(
            "Your data is seen by the organisers of the event's host partner and by the "
            "site's administrators. It is not sold or given to anyone else."
        ),
        _(
            "Through the personal link in your e-mails you can see, correct, download and "
            "erase your data at any time. Personal data is removed a while after the "
            "event; anonymous figures stay in the project's reports."
        ),
        _("For any question about your data, reply to one of the e-mails you received."),
    ]
