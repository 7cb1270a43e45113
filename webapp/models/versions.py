"""The data version: one row whose number rises with every change a public page shows."""

from __future__ import annotations

from sqlalchemy import BigInteger, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model

DATA_VERSION_ID = 1


class DataVersion(Model):
    """A single row (``id`` 1). Written in the same transaction as the change it counts,
    so a reader sees the new number exactly when it can see the new data."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=1)


@event.listens_for(DataVersion.__table__, "after_create")
def _first_version(table, connection, **_kwargs) -> None:
    connection.execute(insert(table).values(id=DATA_VERSION_ID, version=1))
