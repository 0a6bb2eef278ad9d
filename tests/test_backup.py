"""`flask erp backup` and `flask erp restore`: every database and the storage directory with a
manifest of checksums; a restore into an empty database gives the same books, bills, complaints
and an intact audit trail, and a damaged backup restores nothing."""
import os
import stat

import pytest
import sqlalchemy as sa
from conftest import TEST_DB

from erp.extensions import db


def _figures(app):
    """What an auditor compares after a restore: the trial balance of each year with entries,
    the bills' total, the number of complaints, and the stored files."""
    from plugins.accounting import api as accounting

    with app.app_context():
        years = sorted(int(y) for (y,) in db.session.execute(sa.text(
            "SELECT DISTINCT " + ("strftime('%Y', entry_date)" if TEST_DB == "sqlite" else "YEAR(entry_date)")
            + " FROM accounting_entry")))
        balances = {}
        for year in years:
            tb = accounting.trial_balance(year)
            balances[year] = (tb.debit_total, tb.credit_total, [(r.code, r.debit_balance, r.credit_balance) for r in tb.rows])
        bills = db.session.execute(sa.text("SELECT COUNT(*), SUM(total) FROM rates_bill")).one()
        complaints = db.session.execute(sa.text("SELECT COUNT(*) FROM complaints_complaint")).scalar_one()
        db.session.remove()
    storage = app.config["ERP_STORAGE_DIR"]
    files = sorted(os.path.relpath(os.path.join(d, f), storage) for d, _, names in os.walk(storage) for f in names)
    return balances, tuple(bills), complaints, files


def _attach(app):
    """An attachment in the storage directory, as the complaints plugin keeps them."""
    folder = os.path.join(app.config["ERP_STORAGE_DIR"], "complaints", "1")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "사진.jpg"), "wb") as handle:
        handle.write(b"\xff\xd8\xff" + os.urandom(2048))


def test_a_backup_restored_into_an_empty_database_gives_the_same_books(app, runner, app_factory, empty_url, tmp_path):
    assert runner.invoke(args=["erp", "demo"]).exit_code == 0
    _attach(app)
    assert runner.invoke(args=["erp", "audit-anchor"]).exit_code == 0
    before = _figures(app)
    assert before[1][0] > 0 and before[2] > 0 and len(before[0]) >= 1 and "audit/core.anchors.jsonl" in before[3]

    made = runner.invoke(args=["erp", "backup", "--to", str(tmp_path / "bk")])
    assert made.exit_code == 0, made.output
    assert "Backup written to" in made.output and "files with checksums" in made.output
    assert stat.S_IMODE(os.stat(tmp_path / "bk").st_mode) == 0o700
    manifest = (tmp_path / "bk" / "manifest.json").read_text()
    assert "storage/complaints/1/사진.jpg" in manifest

    restored = app_factory(SQLALCHEMY_DATABASE_URI=empty_url, ERP_STORAGE_DIR=str(tmp_path / "restored-storage"))
    done = restored.test_cli_runner().invoke(args=["erp", "restore", str(tmp_path / "bk")])
    assert done.exit_code == 0, done.output
    assert _figures(restored) == before
    verified = restored.test_cli_runner().invoke(args=["erp", "audit-verify"])
    assert verified.exit_code == 0, verified.output
    assert "core: audit trail intact" in verified.output and "1 anchor(s) checked." in verified.output

    again = restored.test_cli_runner().invoke(args=["erp", "restore", str(tmp_path / "bk")])
    assert again.exit_code != 0 and "Nothing restored: the core database is not empty" in again.output


def test_a_corrupted_backup_is_refused_and_nothing_is_restored(app, runner, app_factory, empty_url, tmp_path):
    from erp.auth import services

    with app.app_context():
        services.save_department(None, code="BK", name="백업부서")
    _attach(app)
    assert runner.invoke(args=["erp", "backup", "--to", str(tmp_path / "bk")]).exit_code == 0
    photo = tmp_path / "bk" / "storage" / "complaints" / "1" / "사진.jpg"
    data = bytearray(photo.read_bytes())
    data[100] ^= 0xFF
    photo.write_bytes(bytes(data))

    target = app_factory(SQLALCHEMY_DATABASE_URI=empty_url, ERP_STORAGE_DIR=str(tmp_path / "restored-storage"))
    result = target.test_cli_runner().invoke(args=["erp", "restore", str(tmp_path / "bk")])
    assert result.exit_code != 0
    assert ("Nothing restored: storage/complaints/1/사진.jpg is corrupted (its SHA-256 checksum does not match "
            "the manifest)") in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.session.remove()
    assert not any(files for _d, _s, files in os.walk(tmp_path / "restored-storage"))

    photo.unlink()
    missing = target.test_cli_runner().invoke(args=["erp", "restore", str(tmp_path / "bk")])
    assert "storage/complaints/1/사진.jpg is missing from the backup" in missing.output
    not_a_backup = target.test_cli_runner().invoke(args=["erp", "restore", str(tmp_path)])
    assert not_a_backup.exit_code != 0 and "is not a backup of this application" in not_a_backup.output


def test_a_backup_goes_into_a_new_folder(app, runner, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    result = runner.invoke(args=["erp", "backup", "--to", str(tmp_path / "used")])
    assert result.exit_code != 0 and "is not empty: a backup goes into a new folder" in result.output


def test_the_sqlite_file_and_the_storage_directory_are_owner_only(app_factory, tmp_path):
    from erp import create_app

    split = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new' / 'erp.sqlite'}", "TESTING": True,
                        "ERP_STORAGE_DIR": str(tmp_path / "new-storage"), "ERP_QUEUE_URL": "immediate"})
    assert split is not None
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "erp.sqlite").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "new-storage").st_mode) == 0o700


@pytest.mark.skipif(TEST_DB != "mariadb", reason="LOAD DATA LOCAL INFILE is MariaDB's")
def test_load_data_local_infile_is_refused_outside_the_bulk_loader(app, tmp_path):
    """A statement that asks the client for a local file — an injected one, say — gets nothing;
    bulk_insert's own LOAD DATA works (tests/test_common.py)."""
    secret = tmp_path / "secret.tsv"
    secret.write_text("99\tX\tleak\n")
    with app.app_context():
        connection = db.engine.connect()
        try:
            # PyMySQL refuses to send the file; the connection is then out of step and discarded.
            with pytest.raises(Exception, match="local_infile option is false"):
                connection.exec_driver_sql(f"LOAD DATA LOCAL INFILE '{secret}' INTO TABLE core_code_group (code, name)")
        finally:
            connection.invalidate()
            connection.close()
        assert not db.session.execute(sa.text("SELECT 1 FROM core_code_group WHERE name = 'leak'")).first()
        db.session.remove()
