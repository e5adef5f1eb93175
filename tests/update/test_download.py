"""A laptop updates from a real hub over HTTP: by patch, or by the whole archive; and
refuses a tampered archive or patch, a wrong signature, expired metadata, a download cut
halfway and a full disk, each with its own message, leaving the installed app as it was
and nothing half-downloaded behind."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cp2desk.update.errors import (
    NoSpaceForUpdate,
    UpdateDamaged,
    UpdateInterrupted,
    UpdatesUnavailable,
    UpdateUnverified,
)
from cp2desk.update.install import install_staged
from tests.sync.proxy import FaultProxy
from tests.update.conftest import ROOT, release_tool, same_files

PATCH = "cp2desk-1.1.patch"
ARCHIVE = "cp2desk-1.1.tar.gz"


def downloaded(laptop, hub_url: str) -> tuple[str | None, list[int]]:
    seen: list[int] = []
    version = laptop.updater(hub_url).fetch(lambda done, _expected: seen.append(done))
    return version, seen


def assert_untouched(laptop, release) -> None:
    """The installed app is still version 1.0 and nothing is staged."""
    assert same_files(laptop.app_dir, release.first)
    assert not laptop.places.ready.exists()
    assert laptop.updater("http://unused").staged_version() is None


def test_a_code_only_release_arrives_as_a_patch_and_installs_at_the_next_start(
    hub, release, laptop
):
    laptop.keep_archive(release)
    version, seen = downloaded(laptop, hub.url)
    targets = release.repository / "targets"
    patch, archive = (targets / PATCH).stat().st_size, (targets / ARCHIVE).stat().st_size
    assert version == "1.1"
    assert seen and seen[-1] == patch, "the patch was downloaded, not the archive"
    assert patch < archive / 20, (patch, archive)
    # staged, not installed: the running app is untouched until the next start
    assert json.loads(laptop.places.ready.read_text()) == {"version": "1.1"}
    assert same_files(laptop.app_dir, release.first)
    assert laptop.updater(hub.url).fetch() == "1.1"  # already staged: nothing downloaded again
    assert install_staged(laptop.places, laptop.app_dir, "1.0") == "1.1"
    assert same_files(laptop.app_dir, release.second)
    assert not laptop.places.staged.exists()
    assert (laptop.places.targets / ARCHIVE).exists(), "kept for the next patch"
    assert not (laptop.places.targets / PATCH).exists()


def test_a_device_without_the_previous_archive_downloads_the_whole_version(hub, release, laptop):
    version, seen = downloaded(laptop, hub.url)
    assert version == "1.1"
    assert seen[-1] == (release.repository / "targets" / ARCHIVE).stat().st_size
    assert install_staged(laptop.places, laptop.app_dir, "1.0") == "1.1"
    assert same_files(laptop.app_dir, release.second)


def test_the_newest_version_finds_nothing_to_do(hub, laptop):
    updater = laptop.updater(hub.url)
    updater.current_version = "1.1"
    assert updater.fetch() is None
    assert not laptop.places.ready.exists()


@pytest.mark.parametrize("name", [PATCH, ARCHIVE])
def test_a_tampered_file_is_refused_and_a_good_one_then_installs(hub, release, laptop, name):
    laptop.keep_archive(release)
    target = release.repository / "targets" / name
    good = target.read_bytes()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0xFF
    target.write_bytes(bytes(bad))
    if name == ARCHIVE:  # a laptop with no previous archive takes the archive
        (laptop.places.targets / "cp2desk-1.0.tar.gz").unlink()
    with pytest.raises(UpdateDamaged, match="not what KNEC signed") as refused:
        laptop.updater(hub.url).fetch()
    assert "keeps working" in refused.value.message
    assert_untouched(laptop, release)
    assert not (laptop.places.targets / name).exists(), "the tampered file was thrown away"
    target.write_bytes(good)
    assert laptop.updater(hub.url).fetch() == "1.1"


def test_a_wrong_signature_is_refused(hub, release, laptop):
    timestamp = release.repository / "metadata" / "timestamp.json"
    signed = json.loads(timestamp.read_text())
    signature = signed["signatures"][0]["sig"]
    signed["signatures"][0]["sig"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    timestamp.write_text(json.dumps(signed))
    with pytest.raises(UpdateUnverified, match="does not carry KNEC's valid signature"):
        laptop.updater(hub.url).fetch()
    assert_untouched(laptop, release)


def test_metadata_signed_by_other_keys_is_refused(hub, release, laptop, tmp_path):
    """An attacker's own repository, served in place of KNEC's."""
    tool = release_tool()
    other = tmp_path / "other"
    tool.init(other, tmp_path / "other-keys", app_root=None)
    tool.publish(other, tmp_path / "other-keys", release.second, "1.1")
    metadata = release.repository / "metadata"
    for name in ("timestamp.json", "snapshot.json", "targets.json"):
        (metadata / name).write_bytes((other / "repository" / "metadata" / name).read_bytes())
    with pytest.raises(UpdateUnverified):
        laptop.updater(hub.url).fetch()
    assert_untouched(laptop, release)


def test_expired_metadata_is_refused(hub, release, laptop):
    release_tool().refresh(release.folder, release.keys, days={"timestamp": -1})
    with pytest.raises(UpdateUnverified, match="expired"):
        laptop.updater(hub.url).fetch()
    assert_untouched(laptop, release)


def test_a_download_cut_halfway_is_refused_and_the_next_check_starts_again(hub, release, laptop):
    with FaultProxy(hub.url, weights={"pass": 1}) as proxy:
        # 2.root.json (none yet), timestamp, snapshot, targets, then the archive: cut
        proxy.force("pass", "pass", "pass", "pass", "cut")
        with pytest.raises((UpdateInterrupted, UpdateDamaged)) as refused:
            laptop.updater(proxy.url).fetch()
        assert proxy.stats["cut"] == 1
        assert "keeps working" in refused.value.message
        assert_untouched(laptop, release)
        assert not (laptop.places.targets / ARCHIVE).exists(), "no partial archive kept"
        assert laptop.updater(proxy.url).fetch() == "1.1"


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB file system for the laptop's update folder (tmpfs; the tests run as root)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    assert done.returncode == 0, f"cannot mount a tmpfs: {done.stderr.decode()}"
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_refused_with_what_to_do(hub, release, laptop, tiny_disk):
    laptop.places = type(laptop.places)(tiny_disk / "updates")
    with pytest.raises(NoSpaceForUpdate, match="Not enough free disk space"):
        laptop.updater(hub.url).fetch()
    assert_untouched(laptop, release)
    leftovers = [p for p in tiny_disk.rglob("*") if p.is_file() and p.parent.name != "metadata"]
    assert leftovers == [], "nothing half-written is left on the full disk"


def test_a_full_disk_while_installing_leaves_the_installed_app_as_it_was(
    hub, release, laptop, tiny_disk
):
    assert laptop.updater(hub.url).fetch() == "1.1"
    small = tiny_disk / "cp2desk"
    small.mkdir()
    (small / "cp2desk").write_bytes(b"old program")
    assert install_staged(laptop.places, small, "1.0") is None
    assert [p.name for p in small.iterdir()] == ["cp2desk"]
    assert (small / "cp2desk").read_bytes() == b"old program"
    assert laptop.places.ready.exists(), "still staged for the next start"


def test_a_hub_without_updates_says_so(laptop, tmp_path):
    from cp2hub.settings import Settings
    from tests.sync.conftest import HubServer, migrated_database

    with (
        migrated_database("sqlite", tmp_path) as db,
        HubServer(db, Settings()) as bare,
        pytest.raises(UpdatesUnavailable, match="publishes no updates"),
    ):
        laptop.updater(bare.url).fetch()


BUNDLE_LIKE = """
import sys
sys.modules["nacl"] = None  # left out of the bundle (build/cp2desk.spec), as is setuptools
sys.modules["setuptools"] = None
from pathlib import Path
from cp2desk.update.download import Updater
from cp2desk.update.places import UpdatePlaces
updater = Updater(sys.argv[1], "1.0", UpdatePlaces(Path(sys.argv[2])), Path(sys.argv[3]))
print(updater.fetch())
"""


def test_the_updater_needs_nothing_the_bundle_leaves_out(hub, laptop):
    done = subprocess.run(
        [sys.executable, "-c", BUNDLE_LIKE, hub.url, str(laptop.places.folder), str(laptop.root)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.1"


def test_a_build_without_root_metadata_cannot_check(hub, laptop, tmp_path):
    laptop.root = tmp_path / "no-root.json"
    with pytest.raises(UpdatesUnavailable, match="without KNEC's update keys"):
        laptop.updater(hub.url).fetch()
    assert not Path(laptop.places.metadata / "root.json").exists()


def test_a_patch_that_does_not_fit_the_kept_archive_falls_back_to_the_whole_version(
    hub, release, laptop
):
    laptop.keep_archive(release)
    kept = laptop.places.targets / "cp2desk-1.0.tar.gz"
    kept.write_bytes(damaged_archive(release, laptop))
    with pytest.raises(UpdateDamaged, match="could not be put together from the patch"):
        laptop.updater(hub.url).fetch()
    assert_untouched(laptop, release)
    version, seen = downloaded(laptop, hub.url)
    assert version == "1.1"
    assert seen[-1] == (release.repository / "targets" / ARCHIVE).stat().st_size
    assert install_staged(laptop.places, laptop.app_dir, "1.0") == "1.1"
    assert same_files(laptop.app_dir, release.second)


def damaged_archive(release, laptop) -> bytes:
    """A kept 1.0 archive whose content differs from the published one (a disk error)."""
    import tarfile

    folder = laptop.places.folder.parent / "damaged"
    shutil.copytree(release.first, folder)
    (folder / "_internal" / "base_library.zip").write_bytes(b"damaged")
    target = laptop.places.folder.parent / "damaged.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(folder, arcname=".")
    return target.read_bytes()


def test_cp2desk_update_from_a_terminal(hub, laptop, tmp_path):
    """`cp2desk update --hub URL`: the device's trusted root is already in its metadata
    folder (as after its first check), so the development package needs none shipped."""
    home = tmp_path / "desk"
    metadata = home / "data" / "updates" / "metadata"
    metadata.mkdir(parents=True)
    shutil.copyfile(laptop.root, metadata / "root.json")
    env = dict(os.environ, PYTHONPATH=str(ROOT), CP2DESK_HOME=str(home))
    command = [sys.executable, "-m", "cp2desk.cli", "update", "--hub", hub.url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "Version 1.1 is ready: it is installed when CP2 Desk next starts." in done.stdout
    assert json.loads((home / "data" / "updates" / "staged" / "ready.json").read_text()) == {
        "version": "1.1"
    }
    (metadata.parent / "staged").rename(metadata.parent / "installed")  # as if installed
    bad = subprocess.run(
        [*command[:-1], "http://127.0.0.1:9"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 1
    assert "Update failed: The update's download was cut off or the hub could not be reached" in (
        bad.stderr
    )
