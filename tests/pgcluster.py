"""A throw-away PostgreSQL cluster for the tests and benchmarks: a temp data directory and a Unix socket.

`initdb` refuses to run as root, so as root (CI) the cluster belongs to Debian's `postgres` user, or `nobody`
when that user is missing. fsync is off: the cluster is deleted afterwards, and durability is not what the
tests are about.
"""
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


def find_bindir() -> Path | None:
    """Where `initdb` and `pg_ctl` live: on PATH, or Debian's /usr/lib/postgresql/<version>/bin (newest first)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def _version_key(path: str) -> float:
    try:
        return float(Path(path).parent.name)
    except ValueError:
        return 0.0


@dataclass
class Cluster:
    """A running cluster; `url(name)` is the SQLAlchemy URL of a database in it."""
    bindir: Path
    root: Path
    owner: str | None  # the unprivileged user running the server when we are root
    superuser: str
    port: int = 5432
    _started: bool = field(default=False, repr=False)

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.superuser}@/{database}?host={self.socket_dir}&port={self.port}"

    def start(self) -> "Cluster":
        data = self.root / "data"
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if self.owner:
            info = pwd.getpwnam(self.owner)
            for path in (self.root, self.socket_dir):
                os.chown(path, info.pw_uid, info.pw_gid)
        self._run([str(self.bindir / "initdb"), "-D", str(data), "-U", self.superuser, "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"])
        options = (f"-k {self.socket_dir} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=64MB")
        self._run([str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                   "-o", options, "-w", "-t", "60", "start"])
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w",
                       "stop"], check=False)
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, command: list[str], check: bool = True) -> None:
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if check and result.returncode != 0:
            log = self.root / "server.log"
            detail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {result.stderr or result.stdout}\n{detail}")


def unavailable_reason() -> str | None:
    """Why a throw-away cluster cannot be started here, or None when it can."""
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg driver is not installed"
    if os.geteuid() == 0 and _unprivileged_user() is None:
        return "running as root and neither a 'postgres' nor a 'nobody' user exists to run the server"
    return None


def _unprivileged_user() -> str | None:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def start_cluster(port: int = 5432) -> Cluster:
    """Start a cluster in a new temp directory (each has its own socket, so the port never collides)."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    root = Path(tempfile.mkdtemp(prefix="kotae-pg-"))
    owner = _unprivileged_user() if os.geteuid() == 0 else None
    cluster = Cluster(bindir=find_bindir(), root=root, owner=owner, superuser="kotae", port=port)
    try:
        return cluster.start()
    except Exception:
        cluster.stop()
        raise
