"""Bench: what an update costs a field laptop on a metered link.

Builds the real PyInstaller bundle twice, the second time from a copy of the source
with a code-only change (a new version number and a changed module, as a fix between two
papers is), and publishes both with KNEC's release command (build/release.py: tufup's
archive and bsdiff patch). Figures:

- the patch from the first version to the second (target: at most 5 MB);
- the second version's whole archive, compressed (target: under 90 MB);
- baseline, same run: the whole archive, which is what a laptop without the previous
  version's archive downloads; the ratio says how much the patch saves. Also printed:
  the bundle on disk, how long the release command took, and how long a laptop takes to
  rebuild the archive from the patch and verify it.

Then the real thing on one "laptop": version 0.1.0 installed with its archive kept,
`cp2desk update` against a hub (`cp2hub serve`) serving the repository, then
`cp2desk run`, which installs 0.1.1 at its start and starts it to the login window. The
bench fails if the installed folder is not then the second bundle, byte for byte.

    python3 bench/update_size.py            # about 6 to 10 minutes on 2 cores
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MB = 2**20
PATCH_TARGET_MB = 5
ARCHIVE_TARGET_MB = 90
SOURCES = ("cp2desk", "cp2hub", "resources", "build/cp2desk.spec", "build/entry.py")


def build(source: Path, out: Path) -> Path:
    """The bundle of the source tree `source`, in `out/dist/cp2desk`."""
    env = dict(os.environ, PYTHONPATH=str(source))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(out / "dist"), "--workpath", str(out / "work"),
         str(source / "build" / "cp2desk.spec")],
        cwd=source, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"PyInstaller failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    print(f"built {out / 'dist' / 'cp2desk'} in {time.perf_counter() - started:.0f} s")
    return out / "dist" / "cp2desk"


def holds_the_change(out: Path) -> None:
    """Make sure the second bundle was built from the changed copy (not an installed one)."""
    from PyInstaller.archive.readers import ZlibArchiveReader

    modules = ZlibArchiveReader(str(out / "work" / "cp2desk" / "PYZ-00.pyz"))
    version = modules.extract("cp2desk").co_consts
    if "0.1.1" not in version or "FIXED_IN" not in modules.extract("cp2desk.ui.login").co_names:
        raise SystemExit("the second bundle does not hold the code change")


def code_only_change(tmp: Path) -> Path:
    """A copy of the sources whose app code differs: version 0.1.1 and one changed module."""
    source = tmp / "src-0.1.1"
    for name in SOURCES:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, target)
    init = source / "cp2desk" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "0.1.0"', '__version__ = "0.1.1"'))
    login = source / "cp2desk" / "ui" / "login.py"
    login.write_text(
        login.read_text().replace("Ask your", "Please ask your")
        + '\n\nFIXED_IN = "0.1.1"  # a fix between two papers\n'
    )
    return source


def release_tool():
    spec = importlib.util.spec_from_file_location("release", ROOT / "build" / "release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def size_on_disk(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    tool = release_tool()
    with tempfile.TemporaryDirectory(prefix="cp2-update-size-") as name:
        tmp = Path(name)
        first = build(ROOT, tmp / "0.1.0")
        second = build(code_only_change(tmp), tmp / "0.1.1")
        holds_the_change(tmp / "0.1.1")
        folder, keys = tmp / "knec", tmp / "keystore"
        logging.getLogger("tufup").setLevel(logging.ERROR)
        tool.init(folder, keys, app_root=None)
        tool.publish(folder, keys, first, "0.1.0")
        started = time.perf_counter()
        tool.publish(folder, keys, second, "0.1.1")
        publish_s = time.perf_counter() - started
        targets = folder / "repository" / "targets"
        patch = (targets / "cp2desk-0.1.1.patch").stat().st_size
        archive = (targets / "cp2desk-0.1.1.tar.gz").stat().st_size
        bundle = size_on_disk(second)
        apply_s = patched(targets)
        fetch_s, start_s = laptop_updates(first, second, folder / "repository", tmp)
    ratio = patch / archive
    print(f"bundle on disk: {bundle / MB:.0f} MB; archive {archive / MB:.1f} MB; "
          f"patch {patch:,} bytes ({ratio:.5f} of the archive)")  # fmt: skip
    print(f"release command (archive, patch, signing): {publish_s:.0f} s; "
          f"a laptop rebuilds and verifies the archive from the patch in {apply_s:.1f} s")  # fmt: skip
    print(f"a laptop with 0.1.0: `cp2desk update` downloaded, verified and staged 0.1.1 in "
          f"{fetch_s:.1f} s; its next start installed it and showed the login window of "
          f"0.1.1 in {start_s:.1f} s")  # fmt: skip
    print("RESULT " + json.dumps({
        "name": "update_size (patch)", "what": "a code-only release as a bsdiff patch",
        "figure": round(patch / MB, 3), "unit": "MB", "target": f"<= {PATCH_TARGET_MB} MB",
        "baseline": round(archive / MB, 1), "baseline_what": "the whole archive",
        "ratio": round(ratio, 5), "ok": patch <= PATCH_TARGET_MB * MB,
    }))  # fmt: skip
    print("RESULT " + json.dumps({
        "name": "update_size (archive)", "what": "the whole version, .tar.gz",
        "figure": round(archive / MB, 1), "unit": "MB", "target": f"< {ARCHIVE_TARGET_MB} MB",
        "baseline": round(bundle / MB, 1), "baseline_what": "the bundle on disk",
        "ratio": round(archive / bundle, 3), "ok": archive < ARCHIVE_TARGET_MB * MB,
    }))  # fmt: skip
    return 0


def laptop_updates(first: Path, second: Path, repository: Path, tmp: Path) -> tuple[float, float]:
    """(seconds for `cp2desk update`, seconds from `cp2desk run` to the new version's login
    window) on a laptop that has 0.1.0 installed and its archive kept."""
    from bench._common import HubProcess

    laptop = tmp / "laptop"
    installed = laptop / "cp2desk"
    shutil.copytree(first, installed, symlinks=True)
    updates = laptop / "home" / "data" / "updates"
    (updates / "metadata").mkdir(parents=True)
    (updates / "targets").mkdir()
    shutil.copyfile(repository / "metadata" / "root.json", updates / "metadata" / "root.json")
    archive = "cp2desk-0.1.0.tar.gz"
    shutil.copyfile(repository / "targets" / archive, updates / "targets" / archive)
    env = dict(os.environ, CP2DESK_HOME=str(laptop / "home"), QT_QPA_PLATFORM="offscreen")
    env["CP2DESK_SMOKE"] = "1"
    program = str(installed / "cp2desk")
    settings = {"UPDATES_DIR": str(repository)}
    with HubProcess(f"sqlite:///{laptop / 'hub.sqlite3'}", laptop / "hub.log", 1, settings) as hub:
        started = time.perf_counter()
        done = subprocess.run(
            [program, "update", "--hub", hub.url], env=env, capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip
        fetch_s = time.perf_counter() - started
    if done.returncode != 0 or "Version 0.1.1 is ready" not in done.stdout:
        raise SystemExit(f"cp2desk update failed:\n{done.stdout}\n{done.stderr}")
    started = time.perf_counter()
    run = subprocess.Popen(
        [program, "run", "--exit-after", "2"], env=env, stderr=subprocess.PIPE, text=True
    )
    shown = None
    for line in run.stderr:
        if "login window shown" in line and shown is None:
            shown = time.perf_counter() - started
    run.wait(60)
    if run.returncode != 0 or shown is None:
        raise SystemExit(f"the updated bundle did not start (exit {run.returncode})")
    if not same_files(installed, second):
        raise SystemExit("the installed folder is not the second bundle")
    return fetch_s, shown


def same_files(a: Path, b: Path) -> bool:
    """Whether every regular file of `b` is in `a` with the same bytes."""
    for path in b.rglob("*"):
        if path.is_file() and not path.is_symlink():
            twin = a / path.relative_to(b)
            if not twin.is_file() or twin.read_bytes() != path.read_bytes():
                print(f"differs: {path.relative_to(b)}")
                return False
    return True


def patched(targets: Path) -> float:
    """Seconds for what a laptop does with the patch: rebuild and verify the new archive."""
    from tufup.common import Patcher, TargetMeta

    from cp2desk.update import tuf_client  # noqa: F401  (tufup imports as on a laptop)

    metadata = json.loads((targets.parent / "metadata" / "targets.json").read_text())
    custom = metadata["signed"]["targets"]["cp2desk-0.1.1.patch"]["custom"]
    patch = TargetMeta(target_path="cp2desk-0.1.1.patch", custom=custom)
    started = time.perf_counter()
    Patcher.patch_and_verify(
        src_path=targets / "cp2desk-0.1.0.tar.gz",
        dst_path=targets.parent / "rebuilt-0.1.1.tar.gz",
        patch_targets={patch: targets / "cp2desk-0.1.1.patch"},
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
