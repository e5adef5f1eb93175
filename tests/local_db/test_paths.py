"""Where the app keeps its files: OS folders by default, one folder under CP2DESK_HOME."""

from __future__ import annotations

from pathlib import Path

from cp2desk import paths


def test_cp2desk_home_holds_everything(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path))
    assert paths.data_dir() == tmp_path / "data"
    assert paths.log_dir() == tmp_path / "logs"
    assert paths.replica_path("http://127.0.0.1:8765", "254711000001") == (
        tmp_path / "data" / "replicas" / "127.0.0.1_8765-254711000001.sqlite3"
    )


def test_without_cp2desk_home_the_os_folders_are_used(monkeypatch):
    monkeypatch.delenv("CP2DESK_HOME", raising=False)
    assert "cp2desk" in str(paths.data_dir())
    assert paths.replicas_dir().parent == paths.data_dir()


def test_replica_names_are_one_per_hub_and_user_and_safe(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("CP2DESK_HOME", str(tmp_path))
    live = paths.replica_path("https://user:secret@Hub.KNEC.ac.ke/api", "254711000001")
    training = paths.replica_path("https://training.knec.ac.ke", "254711000001")
    other_user = paths.replica_path("https://hub.knec.ac.ke", "254711000002")
    assert live.name == "hub.knec.ac.ke-254711000001.sqlite3"  # no credentials in names
    assert len({live, training, other_user}) == 3
    odd = paths.replica_path("hub:8000", "../../etc/passwd")
    assert odd.parent == paths.replicas_dir()
    assert "/" not in odd.name and ":" not in odd.name
