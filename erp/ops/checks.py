"""Service checks from the user's point of view (issue 13 item 5).

A check is data: a list of steps, each an HTTP request against ERP_CHECK_BASE_URL and what its
answer must show::

    [{"method": "GET", "path": "/login", "status": 200, "text": "로그인"},
     {"method": "POST", "path": "/login", "form": {"username": "{check_user}",
      "password": "{check_password}"}, "status": 302},
     {"method": "GET", "path": "/", "status": 200, "max_ms": 2000}]

A URL check is one step; a scenario several, sharing cookies. ``{check_user}`` and
``{check_password}`` in form values are ERP_CHECK_USER / ERP_CHECK_PASSWORD, so no password is
kept in a check; a POST gets the CSRF token of the page before it unless its form names one.
Redirects are not followed, so a step can expect the 302 of a successful login.

The worker runs the checks that are due every minute (``ops.checks``), ``flask ops check`` does
the same from a CronJob, and ``flask ops check --all`` runs every active check at once after a
deploy. Each run is stored; a failed one is handed to the notice sender (ERP_CHECK_NOTICE_SENDER,
``"module:function"`` called with the check and the result; by default a warning log line).
"""
from __future__ import annotations

import importlib
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta

import requests
import sqlalchemy as sa
from flask import current_app

from erp.common import clock, tx
from erp.common.errors import ServiceError
from erp.extensions import db
from erp.ops.models import OpsCheck, OpsCheckResult

log = logging.getLogger(__name__)

METHODS = ("GET", "POST", "HEAD")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Step:
    method: str
    path: str
    status: int = 200
    text: str = ""
    max_ms: int | None = None
    form: dict | None = None


@dataclass
class Outcome:
    ok: bool
    status: int | None
    duration_ms: int
    message: str


