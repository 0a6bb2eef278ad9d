"""Every page without parameters opens for a user holding every permission, in Korean and in
English, on the demo data: a template error or a missing translation argument shows here."""
import re

import pytest
from conftest import csrf_from, login

from erp.auth.models import Role, RolePermission
from erp.extensions import db


@pytest.fixture
def everything(app, runner, make_user):
    assert runner.invoke(args=["erp", "demo"]).exit_code == 0
    with app.app_context():
        role = Role(code="all", name="모든 권한", builtin=False)
        role.grants = [RolePermission(permission=code) for code in app.extensions["erp"]["permissions"]]
        db.session.add(role)
        db.session.commit()
    make_user("omni", roles=["all"])
    return app


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_page_opens_in_both_languages(everything, language):
    client = everything.test_client()
    login(client, "omni")
    token = csrf_from(client.get("/").get_data(as_text=True))
    client.post(f"/lang/{language}", data={"csrf_token": token, "next": "/"})
    urls = sorted({rule.rule for rule in everything.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/static")})
    assert len(urls) > 40
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
        elif response.mimetype == "text/html" and language == "en" and re.search(r"[가-힣]{2,}", _chrome(response)):
            failures.append((url, "Korean in the English page chrome"))
    assert failures == []


def _chrome(response) -> str:
    """The layout's own words (header and sidebar), which must follow the language switch."""
    html = response.get_data(as_text=True)
    nav = re.search(r'<nav class="sidebar".*?</nav>', html, re.S)
    return nav.group(0) if nav else ""
