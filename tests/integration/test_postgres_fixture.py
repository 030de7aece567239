"""The PostgreSQL test fixture never skips silently: no server binaries is a failure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NEEDS_SERVER = '''
from tests.postgres_server import postgres_server  # noqa: F401

def test_needs_the_server(postgres_server):
    assert postgres_server.port
'''


FAILS_WITH_THE_SERVER_UP = '''
from tests.postgres_server import postgres_server  # noqa: F401

def test_fails_while_the_server_runs(postgres_server):
    pid = (postgres_server.data / "postmaster.pid").read_text().split()[0]
    print(f"ROOT={postgres_server.root} PID={pid}")
    raise AssertionError("failing on purpose")
'''


def run_pytest(
    tmp_path: Path, source: str = NEEDS_SERVER, **env: str
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_needs_server.py").write_text(source)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ECHOTUNER_")}
    environ.update({"PYTHONPATH": str(ROOT), **env})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(tmp_path), "-c", os.devnull, "-rA", str(tmp_path / "test_needs_server.py")],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120,
    )


def test_missing_postgres_binaries_fail_the_tests_with_instructions(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, ECHOTUNER_POSTGRES_BINDIR=str(tmp_path / "nowhere"))
    assert done.returncode == 1, done.stdout
    assert "1 error" in done.stdout and "skipped" not in done.stdout
    assert "apt-get install -y postgresql" in done.stdout
    assert "ECHOTUNER_SKIP_POSTGRES=1" in done.stdout


def test_missing_binaries_are_skipped_only_when_asked_to(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path, ECHOTUNER_POSTGRES_BINDIR=str(tmp_path / "nowhere"), ECHOTUNER_SKIP_POSTGRES="1"
    )
    assert done.returncode == 0, done.stdout
    assert "1 skipped" in done.stdout and "ECHOTUNER_SKIP_POSTGRES=1" in done.stdout


def test_the_server_is_stopped_and_removed_even_when_a_test_fails(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, FAILS_WITH_THE_SERVER_UP)
    assert done.returncode == 1 and "failing on purpose" in done.stdout
    found = re.search(r"ROOT=(\S+) PID=(\d+)", done.stdout)
    assert found, done.stdout
    assert not Path(found.group(1)).exists()
    assert not running(int(found.group(2)))


def running(pid: int) -> bool:
    """Whether a process runs; an exited one its new parent has not reaped yet does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}
