import os
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, request

from erp.auth.access import public
from erp.extensions import db

bp = Blueprint("graceful", __name__, url_prefix="/graceful")


@bp.route("/slow")
@public
def slow():
    """Say that the request has started (a file the test waits for), sleep, then use the database:
    the answer shows that the worker and its connections were still there when it finished."""
    seconds = request.args.get("seconds", 1.0, type=float)
    Path(os.environ["GRACEFUL_MARKER"]).write_text(str(os.getpid()))
    time.sleep(seconds)
    one = db.session.execute(sa.text("SELECT 1")).scalar()
    return f"slept {seconds:g} s, database says {one}"
