import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from erp.extensions import db


class Thing(db.Model):
    __tablename__ = "sample_thing"
    __bind_key__ = "sample"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))

    def __str__(self):
        return self.name
