"""Common components: document numbers, the working-day calendar, code tables, formatting."""
import threading
import time
from datetime import date, datetime

import pytest
from conftest import TEST_DB, login, post_form

from erp.common import calendar, codes, docnumbers
from erp.common.formatting import won
from erp.extensions import db


def test_document_numbers_run_per_type_and_year(app):
    with app.app_context():
        first = docnumbers.next_number("JE", 2026)
        second = docnumbers.next_number("JE", 2026)
        other_type = docnumbers.next_number("BL", 2026)
        next_year = docnumbers.next_number("JE", 2027)
        db.session.commit()
    assert (first, second, other_type, next_year) == ("2026-JE-000001", "2026-JE-000002", "2026-BL-000001", "2027-JE-000001")


def test_document_numbers_on_a_database_without_returning(app, monkeypatch):
    # SQLite before 3.35 (RHEL 9 ships 3.34) has no RETURNING; MariaDB has none on an upsert.
    with app.app_context():
        monkeypatch.setattr(db.engine.dialect, "insert_returning", False)
        numbers = [docnumbers.next_number("CM", 2026) for _ in range(3)]
        db.session.commit()
    assert numbers == ["2026-CM-000001", "2026-CM-000002", "2026-CM-000003"]


def test_a_rolled_back_document_gives_its_number_back(app):
    with app.app_context():
        docnumbers.next_number("JE", 2026)
        db.session.commit()
        docnumbers.next_number("JE", 2026)
        db.session.rollback()
        assert docnumbers.next_number("JE", 2026) == "2026-JE-000002"
        db.session.commit()


def test_a_malformed_document_type_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        docnumbers.next_number("je; drop", 2026)


def _taker(app, doc_type, year, ready, results, errors):
    """A thread's work: wait for ``ready()``, take a number, commit; the number or the error is collected."""
    def take():
        try:
            with app.app_context():
                ready()
                number = docnumbers.next_number(doc_type, year)
                db.session.commit()
                results.append(number)
        except Exception as error:  # collected and asserted by the test
            errors.append(repr(error))

    return take


def test_document_numbers_stay_unique_and_gapless_under_20_concurrent_requests(app):
    results, errors = [], []
    barrier = threading.Barrier(20)
    take = _taker(app, "CM", 2026, lambda: barrier.wait(timeout=30), results, errors)
    threads = [threading.Thread(target=take) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sorted(results) == [f"2026-CM-{n:06d}" for n in range(1, 21)]


def test_when_the_first_taker_of_a_new_sequence_rolls_back_the_others_still_get_their_numbers(app):
    # The first documents of a new year, taken at once, the very first one abandoned: on MariaDB
    # the waiting takers used to deadlock over inserting the sequence's row.
    results, errors = [], []
    first_has_taken, release_first = threading.Event(), threading.Event()

    def first():
        with app.app_context():
            docnumbers.next_number("PO", 2031)
            first_has_taken.set()
            release_first.wait(timeout=30)
            db.session.rollback()

    other = _taker(app, "PO", 2031, lambda: first_has_taken.wait(timeout=30), results, errors)
    threads = [threading.Thread(target=first)] + [threading.Thread(target=other) for _ in range(3)]
    for t in threads:
        t.start()
    first_has_taken.wait(timeout=30)
    time.sleep(1)  # the others are waiting for the first taker's row by now
    release_first.set()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(results) == ["2031-PO-000001", "2031-PO-000002", "2031-PO-000003"]


def test_mariadb_run_really_uses_mariadb(app):
    with app.app_context():
        assert db.engine.dialect.name == ("mysql" if TEST_DB == "mariadb" else "sqlite")


def test_a_mariadb_on_loopback_is_reached_without_tls_unless_the_url_asks_for_it(app):
    """PyMySQL tries TLS on every connection it is not told about, after loading the system's
    certificate store (20 ms of CPU per connection); on loopback TLS protects nothing."""
    from types import SimpleNamespace

    from erp.extensions import _no_tls_on_loopback

    pymysql = SimpleNamespace(driver="pymysql")

    def params(dialect=pymysql, **given):
        _no_tls_on_loopback(dialect, None, [], given)
        return given

    assert params(host="127.0.0.1")["ssl_disabled"] is True
    assert params(host="localhost", unix_socket="/run/mysqld/mysqld.sock")["ssl_disabled"] is True
    assert "ssl_disabled" not in params(host="db.example.go.kr")  # the driver's default
    assert params(host="127.0.0.1", ssl={"ca": "/etc/ca.pem"}) == {"host": "127.0.0.1", "ssl": {"ca": "/etc/ca.pem"}}
    assert "ssl_disabled" not in params(host="127.0.0.1", read_default_file="/etc/erp/my.cnf")  # it may name TLS
    assert "ssl_disabled" not in params(SimpleNamespace(driver="pysqlite"))
    if TEST_DB == "mariadb":
        with app.app_context():
            with db.engine.connect() as connection:
                assert connection.connection.dbapi_connection.ssl is False


# --- calendar -----------------------------------------------------------------------------------

def test_chuseok_2026_and_its_weekend_are_not_working_days():
    # 2026-09-24 (Thu) … 26 (Sat) are Chuseok; 27 is a Sunday.
    assert calendar.holiday_name(date(2026, 9, 25)) == "추석"
    assert [calendar.is_working_day(date(2026, 9, d)) for d in range(23, 29)] == [True, False, False, False, False, True]
    assert calendar.add_working_days(date(2026, 9, 23), 1) == date(2026, 9, 28)
    assert calendar.working_days_between(date(2026, 9, 22), date(2026, 9, 30)) == 4  # 23, 28, 29, 30


def test_working_days_across_new_year_and_an_alternative_holiday():
    # 2026-12-31 (Thu) + 2 working days: 2027-01-01 is New Year's Day, then a weekend.
    assert calendar.add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)
    # 2026-10-03 (Sat) National Foundation Day is replaced on Monday 10-05.
    assert calendar.add_working_days(date(2026, 10, 2), 1) == date(2026, 10, 6)


