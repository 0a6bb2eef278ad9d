"""Small builders shared by the tests."""
from erp.plugins import Manifest


def manifest_named(name, depends=()):
    return Manifest(name=name, version="1", summary=name, depends=tuple(depends))


def gunicorn_settings() -> dict:
    """The deployment's gunicorn settings (deploy/gunicorn.conf.py), read without keeping what
    the file does to the environment: it turns on prometheus-client's multiprocess mode for the
    server it configures, which would change how this test process counts requests."""
    import os
    import runpy
    from pathlib import Path

    saved = dict(os.environ)
    try:
        return runpy.run_path(str(Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def race_on_payments(app, monkeypatch, first, second, pause_after: str = "paid_sums", repo=None):
    """Run ``first`` and, once it has read what the bills were paid (or the customer's credit:
    ``pause_after="credit_of"``; or another read of ``repo``, the payments repository by default)
    and before it writes, run ``second`` beside it, each in a request of its own: two writers of
    the same money at the same moment (rates). Returns the errors raised."""
    import threading
    import time

    from plugins.rates.repositories import payments as payment_repo

    repo = repo or payment_repo
    has_read, errors = threading.Event(), []
    read = getattr(repo, pause_after)

    def slow_read(*args, **kwargs):
        found = read(*args, **kwargs)
        if not has_read.is_set():
            has_read.set()
            time.sleep(1.5)  # the other writer acts meanwhile
        return found

    monkeypatch.setattr(repo, pause_after, slow_read)

    def run(work, wait):
        if wait:
            has_read.wait(timeout=30)
        with app.test_request_context():
            try:
                work()
            except Exception as error:  # reported to the test
                errors.append(error)

    threads = [threading.Thread(target=run, args=(first, False), daemon=True),
               threading.Thread(target=run, args=(second, True), daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert has_read.is_set() and not any(thread.is_alive() for thread in threads), f"the two writers did not both finish: {errors}"
    return errors

