"""Words: job messages stored as a message and its values and shown in the reader's language,
counts with thousands separators, English plurals."""
from datetime import date

import pytest
from flask_babel import force_locale

from erp.common.errors import ServiceError
from erp.i18n import N_, Nn_
from erp.jobs.messages import message, render


def test_a_job_message_is_shown_in_the_readers_language_with_separators_and_plurals(app):
    stored = message(Nn_("%(n)s bill issued, %(amount)s won", "%(n)s bills issued, %(amount)s won"),
                     n=1204, amount=98_765_430)
    assert "1204" in stored and "고지서" not in stored  # the worker stores it untranslated
    with app.test_request_context():
        assert render(stored) == "고지서 1,204건 발행, 98,765,430원"
        with force_locale("en"):
            assert render(stored) == "1,204 bills issued, 98,765,430 won"
            assert render(message(Nn_("%(n)s bill issued, %(amount)s won", "%(n)s bills issued, %(amount)s won"),
                                  n=1, amount=15_320)) == "1 bill issued, 15,320 won"
            assert render(message(N_("The route has no bills in this run."))) == "The route has no bills in this run."
        assert render("Traceback: a worker's own text") == "Traceback: a worker's own text"
    with pytest.raises(TypeError):
        message(Nn_("%(n)s bill issued, %(amount)s won", "%(n)s bills issued, %(amount)s won"), amount=1)


def test_the_relay_and_reminder_jobs_answer_in_the_readers_language(app):
    from plugins.budget import tasks as budget_tasks
    from plugins.complaints import tasks as complaint_tasks
    from plugins.rates import tasks as rate_tasks

    with app.test_request_context():
        rates, budget = rate_tasks.relay(None), budget_tasks.relay(None)
        reminded = complaint_tasks.remind(None)
        assert render(rates) == render(budget) == "분개 0건 전달, 0건 대기"
        assert render(reminded) == "처리 기한이 다가온 민원 0건"
        with force_locale("en"):
            assert render(rates) == "0 postings delivered, 0 waiting"
            assert render(reminded) == "0 complaints due"


def test_counts_carry_separators_and_english_plurals(app):
    from erp.ops.dashboard import duration_text
    from plugins.complaints.services.deadlines import describe

    with app.test_request_context():
        assert duration_text(3 * 86400) == "3일"
        with force_locale("en"):
            assert duration_text(60) == "1 minute"
            assert duration_text(5 * 3600) == "5 hours"
            assert duration_text(1_500 * 86400) == "1,500 days"
            assert describe(1, "days") == "1 day"
            assert describe(7, "days") == "7 days"
            assert describe(8, "hours") == "8 working hours"


def test_a_refused_reading_names_both_readings_with_separators(app):
    from plugins.rates.services import customers as service

    with app.test_request_context():
        customer = service.register(service.CustomerInput(holder_name="김민수", address="한빛시 한빛로 23",
                                                          use_type="household", route_code="1101"))
        service.install_meter(customer.id, "M-0001", 13, date(2026, 1, 5), start_reading=4_900)
        service.read(customer.id, date(2026, 2, 5), 4_997)
        with pytest.raises(ServiceError) as refused:
            service.read(customer.id, date(2026, 3, 5), 1_250)
        assert "지침 1,250" in refused.value.message and "이전 지침 4,997" in refused.value.message