def test_working_hours_skip_lunch_nights_weekends_and_holidays():
    assert calendar.add_working_hours(datetime(2026, 11, 20, 16, 0), 3) == datetime(2026, 11, 23, 10, 0)  # Fri → Mon
    assert calendar.add_working_hours(datetime(2026, 11, 23, 11, 0), 2) == datetime(2026, 11, 23, 14, 0)  # over lunch
    assert calendar.add_working_hours(datetime(2026, 9, 23, 17, 0), 8) == datetime(2026, 9, 28, 17, 0)  # over Chuseok
    assert calendar.working_hours_between(datetime(2026, 9, 23, 9, 0), datetime(2026, 9, 28, 18, 0)) == 16


# --- code tables --------------------------------------------------------------------------------

def test_code_tables_keep_order_and_refuse_duplicates(app, client, make_user):
    make_user("admin", roles=["sysadmin"])
    with app.app_context():
        codes.ensure_group("USE_TYPE", "업종", [("10", "가정용"), ("20", "일반용"), ("30", "욕탕용")])
        assert codes.choices("USE_TYPE") == [("10", "가정용"), ("20", "일반용"), ("30", "욕탕용")]
    login(client, "admin")
    response = post_form(client, "/admin/codes/USE_TYPE", {"code": "20", "name": "중복", "name_en": "", "sort_order": "5", "active": "y"})
    assert "이미 있습니다" in response.get_data(as_text=True)
    post_form(client, "/admin/codes/USE_TYPE", {"code": "40", "name": "산업용", "name_en": "Industrial", "sort_order": "40", "active": "y"})
    with app.app_context():
        assert codes.choices("USE_TYPE")[-1] == ("40", "산업용")
    assert client.get("/admin/codes/NO_SUCH_GROUP").status_code == 404


def test_won_has_thousands_separators_and_refuses_floats():
    assert won(1234567) == "1,234,567"
    assert won(-5000) == "-5,000"
    assert won(None) == ""
    with pytest.raises(TypeError):
        won(12.5)


def test_bulk_insert_keeps_every_value_and_skips_rows_it_holds_already(app):
    """Million-row writes go through erp.common.sql.bulk_insert: executemany on SQLite, LOAD DATA
    on MariaDB (from 1,000 rows). Text with tabs, newlines, backslashes and Hangul, and booleans come
    back as written; with ignore, a row whose unique key exists is skipped."""
    import sqlalchemy as sa

    from erp.common.sql import bulk_insert
    from erp.common.models import Code, CodeGroup

    with app.app_context():
        db.session.add(CodeGroup(code="BULK", name="bulk"))
        db.session.commit()
        rows = [(n, "BULK", f"C{n:05d}", f"이름 {n}\t탭\n줄\\역슬래시" if n % 2 else f"이름 {n}", "", n % 3 == 0, n)
                for n in range(1, 1_201)]
        columns = ["id", "group_code", "code", "name", "name_en", "active", "sort_order"]
        bulk_insert(Code.__table__, columns, [(n + 100_000, *rest) for n, *rest in rows])
        bulk_insert(Code.__table__, columns, [(n + 200_000, *rest) for n, *rest in rows[:1_100]], ignore=True)
        db.session.commit()
        stored = db.session.execute(sa.select(Code.code, Code.name, Code.active, Code.name_en)
                                    .where(Code.group_code == "BULK").order_by(Code.code)).all()
        assert len(stored) == 1_200  # the second write changed nothing: every (group, code) was there
        assert stored[0] == ("C00001", "이름 1\t탭\n줄\\역슬래시", False, "")
        assert stored[2] == ("C00003", "이름 3\t탭\n줄\\역슬래시", True, "")
        assert stored[1].name == "이름 2"
