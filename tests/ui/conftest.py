"""pytest-qt offscreen, a real replica holding the demo centre, and screenshots.

QT_QPA_PLATFORM is set before anything imports Qt, so the tests run headless.
Screenshots of every screen go to artifacts/screenshots/ (git-ignored) at 1366x768.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtGui import QColor, QPainter  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cp2desk.local_db.replica import Replica  # noqa: E402
from cp2desk.ui import theme  # noqa: E402
from cp2desk.ui.context import DeskContext  # noqa: E402
from cp2desk.ui.operation import OperationRunner  # noqa: E402
from tests.services.fixtures import NOW, DemoCentre, build_centre  # noqa: E402

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SCREEN = (1366, 768)


@pytest.fixture(autouse=True)
def styled(qapp):
    theme.apply(qapp)
    return qapp


@pytest.fixture(autouse=True)
def collect_between_tests():
    """As in the app (cp2desk.ui.collector): no automatic garbage collection while
    operations may be running; the main thread collects once the test is over."""
    gc.disable()
    yield
    gc.collect()
    gc.enable()


@pytest.fixture
def replica(tmp_path: Path):
    found = Replica(tmp_path / "replica.sqlite3")
    yield found
    found.dispose()


@pytest.fixture
def centre(replica: Replica) -> DemoCentre:
    return build_centre(replica)


@pytest.fixture
def clock():
    """The moment the app believes it is; tests move it to stand elsewhere in the timetable."""
    return {"now": NOW}


@pytest.fixture
def context(replica, centre, clock):
    runner = OperationRunner(1)
    found = DeskContext(
        replica,
        centre.user_id,
        runner,
        display_name="Grace Wanjiru Mwangi",
        now=lambda: clock["now"],
    )
    yield found
    runner.wait()


@pytest.fixture
def settle(qtbot, context):
    """Wait until queued operations have run and their callbacks have been delivered."""

    def wait(runner: OperationRunner | None = None, timeout: int = 5000) -> None:
        runner = runner or context.runner
        qtbot.waitUntil(lambda: not runner.busy, timeout=timeout)

    return wait


@pytest.fixture
def shoot(qtbot):
    """Save a screenshot of a widget at laptop size (1366x768), after pending paints."""

    def save(widget, name: str, dialog=None) -> Path:
        """`dialog`, a separate top-level window, is painted centred over `widget`."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if (widget.width(), widget.height()) != SCREEN:
            widget.resize(*SCREEN)
        widget.show()
        qtbot.wait(60)
        image = widget.grab()
        if dialog is not None:
            dialog.adjustSize()
            shot = dialog.grab()
            painter = QPainter(image)
            painter.fillRect(image.rect(), QColor(15, 23, 42, 90))
            painter.drawPixmap(
                (image.width() - shot.width()) // 2, (image.height() - shot.height()) // 3, shot
            )
            painter.end()
        path = SCREENSHOTS / f"{name}.png"
        assert image.save(str(path))
        return path

    return save


@pytest.fixture
def desk_home(tmp_path, monkeypatch, test_keyring):
    """The desk's own folder and a real keyring, both in the test's temporary folder."""
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path / "desk"))
    return tmp_path


@pytest.fixture
def hub(tmp_path):
    """The embedded demo hub (modules with a world of their own override this)."""
    from cp2desk.embedded_hub import EmbeddedHub

    found = EmbeddedHub(tmp_path / "hub")
    found.start()
    yield found
    found.stop()


@pytest.fixture
def network(hub):
    """Between desk and hub: passes everything until `cut()` (or `enabled = True`), drops
    everything after, until `restore()`."""
    from tests.sync.proxy import FaultProxy

    proxy = FaultProxy(hub.url, weights={"drop": 1})
    proxy.enabled = False
    proxy.cut = lambda: setattr(proxy, "enabled", True)
    proxy.restore = lambda: setattr(proxy, "enabled", False)
    with proxy:
        yield proxy
