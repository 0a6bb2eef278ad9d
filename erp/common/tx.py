"""Transactions belong to the service layer: a service commits what it did, and a service that
refuses or fails leaves nothing behind."""
from __future__ import annotations

from functools import wraps

from erp.extensions import db


def transactional(func):
    """Roll the session back when the decorated service raises, then re-raise."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return wrapper
