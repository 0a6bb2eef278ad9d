"""Password policy and hashing."""
from __future__ import annotations

import string
from functools import lru_cache

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH_THREE_CLASSES = 9
MIN_LENGTH_TWO_CLASSES = 10


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digits and symbols the password uses."""
    return sum(
        (
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c in string.digits for c in password),
            any(not c.isalnum() and not c.isspace() for c in password),
        )
    )


def policy_errors(password: str, username: str = "") -> list[str]:
    """Reasons the password is refused (empty when it is acceptable).

    The rule: at least 9 characters from 3 classes, or at least 10 from 2 classes.
    """
    errors = []
    classes = character_classes(password)
    long_enough = (len(password) >= MIN_LENGTH_THREE_CLASSES and classes >= 3) or (
        len(password) >= MIN_LENGTH_TWO_CLASSES and classes >= 2
    )
    if not long_enough:
        errors.append(
            _("Use at least 9 characters from three kinds (lower case, upper case, digits, symbols), "
              "or at least 10 characters from two kinds.")
        )
    if any(c.isspace() for c in password):
        errors.append(_("A password may not contain spaces."))
    if username and username.lower() in password.lower():
        errors.append(_("A password may not contain the user name."))
    return errors


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


# A hash to compare against when the user does not exist, so that a wrong user name takes as
# long as a wrong password.
@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("no-such-user-password")


def burn_time(password: str) -> None:
    check_password_hash(_dummy_hash(), password)