def parse_steps(raw: str | list) -> list[Step]:
    """Read a check's steps (JSON text or a list) or raise ServiceError saying what is wrong."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as error:
        raise ServiceError(f"steps: not JSON ({error})", {"steps": [f"not JSON ({error})"]}) from None
    if not isinstance(data, list) or not data:
        raise ServiceError("steps: a non-empty list is expected", {"steps": ["a non-empty list is expected"]})
    steps = []
    for number, item in enumerate(data, 1):
        problem = _step_problem(item)
        if problem:
            raise ServiceError(f"step {number}: {problem}", {"steps": [f"step {number}: {problem}"]})
        steps.append(Step(method=item.get("method", "GET").upper(), path=item["path"], status=int(item.get("status", 200)),
                          text=item.get("text", "") or "", max_ms=item.get("max_ms"), form=item.get("form")))
    return steps


def _step_problem(item) -> str:
    if not isinstance(item, dict):
        return "an object is expected"
    unknown = set(item) - {"method", "path", "status", "text", "max_ms", "form"}
    if unknown:
        return "unknown keys " + ", ".join(sorted(unknown))
    if str(item.get("method", "GET")).upper() not in METHODS:
        return "method must be one of " + ", ".join(METHODS)
    path = item.get("path")
    if not isinstance(path, str) or not (path.startswith("/") or path.startswith(("http://", "https://"))):
        return "path must start with / (or be an http(s) URL)"
    if not isinstance(item.get("status", 200), int) or not 100 <= item.get("status", 200) <= 599:
        return "status must be an HTTP status"
    if item.get("max_ms") is not None and (not isinstance(item["max_ms"], int) or item["max_ms"] <= 0):
        return "max_ms must be a positive whole number"
    if item.get("form") is not None and (not isinstance(item["form"], dict)
                                         or not all(isinstance(v, str) for v in item["form"].values())):
        return "form must map field names to text"
    if not isinstance(item.get("text", ""), str):
        return "text must be text"
    return ""


def url_steps(url: str, status: int, text: str, max_ms: int | None) -> str:
    """The steps of a simple URL check, as stored."""
    step = {"method": "GET", "path": url, "status": status}
    if text:
        step["text"] = text
    if max_ms:
        step["max_ms"] = max_ms
    return json.dumps([step], ensure_ascii=False)


# The core's ready-made scenario: log in with the check account and open the home page.
CORE_READY_MADE: tuple[dict, ...] = (
    {"name": "login", "service": "core", "steps": [
        {"method": "GET", "path": "/login", "status": 200},
        # A placeholder, filled in from ERP_CHECK_PASSWORD when the check runs: no password here.
        {"method": "POST", "path": "/login", "form": {"username": "{check_user}", "password": "{check_password}"},  # nosec B105
         "status": 302},
        {"method": "GET", "path": "/", "status": 200, "max_ms": 2000}]},
)


def ready_made() -> list[dict]:
    """The ready-made checks the page offers: the core's and those every installed plugin declares
    (``Manifest.checks``), each ``{"name", "service", "steps"}`` with the steps as data."""
    offered = list(CORE_READY_MADE)
    manifests = current_app.extensions["erp"]["manifests"]
    for name in sorted(manifests):
        offered += list(manifests[name].checks)
    return offered


# -- configuration -------------------------------------------------------------------------------

def list_checks() -> list[OpsCheck]:
    return list(db.session.execute(sa.select(OpsCheck).order_by(OpsCheck.service, OpsCheck.name)).scalars())


def get_check(check_id: int) -> OpsCheck | None:
    return db.session.get(OpsCheck, check_id)


@tx.transactional
def save_check(check_id: int | None, *, name: str, service: str, steps: str, interval_minutes: int = 5,
               active: bool = True) -> OpsCheck:
    """Create (``check_id`` None) or change a check; bad steps or a taken name → ServiceError."""
    parse_steps(steps)
    name = name.strip()
    taken = db.session.execute(sa.select(OpsCheck.id).where(OpsCheck.name == name)).scalar()
    if taken is not None and taken != check_id:
        raise ServiceError("name taken", {"name": ["A check of this name exists."]})
    check = OpsCheck() if check_id is None else db.session.get(OpsCheck, check_id)
    if check is None:
        raise ServiceError("no such check")
    check.name, check.service, check.steps = name, service.strip() or "core", steps
    check.interval_minutes, check.active = interval_minutes, active
    db.session.add(check)
    tx.commit()
    return check


@tx.transactional
def delete_check(check_id: int) -> None:
    """Delete a check and its results."""
    check = db.session.get(OpsCheck, check_id)
    if check is None:
        raise ServiceError("no such check")
    db.session.execute(sa.delete(OpsCheckResult).where(OpsCheckResult.check_id == check_id))
    db.session.delete(check)  # through the session, so the audit trail records the deletion
    tx.commit()


def recent_results(check_id: int, limit: int = 20) -> list[OpsCheckResult]:
    return list(db.session.execute(sa.select(OpsCheckResult).where(OpsCheckResult.check_id == check_id)
                                   .order_by(OpsCheckResult.at.desc(), OpsCheckResult.id.desc()).limit(limit)).scalars())


# -- running -------------------------------------------------------------------------------------

def perform(steps: list[Step], base_url: str, *, user: str = "", password: str = "", timeout: float = 10.0) -> Outcome:
    """Run the steps with one HTTP session (cookies kept) and say whether every answer was as
    expected; no database work, so a slow site never holds a transaction open."""
    session = requests.Session()
    status, elapsed_ms, previous = None, 0, ""
    try:
        for number, step in enumerate(steps, 1):
            url = step.path if step.path.startswith(("http://", "https://")) else base_url.rstrip("/") + step.path
            data = None
            if step.form is not None or step.method == "POST":
                data = {k: v.replace("{check_user}", user).replace("{check_password}", password)
                        for k, v in (step.form or {}).items()}
                token = _CSRF.search(previous)
                if token and "csrf_token" not in data:
                    data["csrf_token"] = token.group(1)
            started = time.perf_counter()
            try:
                answer = session.request(step.method, url, data=data, timeout=timeout, allow_redirects=False)
            except requests.RequestException as error:
                elapsed_ms += round((time.perf_counter() - started) * 1000)
                return Outcome(False, None, elapsed_ms, f"step {number}: {step.method} {step.path}: {type(error).__name__}")
            took = round((time.perf_counter() - started) * 1000)
            elapsed_ms += took
            status, previous = answer.status_code, answer.text
            if answer.status_code != step.status:
                return Outcome(False, status, elapsed_ms,
                               f"step {number}: {step.method} {step.path} answered {answer.status_code}, expected {step.status}")
            if step.text and step.text not in previous:
                return Outcome(False, status, elapsed_ms, f"step {number}: {step.method} {step.path} lacks {step.text!r}")
            if step.max_ms is not None and took > step.max_ms:
                return Outcome(False, status, elapsed_ms,
                               f"step {number}: {step.method} {step.path} took {took} ms, more than {step.max_ms} ms")
    finally:
        session.close()
    return Outcome(True, status, elapsed_ms, "")


def log_notice(check: OpsCheck, result: OpsCheckResult) -> None:
    """The default notice sender: a warning line in the log (the result row is kept anyway)."""
    log.warning("service check %s (%s) failed: %s", check.name, check.service, result.message)


def _sender():
    name = current_app.config.get("ERP_CHECK_NOTICE_SENDER") or ""
    if not name:
        return log_notice
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


@tx.transactional
def _record(check_id: int, at, outcome: Outcome) -> OpsCheckResult:
    result = OpsCheckResult(check_id=check_id, at=at, ok=outcome.ok, status=outcome.status,
                            duration_ms=outcome.duration_ms, message=outcome.message[:500])
    db.session.add(result)
    db.session.execute(sa.update(OpsCheck).where(OpsCheck.id == check_id).values(last_run_at=at))
    tx.commit()
    return result


def run_check(check_id: int) -> OpsCheckResult:
    """Run one check now, store its result and hand a failure to the notice sender."""
    check = db.session.get(OpsCheck, check_id)
    if check is None:
        raise ServiceError("no such check")
    config = current_app.config
    at = clock.utcnow().replace(microsecond=0)
    try:
        steps = parse_steps(check.steps)
    except ServiceError as error:
        outcome = Outcome(False, None, 0, error.message)
    else:
        if tx.depth() == 0:
            # End the read before the (possibly slow) requests: an open transaction on SQLite holds
            # the write lock the checked application may need. Inside a caller's unit of work it stays.
            db.session.rollback()
        outcome = perform(steps, config["ERP_CHECK_BASE_URL"], user=config["ERP_CHECK_USER"],
                          password=config["ERP_CHECK_PASSWORD"], timeout=float(config["ERP_CHECK_TIMEOUT"]))
    result = _record(check_id, at, outcome)
    if not result.ok:
        check = db.session.get(OpsCheck, check_id)
        try:
            _sender()(check, result)
        except Exception:  # a broken sender must not stop the other checks
            log.exception("the notice sender failed for check %s", check.name)
    return result


def due_checks(now=None) -> list[int]:
    """Ids of the active checks whose interval has passed since their last run."""
    now = now or clock.utcnow()
    due = []
    for check in db.session.execute(sa.select(OpsCheck).where(OpsCheck.active.is_(True)).order_by(OpsCheck.id)).scalars():
        # A few seconds' slack: a run a minute ago that took a moment is still "five minutes ago".
        if check.last_run_at is None or check.last_run_at + timedelta(minutes=check.interval_minutes, seconds=-5) <= now:
            due.append(check.id)
    return due


def run_checks(all_checks: bool = False, progress=None) -> list[tuple[OpsCheck, OpsCheckResult]]:
    """Run the due checks (or every active one) and return each with its result; ``progress(done,
    total)`` is called after each (a job's heartbeat)."""
    if all_checks:
        ids = list(db.session.execute(sa.select(OpsCheck.id).where(OpsCheck.active.is_(True)).order_by(OpsCheck.id)).scalars())
    else:
        ids = due_checks()
    done = []
    for check_id in ids:
        result = run_check(check_id)
        done.append((db.session.get(OpsCheck, check_id), result))
        if progress is not None:
            progress(len(done), len(ids))
    return done
