"""Real-browser fixtures: the app served by werkzeug in a thread on a random port, over a
temporary SQLite database (and over PostgreSQL too when TEST_DATABASE_URL is set) with the
demo district, driven by the system Chromium through pytest-playwright (no browser
download: /usr/bin/chromium)."""
from __future__ import annotations

import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PG_URL = os.environ.get("TEST_DATABASE_URL")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last: Playwright's sync API keeps an asyncio
    loop running in the main thread for the rest of the session (pytest-playwright's
    session-scoped fixtures), which breaks later code that calls asyncio.run()."""
    here = Path(__file__).parent
    ours, others = [], []
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}"))
            ours.append(item)
        else:
            others.append(item)
    items[:] = others + ours


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 900}}


def _in_thread(fn, *args):
    """Run fn in a fresh thread: Playwright's sync API keeps an asyncio loop running in
    the main thread, and code that calls asyncio.run() (PDF signing) must not see it."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def _live_pg_url() -> str:
    """A database of its own for the served app (`<name>_live`, per xdist worker), emptied:
    the other tests wipe theirs between tests, the browser tests keep theirs per module."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from engine.db import make_engine
    base = make_url(PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{base.database}_live{('_' + worker) if worker not in ('', 'master') else ''}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if not c.scalar(text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": name}):
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = base.set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    with eng.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()
    return url


@pytest.fixture(scope="module", params=[
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")]),
])
def live_app(request, tmp_path_factory):
    """The application with the demo district, CSRF on, over a fresh SQLite database and,
    when TEST_DATABASE_URL is set, over PostgreSQL too."""
    from engine.db import upgrade
    from web import create_app
    from web.db import get_session
    from web.demo import load_demo

    root = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{root / 'live.db'}" if request.param == "sqlite" else _live_pg_url()
    upgrade(url)
    app = create_app({
        "TESTING": False, "DATABASE_URL": url, "SECRET_KEY": "browser-tests-secret-key",
        "WTF_CSRF_ENABLED": True, "PUBLIC_URL": "http://127.0.0.1:5000",
        "INSTANCE_PATH": str(root),
    })

    def demo():
        with app.app_context():
            load_demo(get_session())
    _in_thread(demo)
    return app


@pytest.fixture(scope="module")
def live_url(live_app):
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def arrange(live_app):
    """arrange(fn): run fn(session) against the live database (in its own thread, with
    an app context) to set up cases through the engine; returns fn's result."""
    def run(fn):
        def work():
            with live_app.app_context():
                from web.db import get_session
                return fn(get_session())
        return _in_thread(work)
    return run


@pytest.fixture
def shot():
    """shot(page, name): a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return take
