"""Every page answers every role as the role's permissions say, on the demo data.

The pages are the URL map's GET rules, their ids filled in from the demo data; the expected answer
is derived from the access rule the view declares (``erp.auth.access``): 200 for a public page, a
login-only page or a permission the role holds, 403 otherwise. Anything else — a redirect to the
login page, a 404 from an id that does not exist, a 500 — fails. A page with no demo row to show
must be named below with the reason, so a new page cannot slip out of the walk unseen.
"""
import ipaddress
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_from, login

from erp.auth.access import access_of
from erp.auth.models import Department, Role, RolePermission, User
from erp.extensions import db

DEMO_USERS = ("admin", "auditor", "acct", "chiefacct", "budget", "budgetlead", "civil", "rates", "reader")

# Pages that answer otherwise by design, to whoever may open them.
OTHER_ANSWER = {
    "accounting.index": (302, "the books open on the list of journal entries"),
    "auth.login": (302, "a logged-in user is sent home"),
    "complaints.receipt": (302, "the receipt belongs to a citizen who just filed; others are sent to the look-up"),
    "complaints.status_of": (302, "a complaint's status opens after the look-up with its secret only"),
    "complaints.receipt_file": (302, "a complaint's receipt opens after the look-up with its secret only"),
    "complaints.citizen_attachment": (302, "a citizen's file opens after the look-up with its secret only"),
    "rates.inquiry_result": (302, "a customer's bills open after the inquiry (customer number and name or phone) only"),
    "rates.inquiry_bill_pdf": (404, "a bill opens only to the browser that looked its customer up; to others it does not exist"),
}

# Pages whose rows the demo data does not make (the output of a job someone started).
NOT_IN_DEMO = {
    "rates.write_off_detail": "a write-off (결손처분) is proposed for bills unpaid for years; the demo's bills are recent",
    "rates.bill_run_print": "a route's printed bills exist once a clerk prints them",
    "rates.bill_run_print_file": "a route's printed bills exist once a clerk prints them",
    "rates.payments_import": "the outcome of a payments file a clerk uploaded",
    "rates.readings_import": "the outcome of a readings file a reader uploaded",
    "ops_dashboard.check_edit": "a service check exists once an administrator sets one up",
}


# Login-only pages whose view decides by the row (erp.auth.access cannot say it): who may open them.
BY_ROW = {
    "ops_dashboard.outbox_row": (
        lambda can: can("core.ops") or can("budget.execute") or can("accounting.approve"),
        "a budget delivery opens for operations, the budget's executors and the approving chief accountant"),
}


def _first(model, column="id", where=None):
    query = sa.select(getattr(model, column)).order_by(getattr(model, column))
    if where is not None:
        query = query.where(where)
    return db.session.execute(query.limit(1)).scalar()


