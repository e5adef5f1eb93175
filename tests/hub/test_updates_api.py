"""`/updates/metadata/...` and `/updates/targets/...` of a real hub over HTTP, on SQLite
and PostgreSQL: the release repository's files, read-only, without a token, in ranges;
nothing outside the repository's two folders, whatever the path says."""

from __future__ import annotations

import httpx
import pytest

from cp2hub.settings import Settings
from tests.sync.conftest import HubServer

ARCHIVE = b"\x1f\x8b" + bytes(range(256)) * 40


@pytest.fixture
def repository(tmp_path):
    root = tmp_path / "release" / "repository"
    (root / "metadata").mkdir(parents=True)
    (root / "targets").mkdir()
    (root / "metadata" / "timestamp.json").write_text('{"signed": {}}')
    (root / "targets" / "cp2desk-1.1.tar.gz").write_bytes(ARCHIVE)
    (tmp_path / "release" / ".tufup-repo-config").write_text('{"keys_dir": "/secret"}')
    (tmp_path / "outside.json").write_text("{}")
    (root / "metadata" / "link.json").symlink_to(tmp_path / "outside.json")
    return root


@pytest.fixture
def served(hub_database, repository):
    with HubServer(hub_database, Settings(updates_dir=str(repository))) as server:
        yield server


def get(server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers=headers, timeout=10)


def test_metadata_and_archives_are_served_without_a_token(served):
    metadata = get(served, "/updates/metadata/timestamp.json")
    assert metadata.status_code == 200
    assert metadata.json() == {"signed": {}}
    assert metadata.headers["cache-control"] == "no-cache"
    archive = get(served, "/updates/targets/cp2desk-1.1.tar.gz")
    assert archive.status_code == 200
    assert archive.content == ARCHIVE
    assert archive.headers["content-type"] == "application/gzip"
    assert archive.headers["accept-ranges"] == "bytes"


def test_a_cut_download_can_carry_on_from_where_it_stopped(served):
    rest = get(served, "/updates/targets/cp2desk-1.1.tar.gz", Range="bytes=5000-")
    assert rest.status_code == 206
    assert rest.content == ARCHIVE[5000:]
    assert rest.headers["content-range"] == f"bytes 5000-{len(ARCHIVE) - 1}/{len(ARCHIVE)}"


@pytest.mark.parametrize(
    "path",
    [
        "/updates/metadata/..%2F.tufup-repo-config",
        "/updates/metadata/%2e%2e",
        "/updates/metadata/.tufup-repo-config",
        "/updates/targets/..",
        "/updates/metadata/link.json",  # a link out of the repository
        "/updates/metadata/missing.json",
        "/updates/targets/timestamp.json",  # metadata is not a target
        "/updates/targets/%00cp2desk-1.1.tar.gz",
    ],
)
def test_nothing_outside_the_two_folders_is_served(served, path):
    answer = get(served, path)
    assert answer.status_code == 404, answer.text
    assert "secret" not in answer.text
    assert answer.json()["code"] == "not_found"


def test_a_name_with_a_line_ending_is_no_file_name(served, repository):
    """`$` also matches before a final newline: the whole name must be a plain file name."""
    (repository / "metadata" / "timestamp.json\n").write_text('{"odd": 1}')
    answer = get(served, "/updates/metadata/timestamp.json%0A")
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "not_found"


def test_another_folder_is_no_part_of_the_repository(served):
    answer = get(served, "/updates/keys/root")
    assert answer.status_code == 422
    assert "secret" not in answer.text


def test_a_hub_without_a_repository_says_it_publishes_no_updates(hub_database):
    with HubServer(hub_database, Settings()) as server:
        answer = get(server, "/updates/metadata/timestamp.json")
    assert answer.status_code == 404
    assert answer.json() == {
        "code": "not_found",
        "message": "This hub publishes no updates of CP2 Desk.",
    }


def test_update_requests_are_counted_by_route(served):
    get(served, "/updates/metadata/timestamp.json")
    get(served, "/updates/metadata/missing.json")
    scraped = get(served, "/metrics").text
    assert 'route="/updates/{area}/{name}",status="200"' in scraped
    assert 'route="/updates/{area}/{name}",status="404"' in scraped
