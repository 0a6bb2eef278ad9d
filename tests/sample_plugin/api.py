import sqlalchemy as sa

from erp.extensions import db
from sample_plugin.models import Thing


def count_things() -> int:
    """How many things exist."""
    return db.session.execute(sa.select(sa.func.count()).select_from(Thing)).scalar_one()


def add_thing(name: str) -> int:
    thing = Thing(name=name)
    db.session.add(thing)
    db.session.commit()
    return thing.id
