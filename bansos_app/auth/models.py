"""Staff accounts and their village scopes."""

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models_base import utcnow

ROLES = ("operator_desa", "pendamping", "dinsos_admin", "merchant", "auditor", "superadmin")
# Roles whose work is limited to the villages in their scope.
VILLAGE_ROLES = ("operator_desa", "pendamping")


def hash_method() -> str:
    """The werkzeug hash method for passwords and PINs; tests choose a cheaper scrypt cost."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


user_village = Table(
    "user_village",
    db.metadata,
    Column("user_id", ForeignKey("user.id"), primary_key=True),
    Column("village_code", ForeignKey("region.code"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A staff account with one role; village roles carry a set of villages."""

    __table_args__ = (
        CheckConstraint(
            "role IN ('operator_desa', 'pendamping', 'dinsos_admin', 'merchant', "
            "'auditor', 'superadmin')",
            name="role_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(db.String(60), unique=True)
    full_name: Mapped[str] = mapped_column(db.String(120), default="")
    role: Mapped[str] = mapped_column(db.String(20))
    password_hash: Mapped[str] = mapped_column(db.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(db.DateTime)
    # Part of the session cookie's user id; a logout bumps it so copied cookies stop working.
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(db.DateTime, default=utcnow)

    villages = relationship("Region", secondary=user_village, order_by="Region.name")

    @property
    def is_active(self) -> bool:
        """Flask-Login: deactivated accounts cannot log in or keep a session."""
        return self.active

    def get_id(self) -> str:
        """Flask-Login: the id stored in the session, "<user id>:<session version>"."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method=hash_method())

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)
