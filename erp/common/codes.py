"""Code tables: named lists of codes that forms and reports share (업종, 구경, 민원 분류 …)."""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from flask_babel import gettext as _

from erp.common import tx
from erp.common.errors import ServiceError
from erp.common.models import Code, CodeGroup
from erp.common.tx import transactional
from erp.extensions import db

_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


def list_groups() -> list[CodeGroup]:
    return list(db.session.execute(sa.select(CodeGroup).order_by(CodeGroup.code)).scalars())


def get_group(group_code: str) -> CodeGroup:
    group = db.session.get(CodeGroup, group_code)
    if group is None:
        raise LookupError(group_code)
    return group


def codes(group_code: str, *, active_only: bool = True) -> list[Code]:
    """The codes of a group in display order."""
    query = sa.select(Code).where(Code.group_code == group_code).order_by(Code.sort_order, Code.code)
    if active_only:
        query = query.where(Code.active.is_(True))
    return list(db.session.execute(query).scalars())


def choices(group_code: str) -> list[tuple[str, str]]:
    """(code, name) pairs for a select field."""
    return [(c.code, c.name) for c in codes(group_code)]


@transactional
def ensure_group(group_code: str, name: str, items: list[tuple[str, str]] | None = None, *,
                 owner: str = "core", description: str = "") -> CodeGroup:
    """Create a group and the listed (code, name) items that do not exist yet; commits.

    Used by demo data and plugins to seed their code tables; existing codes are left as the
    administrators edited them.
    """
    group = db.session.get(CodeGroup, group_code)
    if group is None:
        group = CodeGroup(code=group_code, name=name, owner=owner, description=description)
        db.session.add(group)
        db.session.flush()
    existing = {c.code for c in codes(group_code, active_only=False)}
    for order, (code, label) in enumerate(items or [], start=1):
        if code not in existing:
            db.session.add(Code(group_code=group_code, code=code, name=label, sort_order=order * 10))
    tx.commit()
    return group


@transactional
def save_group(group_code: str, *, name: str, description: str, create: bool) -> CodeGroup:
    """Create (``create``) or rename a code group."""
    group_code = group_code.strip()
    if not _CODE.match(group_code):
        raise ServiceError(_("Use letters, digits, '_', '.' or '-' (at most 40)."), {"code": [_("Use letters, digits, '_', '.' or '-' (at most 40).")]})
    group = db.session.get(CodeGroup, group_code)
    if create:
        if group is not None:
            raise ServiceError(_("A code group with this code exists."), {"code": [_("A code group with this code exists.")]})
        group = CodeGroup(code=group_code, owner="core")
        db.session.add(group)
    elif group is None:
        raise LookupError(group_code)
    group.name, group.description = name.strip(), description.strip()
    tx.commit()
    return group


@transactional
def save_code(group_code: str, code_id: int | None, *, code: str, name: str, name_en: str,
              sort_order: int, active: bool) -> Code:
    """Add a code to a group or change one; codes are unique within their group."""
    get_group(group_code)
    code = code.strip()
    if not _CODE.match(code):
        raise ServiceError(_("Use letters, digits, '_', '.' or '-' (at most 40)."), {"code": [_("Use letters, digits, '_', '.' or '-' (at most 40).")]})
    clash = db.session.execute(
        sa.select(Code.id).where(Code.group_code == group_code, Code.code == code)
    ).scalar_one_or_none()
    if clash is not None and clash != code_id:
        raise ServiceError(_("This code exists in the group."), {"code": [_("This code exists in the group.")]})
    if code_id is None:
        item = Code(group_code=group_code)
        db.session.add(item)
    else:
        item = db.session.get(Code, code_id)
        if item is None or item.group_code != group_code:
            raise LookupError(code_id)
    item.code, item.name, item.name_en = code, name.strip(), name_en.strip()
    item.sort_order, item.active = sort_order, active
    try:
        tx.commit()
    except IntegrityError as error:  # the same code added by a simultaneous submission
        tx.rollback()
        raise ServiceError(_("This code exists in the group."), {"code": [_("This code exists in the group.")]}) from error
    return item
