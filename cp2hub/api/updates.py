"""CP2 Desk's updates, served read-only from the release repository KNEC publishes.

The folder `CP2HUB_UPDATES_DIR` holds a TUF repository made by `build/release.py`:
`metadata/` (root, targets, snapshot and timestamp, signed with KNEC's keys) and
`targets/` (the app's archives and patches). The hub only hands its files out; the app
checks every signature, length and hash itself (`cp2desk.update`), so a hub, a proxy or
a disk that changes a byte cannot make a device run it.

No token and no protocol check (docs/decisions.md, "Updates"): the metadata is signed
and the archives hold nothing secret, and the devices that need an update most are the
ones the hub no longer lets in (too old, or signed out). The request gate, the request
log and the metrics count these routes as every other. Archives are answered in ranges
when asked (`Range:`), so a download cut halfway can carry on where it stopped.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from cp2hub.api.answers import problems
from cp2hub.api.deps import AppSettings
from cp2hub.errors import HubError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/updates", tags=["updates"])

FILE_NAME = r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}"
"""A file of the repository: a plain name, never a folder, `..` or a hidden file; the
whole name (`fullmatch`: `$` would let a final newline through)."""
FILE_PATTERN = re.compile(FILE_NAME)
CACHING = {
    # Metadata says what is current: a proxy may keep it only if it asks again each time.
    "metadata": "no-cache",
    # An archive's name carries its version and its hash is in the signed metadata.
    "targets": "public, max-age=86400",
}
TYPES = {".json": "application/json", ".gz": "application/gzip"}


class NoSuchUpdateFile(HubError):
    status = 404
    code = "not_found"


@router.get(
    "/{area}/{name}",
    responses=problems(404),
    summary="A file of CP2 Desk's update repository (signed metadata, archives, patches)",
    response_class=FileResponse,
)
def update_file(
    area: Literal["metadata", "targets"],
    name: Annotated[str, PathParam(max_length=200)],
    settings: AppSettings,
) -> FileResponse:
    if not settings.updates_dir:
        raise NoSuchUpdateFile("This hub publishes no updates of CP2 Desk.")
    path = _file(Path(settings.updates_dir), area, name)
    if path is None:
        raise NoSuchUpdateFile(f"No update file {name!r} in {area}.")
    media_type = TYPES.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": CACHING[area]})


def _file(root: Path, area: str, name: str) -> Path | None:
    """The file `name` directly inside `root/area`, or None: a name that is not a plain
    file name, or that resolves (through a link) anywhere else, is no file of ours."""
    if not FILE_PATTERN.fullmatch(name):
        return None
    folder = (root / area).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path