def _demo_values() -> dict:
    """A value from the demo data for each URL argument name."""
    from erp.audit.models import AuditEntry
    from erp.common.models import CodeGroup
    from plugins.accounting.models import FixedAsset, JournalEntry
    from plugins.budget.models import Commitment, Version
    from plugins.budget.models import Outbox as BudgetOutbox
    from plugins.complaints.models import Attachment, Complaint, ComplaintType
    from plugins.rates.models import Bill, BillRun, Customer, Payment, Tariff

    values = {
        # A draft entry: it opens in the entry form as well as on its own page.
        "asset_id": _first(FixedAsset), "entry_id": _first(JournalEntry, where=JournalEntry.status == "draft"),
        "group_code": _first(CodeGroup, "code"),
        "dept_id": _first(Department), "role_id": _first(Role), "user_id": _first(User),
        "commitment_id": _first(Commitment), "version_id": _first(Version), "complaint_id": _first(Complaint),
        "receipt_no": _first(Complaint, "receipt_no"), "run_id": _first(BillRun), "bill_id": _first(Bill),
        "customer_id": _first(Customer), "payment_id": _first(Payment), "tariff_id": _first(Tariff),
        "route_code": _first(Customer, "route_code"),
        # Open311 answers json only; its services are the complaint types, its requests the complaints.
        "fmt": "json", "code": _first(ComplaintType, "code"), "request_id": _first(Complaint, "receipt_no"),
        "table": BudgetOutbox.__tablename__, "row_id": _first(BudgetOutbox),
    }
    newest = db.session.execute(sa.select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    values.update(chain=AuditEntry.chain, seq=newest)
    attachment = db.session.execute(sa.select(Attachment.complaint_id, Attachment.id, Complaint.receipt_no)
                                    .join(Complaint, Complaint.id == Attachment.complaint_id).limit(1)).first()
    if attachment:
        values["attachment"] = {"complaint_id": attachment[0], "attachment_id": attachment[1], "receipt_no": attachment[2]}
    return values


def _pages(app) -> tuple[list, list]:
    """(endpoint, url, access) of every GET page, and the endpoints left out for want of a row."""
    with app.app_context():
        values = _demo_values()
    pages, missing = [], []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
                continue
            access = access_of(app.view_functions[rule.endpoint])
            if access.kind == "service":
                continue  # other services' calls, with a signed token: tests/test_port_contract.py
            if "attachment_id" in rule.arguments:
                attachment = values.get("attachment")
                args = {name: attachment[name] for name in rule.arguments} if attachment else None
            else:
                args = {name: values.get(name) for name in rule.arguments}
            if args is None or any(v is None for v in args.values()):
                missing.append(rule.endpoint)
                continue
            pages.append((rule.endpoint, url_for(rule.endpoint, **args), access))
    return pages, missing


def _expected(app, endpoint: str, access, user_can, address: str) -> int:
    if access.kind == "permission" and not user_can(access.permission):
        return 403
    if access.kind == "scrape" and not any(ipaddress.ip_address(address) in net for net in app.extensions["erp_metrics_allow"]):
        return 403
    if endpoint in BY_ROW and not BY_ROW[endpoint][0](user_can):
        return 403
    if endpoint in OTHER_ANSWER:
        return OTHER_ANSWER[endpoint][0]
    return 200  # public, login-only, a permission held, and /metrics from an allowed address (the loopback)


def _logged_in(app, username: str, address: str):
    """A browser of ``username`` from its own address: logins are rate-limited per address as in
    service (erp.web.limits), and one office computer is one official's."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert login(client, username).status_code == 302, f"{username} could not log in"
    return client


def _switch(client, language):
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post(f"/lang/{language}", data={"csrf_token": token, "next": "/"})


@pytest.fixture
def demo(app, runner):
    result = runner.invoke(args=["erp", "demo"])
    assert result.exit_code == 0, result.output
    from erp.auth import services

    with app.app_context():
        # The demo prints random passwords; give each demo login the tests' one.
        for user in db.session.execute(sa.select(User)).scalars():
            services.set_password(user.id, PASSWORD)
        role = Role(code="all", name="모든 권한", builtin=False)
        role.grants = [RolePermission(permission=code) for code in app.extensions["erp"]["permissions"]]
        db.session.add(role)
        db.session.commit()
    return app


def test_every_page_answers_every_role_as_its_permissions_say(demo, make_user):
    make_user("omni", roles=["all"])
    pages, missing = _pages(demo)
    assert sorted(missing) == sorted(NOT_IN_DEMO), "pages without a demo row to show (add one, or say why not)"
    assert len(pages) > 70
    failures = []
    # The demo logins each from an office computer; the all-permissions one from the server itself
    # (the loopback, where /metrics answers).
    logins = [(name, "ko", f"10.9.1.{index + 1}") for index, name in enumerate(DEMO_USERS)] + [("omni", "en", "127.0.0.1")]
    for username, language, address in logins:
        client = _logged_in(demo, username, address)
        _switch(client, language)
        with demo.app_context():
            user = db.session.execute(sa.select(User).where(User.username == username)).scalar_one()
            expectations = [(url, _expected(demo, endpoint, access, user.can, address)) for endpoint, url, access in pages]
        # Each request in its own application context, as in service (the logged-in user is loaded per request).
        for url, expected in expectations:
            response = client.get(url)
            if response.status_code != expected:
                failures.append((username, url, response.status_code, expected))
            elif language == "en" and response.mimetype == "text/html" and re.search(r"[가-힣]{2,}", _chrome(response)):
                failures.append((username, url, "Korean in the English page chrome"))
            elif language == "ko" and response.mimetype == "text/html" and response.status_code == 200:
                failures += [(username, url, "English on a Korean page", text) for text in _untranslated(response)]
    assert failures == []


class _Text(HTMLParser):
    """The visible text nodes of a page: no scripts, styles or JSON blocks, nor what is marked as
    another language (``lang="en"``: an account's English name is data, not an untranslated word)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.nodes, self._open = [], []  # the open elements: (tag, hidden)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        lang = dict(attrs).get("lang")
        self._open.append((tag, tag in ("script", "style", "template") or (lang is not None and not lang.startswith("ko"))))

    def handle_endtag(self, tag):
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        if data.strip() and not any(hidden for _tag, hidden in self._open):
            self.nodes.append(" ".join(data.split()))


_ENGLISH = None


def _english_msgids():
    """One pattern matching a whole text node that is an English message of the catalog shown
    untranslated (its placeholders match anything); messages Korean keeps as they are and bare
    placeholders are left out."""
    global _ENGLISH
    if _ENGLISH is None:
        from babel.messages.pofile import read_po

        path = Path(__file__).resolve().parent.parent / "erp/translations/ko/LC_MESSAGES/messages.po"
        with open(path, "rb") as handle:
            catalog = read_po(handle)
        patterns = set()
        for message in catalog:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid in ids:
                literal = re.sub(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdf]|%%", " ", msgid or "")
                words = re.findall(r"[A-Za-z]{3,}", literal)
                # A placeholder matches anything: "%(n)s records" alone would match any text
                # ending in "records", so a message with values needs two words of its own.
                if msgid in strings or not words or (len(words) < 2 and literal != msgid):
                    continue
                parts = re.split(r"(%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdf]|%%)", " ".join(msgid.split()))
                patterns.add("".join(".+?" if part.startswith("%(") else "%" if part == "%%" else re.escape(part)
                                     for part in parts))
        _ENGLISH = re.compile("(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")")
    return _ENGLISH


def _untranslated(response) -> list[str]:
    """The text nodes of a Korean page that are an English message of the catalog."""
    parser = _Text()
    parser.feed(response.get_data(as_text=True))
    english = _english_msgids()
    return [node for node in parser.nodes if english.fullmatch(node.strip(" ·:|()[]–-"))]


def test_the_menu_offers_only_what_the_user_may_open(demo):
    """Each demo login's sidebar links to pages that open for it, and to every section it may use."""
    sections, links = {}, {}
    for index, username in enumerate(DEMO_USERS):
        client = _logged_in(demo, username, f"10.9.1.{index + 1}")
        html = client.get("/").get_data(as_text=True)
        nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S).group(0)
        sections[username] = re.findall(r'data-section="(\w+)"', nav)
        links[username] = re.findall(r'<a [^>]*href="([^"]+)"', nav)
        for href in links[username]:
            assert client.get(href).status_code == 200, (username, href)
    assert sections["reader"] == ["rates"]
    # Each role's home page shows its own panels, nothing of the others'.
    panels = {}
    for index, username in enumerate(DEMO_USERS):
        client = _logged_in(demo, username, f"10.9.2.{index + 1}")
        panels[username] = re.findall(r'data-panel="([\w-]+)"', client.get("/").get_data(as_text=True))
    assert panels["reader"] == ["rates-routes"]
    assert panels["chiefacct"] == ["accounting-drafts", "accounting-periods"]
    assert panels["civil"] == ["complaints-queue"]
    assert panels["rates"] == ["rates-billing", "rates-receivables", "rates-routes"]
    assert panels["budget"] == ["budget-waiting", "budget-execution"]
    assert panels["admin"] == ["locked-users", "audit-check", "operations"]
    assert sections["civil"] == ["complaints", "rates"]
    # The chief accountant approves write-offs of lapsed water charges: of the rates, that list only.
    assert sections["chiefacct"] == ["accounting", "budget", "rates"]
    assert [href for href in links["chiefacct"] if href.startswith("/rates/")] == ["/rates/write-offs"]
    assert "admin" in sections["admin"] and "accounting" not in sections["admin"]


def _chrome(response) -> str:
    """The layout's own words (header and sidebar), which must follow the language switch."""
    html = response.get_data(as_text=True)
    nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S)
    return nav.group(0) if nav else ""


def test_the_english_check_finds_a_message_left_untranslated(app):
    """The Korean walk's check itself: an English message of the catalog, its placeholders
    filled, is found in a page's text; Korean text, data and scripts are not."""

    class Page:
        def __init__(self, html):
            self.html = html

        def get_data(self, as_text=True):
            return self.html

    found = _untranslated(Page('<main><p>임시 저장했습니다.</p><p class="flash">Draft saved.</p><td>3 bills issued, 1,204 won</td>'
                               '<td>HB2020-00013</td><script>const s = "Draft saved.";</script><br>'
                               '<td lang="en">Assets</td><td>Assets</td></main>'))
    assert found == ["Draft saved.", "3 bills issued, 1,204 won", "Assets"]
