"""Several ``flask outbox send`` workers at once, as real processes: nothing sent twice."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

from tests.support.gunicorn import PROJECT_ROOT
from tests.support.smtp import SMTPServer
from webapp.extensions import db
from webapp.mail.queue import queue_mail
from webapp.models import OutboxMessage

MESSAGES = 240


def worker_environment(database_url: str, server: SMTPServer, instance: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-secret-" + "x" * 32,
        "INSTANCE_PATH": instance,
        "PUBLIC_BASE_URL": "https://events.example.org",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": server.host,
        "MAIL_PORT": str(server.port),
    }


def test_two_workers_deliver_every_message_exactly_once(app, database_url, tmp_path):
    for n in range(MESSAGES):
        queue_mail(kind="test", to_address=f"p{n}@example.org", subject=f"n{n}", body_text="hi")
    db.session.commit()
    # The server takes a moment per message, so the two workers overlap for seconds.
    server = SMTPServer(delay=0.01).start()
    try:
        env = worker_environment(database_url, server, str(tmp_path))
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send", "--batch", "7"]
        workers = [
            subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        server.stop()
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert out.startswith("Sent ")
    received = Counter(r.rcpt_tos[0] for r in server.messages)
    assert len(received) == MESSAGES
    assert max(received.values()) == 1
    db.session.expire_all()
    unsent = db.session.scalar(
        db.select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert unsent == 0
    assert set(db.session.scalars(db.select(OutboxMessage.attempts))) == {1}
