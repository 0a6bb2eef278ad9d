from flask import Blueprint

from erp.auth.access import permission_required
from sample_plugin import api

bp = Blueprint("sample", __name__, url_prefix="/sample")


@bp.route("/")
@permission_required("sample.view")
def index():
    return f"things: {api.count_things()}"


@bp.route("/undeclared")
def undeclared():  # no access rule: the guard must refuse it
    return "should never be served"
