"""Hostile or absurd input answers with a clear 4xx or a page that says what is wrong — never a
500 — and changes nothing (issue 15, item 6: each case found by a probe has its test here)."""
import json

import pytest
from conftest import login, post_form

BASE = {"use_type": "household", "diameter": 13, "consumption": 20, "period_start": "2026-11-01", "period_end": "2026-11-30"}


@pytest.fixture
def tariff(app):
    from plugins.rates.demo import load_tariff

    with app.test_request_context():
        load_tariff()


@pytest.mark.parametrize("body, message", [
    # RecursionError in the JSON parser; 60,000 bytes stay under the JSON APIs' 64 KB body limit
    # (a larger body is refused before it is parsed: tests/test_rate_limits.py)
    ("[" * 30_000 + "]" * 30_000, "JSON object"),
    (json.dumps({**BASE, "consumption": 10**30}), "at most 10,000,000"),  # decimal overflow
    (json.dumps({**BASE, "water_use_rate": 1e300}), "0 to 100,000 won"),
    (json.dumps({**BASE, "reductions": [{"code": "LEAK", "previous_average": 1e300}]}), "previous average"),
    (json.dumps({**BASE, "period_start": "9999-12-01", "period_end": "9999-12-31"}), "between 2000-01-01 and 2100-12-31"),
])
def test_the_quote_api_refuses_absurd_bodies_with_the_reason(client, tariff, body, message):
    response = client.post("/api/rates/quote", data=body, content_type="application/json")
    assert response.status_code == 400 and message in response.get_json()["message"]


def test_the_citizens_calculator_says_what_is_wrong_with_a_period_in_year_9999(client, tariff):
    response = client.get("/rates/calculator?use_type=household&diameter=13&consumption=20"
                          "&period_start=9999-12-01&period_end=9999-12-31")
    assert response.status_code == 200 and "2100-12-31" in response.get_data(as_text=True)


def test_huge_numbers_in_query_parameters_and_form_ids(app, client, make_user):
    make_user("boss", roles=["accountant", "rates_clerk", "complaints_officer", "sysadmin"])
    login(client, "boss")
    huge = "99999999999999999999"
    assert client.get(f"/accounting/entries?page={huge}").status_code == 200
    assert client.get(f"/complaints/types?edit={huge}").status_code == 404
    assert client.get(f"/complaints/?type={huge}").status_code == 404  # no such complaint type
    with app.test_request_context():
        from datetime import date

        from plugins.rates.services import customers

        customer = customers.register(customers.CustomerInput(holder_name="김검침", address="한빛시 1", use_type="household",
                                                              route_code="1101"))
        customers.install_meter(customer.id, "H-1", 13, date(2026, 1, 1))
        customer_id = customer.id
    response = post_form(client, f"/rates/customers/{customer_id}", {"action": "hold", "reading_id": huge})
    assert response.status_code == 404  # no such reading (was an overflow in the query: 500)
