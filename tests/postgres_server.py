"""A real PostgreSQL server for the tests, started once per test session.

The server runs from the machine's PostgreSQL binaries (Debian's
``/usr/lib/postgresql/NN/bin``, or wherever ``pg_config --bindir`` or ``PATH``
points), on 127.0.0.1 and a free port, with its data directory in a fresh
temporary directory.  PostgreSQL refuses to run as root, so when the tests run
as root (sessions and CI do) every server command runs as the unprivileged
``postgres`` user through ``runuser``.  Durability is switched off
(``fsync=off``): the data is thrown away anyway, and it makes tests faster.

Each test that asks for ``postgres_dsn`` gets a database of its own, owned by
an ordinary (non-superuser) role with a password, like a real deployment, and
dropped after the test.

Missing binaries fail the tests that need them with a message saying how to
install PostgreSQL, unless ``ECHOTUNER_SKIP_POSTGRES=1`` is set, which skips
them on purpose.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

__all__ = [
    "PostgresServer",
    "find_postgres_bindir",
    "postgres_dsn",
    "postgres_schema_dsn",
    "postgres_server",
]

SKIP_VARIABLE = "ECHOTUNER_SKIP_POSTGRES"
BINDIR_VARIABLE = "ECHOTUNER_POSTGRES_BINDIR"
APP_ROLE = "echotuner"
APP_PASSWORD = "app-" + secrets.token_hex(8)
SUPERUSER_PASSWORD = "admin-" + secrets.token_hex(8)

MISSING_MESSAGE = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin, "
    f"`pg_config --bindir`, PATH or {BINDIR_VARIABLE}. The store tests run against a real "
    "PostgreSQL server: install it (Debian/Ubuntu: apt-get install -y postgresql; "
    ".ci/run does this by itself), "
    f"or set {SKIP_VARIABLE}=1 to skip the PostgreSQL tests deliberately."
)


def find_postgres_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first; None if absent.

    ``ECHOTUNER_POSTGRES_BINDIR`` names the folder explicitly (and is then the only
    place looked at), for installations outside the usual paths.
    """
    chosen = os.environ.get(BINDIR_VARIABLE)
    if chosen:
        folder = Path(chosen)
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    candidates: list[Path] = []
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=False
        )
        if done.returncode == 0 and done.stdout.strip():
            candidates.append(Path(done.stdout.strip()))

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    candidates += [
        Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    ]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One throw-away PostgreSQL cluster: ``start()``, ``restart()``, ``stop()``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.host = "127.0.0.1"
        self.port = _free_port()
        # tempfile's default folder (/tmp) is traversable by every user; pytest's own
        # tmp_path (0700, owned by root) would not be readable by "postgres".
        self.root = Path(tempfile.mkdtemp(prefix="echotuner-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._run_as: list[str] = []
        self._databases = itertools.count(1)
        self._shared_database: str | None = None
        self._running = False
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                self.cleanup()
                raise RuntimeError(
                    "the tests run as root and PostgreSQL refuses to; create an unprivileged "
                    "'postgres' user (the Debian package does) or run the tests as another user"
                ) from None
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]

    # --- commands -------------------------------------------------------------------

    def _command(self, tool: str, *args: str, timeout: float = 60) -> None:
        done = subprocess.run(
            [*self._run_as, str(self.bindir / tool), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}\n--- server log ---\n{log}"
            )

    def start(self) -> None:
        """Creates the cluster and starts the server (waits until it accepts connections)."""
        password_file = self.root / "superuser-password"
        password_file.write_text(SUPERUSER_PASSWORD + "\n")
        if self._run_as:
            account = pwd.getpwnam("postgres")
            os.chown(password_file, account.pw_uid, account.pw_gid)
        self._command(
            "initdb",
            "-D", str(self.data),
            "-U", "postgres",
            f"--pwfile={password_file}",
            # Local socket: trust; TCP: a real password check (the wrong-password test needs it).
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        password_file.unlink()
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# Test server: loopback only, a private socket folder, no durability.\n"
                f"listen_addresses = '{self.host}'\n"
                f"port = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
                "max_connections = 200\n"
                "log_min_messages = warning\n"
            )
        self._pg_ctl("start")
        self._running = True
        atexit.register(self.cleanup)  # belt and braces if the session dies oddly

    def _pg_ctl(self, action: str, *extra: str) -> None:
        self._command(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *extra
        )

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is cut off, data is kept."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """Stops the server at once (the data is thrown away anyway)."""
        if self._running:
            self._running = False
            self._pg_ctl("stop", "-m", "immediate")

    def cleanup(self) -> None:
        """Stops the server if it runs and removes its folder; safe to call twice."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    # --- connections ----------------------------------------------------------------

    def dsn(self, database: str, *, user: str = APP_ROLE, password: str = APP_PASSWORD) -> str:
        """A ``postgresql://`` URL for ``database``."""
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{database}"

    def admin_dsn(self) -> str:
        """The superuser's URL on the maintenance database."""
        return self.dsn("postgres", user="postgres", password=SUPERUSER_PASSWORD)

    def next_database_name(self) -> str:
        return f"test_{next(self._databases)}"

    async def create_database(self) -> str:
        """A new empty database owned by the application role; returns its name."""
        name = self.next_database_name()
        admin = await asyncpg.connect(self.admin_dsn())
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE):
                await admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}'")
            # FILE_COPY: with fsync off its checkpoint is cheap, and it is about ten times
            # faster than PostgreSQL 15's default of writing the whole template to the WAL
            # (older servers know only FILE_COPY, and no STRATEGY clause).
            newer = int(await admin.fetchval("SHOW server_version_num")) >= 150000
            strategy = " STRATEGY FILE_COPY" if newer else ""
            await admin.execute(f"CREATE DATABASE {name} OWNER {APP_ROLE}{strategy}")
        finally:
            await admin.close()
        return name

    async def create_schema(self) -> str:
        """A URL to a new, empty schema in the session's shared database.

        Creating a schema touches only the catalogue, while CREATE DATABASE copies
        a template's files: far cheaper on a busy disk, with the same isolation for
        a store (asyncpg sends the URL's ``search_path`` as a session setting, so
        every table the store creates and reads is in that schema).
        """
        if self._shared_database is None:
            self._shared_database = await self.create_database()
        name = f"s_{next(self._databases)}"
        conn = await asyncpg.connect(self.dsn(self._shared_database))
        try:
            await conn.execute(f"CREATE SCHEMA {name}")
        finally:
            await conn.close()
        return f"{self.dsn(self._shared_database)}?search_path={name}"

    async def drop_schema(self, dsn: str) -> None:
        """Drops a schema made by ``create_schema`` with everything in it."""
        name = dsn.rpartition("search_path=")[2]
        conn = await asyncpg.connect(self.dsn(str(self._shared_database)))
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        finally:
            await conn.close()

    async def drop_database(self, name: str) -> None:
        """Drops a test database, cutting off any session still connected to it."""
        admin = await asyncpg.connect(self.admin_dsn())
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server; stopped and removed at the end, even on failure."""
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"{SKIP_VARIABLE}=1: PostgreSQL tests skipped on request")
    bindir = find_postgres_bindir()
    if bindir is None:
        pytest.fail(MISSING_MESSAGE, pytrace=False)
    try:
        server = PostgresServer(bindir)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.cleanup()
        pytest.fail(f"could not start PostgreSQL from {bindir}: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
async def postgres_dsn(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A URL to a fresh, empty database of this test's own (dropped afterwards)."""
    name = await postgres_server.create_database()
    try:
        yield postgres_server.dsn(name)
    finally:
        await postgres_server.drop_database(name)


@pytest.fixture
async def postgres_schema_dsn(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A URL to a fresh, empty schema of this test's own (dropped afterwards).

    For tests that need an empty store but nothing database-wide (advisory locks,
    ``CREATE DATABASE``): much cheaper than ``postgres_dsn`` on a busy machine.
    """
    dsn = await postgres_server.create_schema()
    try:
        yield dsn
    finally:
        await postgres_server.drop_schema(dsn)
