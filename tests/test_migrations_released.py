"""Migrations are append-only: a released migration file never changes, and new ones
only extend the chain after them.

``tests/data/released_migrations.sha256`` lists the released files with their SHA-256
(``sha256sum`` format). When a release ships a new migration, add its line:
``(cd webapp/migrations/versions && sha256sum 0010_name.py) >> tests/data/released_migrations.sha256``.
That models and migrations agree is checked by ``test_migrations_db.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "webapp" / "migrations" / "versions"
RELEASED = ROOT / "tests" / "data" / "released_migrations.sha256"


def _released() -> dict[str, str]:
    entries = {}
    for line in RELEASED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            entries[name.lstrip("*")] = digest
    return entries


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(VERSIONS.parent))
    return ScriptDirectory.from_config(config)


def test_released_migration_files_are_unchanged():
    released = _released()
    assert len(released) >= 9
    changed = [
        name
        for name, digest in released.items()
        if not (VERSIONS / name).is_file()
        or hashlib.sha256((VERSIONS / name).read_bytes()).hexdigest() != digest
    ]
    assert changed == [], (
        f"released migrations were edited or removed: {changed}. Write a new migration "
        "instead of changing one that databases have already run."
    )


def test_new_migrations_only_extend_the_chain_after_the_released_ones():
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1, f"the chain has several heads: {scripts.get_heads()}"
    # From the first migration to the newest, one after the other.
    chain = list(reversed(list(scripts.walk_revisions())))
    assert all(len(script.nextrev) <= 1 for script in chain), "the chain branches"
    files = [Path(script.path).name for script in chain]
    released = list(_released())
    assert files[: len(released)] == released, (
        f"the released migrations must stay the first of the chain, in their order; found {files}"
    )
