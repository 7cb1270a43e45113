"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from typing import TYPE_CHECKING, Any, cast

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, MetaData, Result
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The base class of the models. Flask-SQLAlchemy builds ``db.Model`` from ``Base`` at run
# time, which a type checker cannot follow; to it, models derive from ``Base``.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def rows_changed(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE that gave ``result`` changed."""
    # Session.execute is typed to return Result; a DML statement's is a CursorResult.
    return cast(CursorResult[Any], result).rowcount or 0


migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
