"""What the browser tests share: Debian's Chromium for Playwright, the app served on a free
port (SQLite), signing in, and an action asked twice."""
import os
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_CONFIG, sqlite_copy
from tinnhiem import create_app

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.exit(f"{CHROMIUM} not found: install Debian's chromium (make test does)", 2)
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync"]}


@contextmanager
def served(request, name="live"):
    """The app on a copy of the migrated SQLite template, served on a free port while inside."""
    path = sqlite_copy(request, name)
    # Stylesheets and scripts cached by each browser context, as behind the production proxy:
    # otherwise every page load asks for all three again (304s through the one dev server).
    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "SEND_FILE_MAX_AGE_DEFAULT": 3600,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop's next look at its flag: 0.5 s at the default interval.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def live(request):
    with served(request) as served_app:
        yield served_app


def confirm(page, label):
    """An action asked twice (#15, finding 3): its first button only unfolds the second."""
    page.locator("summary", has_text=label).click()
    page.get_by_role("button", name=f"Xác nhận {label[0].lower()}{label[1:]}").click()


def sign_in(page, base, username, password):
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
