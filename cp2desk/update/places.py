"""Where the updater keeps its files on this computer, apart from the installed app.

Under the app's data folder (`cp2desk.paths.data_dir`, platformdirs or CP2DESK_HOME),
beside the replicas and never inside them:

- `metadata/`: the TUF metadata this device trusts (first the shipped `root.json`);
- `targets/`: downloaded archives and patches; the installed version's archive stays,
  so the next update can come as a patch from it;
- `incoming/`: a new version being unpacked;
- `staged/`: a version unpacked, verified and waiting for the next start
  (`staged/ready.json` names it and is written last).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from cp2desk import paths

SHIPPED_ROOT = Path(__file__).resolve().parent / "root.json"
"""KNEC's root metadata, shipped with the app (`build/release.py init` writes it)."""


@dataclass(frozen=True)
class UpdatePlaces:
    folder: Path

    @classmethod
    def default(cls) -> UpdatePlaces:
        return cls(paths.data_dir() / "updates")

    @property
    def metadata(self) -> Path:
        return self.folder / "metadata"

    @property
    def targets(self) -> Path:
        return self.folder / "targets"

    @property
    def incoming(self) -> Path:
        return self.folder / "incoming"

    @property
    def staged(self) -> Path:
        return self.folder / "staged"

    @property
    def ready(self) -> Path:
        """Written last when a version is staged: `{"version": "1.4.0"}`."""
        return self.folder / "staged" / "ready.json"

    @property
    def next_version(self) -> Path:
        """The staged version's files, laid out like the installed app's folder."""
        return self.folder / "staged" / "next"


def installed_app_dir() -> Path | None:
    """The folder of the one-folder bundle this process runs from; None when not run from
    one: a development checkout is updated with git, and a macOS `.app` (laid out
    differently from the one-folder archive the repository holds) is replaced whole."""
    if not getattr(sys, "frozen", False):
        return None
    folder = Path(sys.executable).resolve().parent
    if folder.parent.name == "Contents" and folder.parent.parent.suffix == ".app":
        return None
    return folder
