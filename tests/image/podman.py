"""Build and run the project's image with Debian's podman (root, no systemd, host network).

No image registry is reachable, so the Dockerfile's base images (build arguments) are built
here from the machine's own Debian (or Ubuntu) package archive with mmdebstrap. The base
tarballs and podman's layer cache live under CACHE_DIR, outside the repo, so a rerun only
rebuilds the layers whose inputs changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("IMAGE_CACHE_DIR", "/var/cache/inventory-image"))
# A base older than this is rebuilt, so security updates reach the test image.
BASE_MAX_AGE_DAYS = 7

# What each base carries: the runtime and builder stages need python3 with venv (the
# Dockerfile adds postgresql-client itself); the front-end stage needs node and npm.
BASES = {
    "python": ["python3", "python3-venv", "ca-certificates"],
    "node": ["nodejs", "npm", "ca-certificates"],
}
# Documentation, manuals and translations are of no use in a container.
DPKG_EXCLUDES = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*"]

# Inside the root filesystem being built ("$1"): trust the machine's extra CA certificates
# (an HTTPS-inspecting proxy may sit between us and the package registries) and point pip at
# the bundle. Debian's node reads the system bundle on its own.
CUSTOMIZE_HOOK = r"""set -e
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$1/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"
  chroot "$1" update-ca-certificates >/dev/null
fi
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' > "$1/etc/pip.conf"
"""


class PodmanMissing(Exception):
    """podman or mmdebstrap is not installed, or we are not root (and have no sudo)."""


def _sudo() -> list[str]:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n", "--preserve-env=CONTAINERS_CONF"]
    raise PodmanMissing("podman here runs as root: run as root or with password-less sudo")


def _os_release() -> dict[str, str]:
    text = Path("/etc/os-release").read_text()
    return dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', text, re.M))


def archive_sources(distribution: str, codename: str) -> list[Path]:
    """The machine's apt source file for its own archive (read at run time, never written
    into the repo): debian.sources / ubuntu.sources, else sources.list. Third-party
    repositories in other files are left out."""
    own = Path(f"/etc/apt/sources.list.d/{distribution}.sources")
    if own.is_file():
        return [own]
    legacy = Path("/etc/apt/sources.list")
    if legacy.is_file() and re.search(rf"^deb\s.*\s{re.escape(codename)}(\s|$)", legacy.read_text(), re.M):
        return [legacy]
    raise PodmanMissing(f"no apt source for {distribution} {codename} in /etc/apt: mmdebstrap has nothing to read")


@dataclass
class Podman:
    """podman with the settings this kind of machine needs, plus timings for the report."""

    conf: Path
    sudo: list[str]
    figures: dict[str, str] = field(default_factory=dict)

    @classmethod
    def setup(cls) -> Podman:
        for tool in ("podman", "mmdebstrap", "runc"):
            if not shutil.which(tool):
                raise PodmanMissing(f"{tool} is not installed (make install-system installs it)")
        sudo = _sudo()
        _run([*sudo, "mkdir", "-p", str(CACHE_DIR)])
        # Root, no systemd, cgroups v1 hybrid: runc and cgroupfs; ulimits no higher than the
        # hard limits we have; containers share the host's network (and bind loopback only).
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        nofile = 1048576 if nofile == resource.RLIM_INFINITY else nofile
        text = (
            "[containers]\n"
            f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc=32768:32768"]\n'
            'netns = "host"\n'
            "[engine]\n"
            'runtime = "runc"\n'
            'cgroup_manager = "cgroupfs"\n'
        )
        conf = CACHE_DIR / "containers.conf"
        if not conf.exists() or conf.read_text() != text:
            _write(conf, text, sudo)
        return cls(conf=conf, sudo=sudo)

    def cmd(self, *args: str) -> list[str]:
        return [*self.sudo, "env", f"CONTAINERS_CONF={self.conf}", "podman", *args]

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        return _run(self.cmd(*args), check=check, timeout=timeout)

    def popen(self, *args: str, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(self.cmd(*args), **kwargs)

    # --- bases and the image ------------------------------------------------------

    def base(self, kind: str) -> str:
        """A local image of the machine's own release with BASES[kind]; cached as a tarball."""
        release = _os_release()
        codename = release.get("VERSION_CODENAME") or "stable"
        sources = archive_sources(release.get("ID", "debian"), codename)
        recipe = "\n".join([codename, *BASES[kind], *DPKG_EXCLUDES, CUSTOMIZE_HOOK, *(p.read_text() for p in sources)])
        key = hashlib.sha256(recipe.encode()).hexdigest()[:12]
        tarball = CACHE_DIR / f"base-{release.get('ID', 'debian')}-{codename}-{kind}-{key}.tar"
        fresh = tarball.exists() and time.time() - tarball.stat().st_mtime < BASE_MAX_AGE_DAYS * 86400
        if not fresh:
            started = time.monotonic()
            partial = tarball.with_suffix(".partial.tar")
            _run(
                [
                    *self.sudo,
                    "mmdebstrap",
                    "--quiet",
                    "--variant=minbase",
                    "--include=" + ",".join(BASES[kind]),
                    *(f"--dpkgopt=path-exclude={pattern}" for pattern in DPKG_EXCLUDES),
                    "--customize-hook=" + CUSTOMIZE_HOOK,
                    codename,
                    str(partial),
                    *map(str, sources),
                ],
                timeout=900,
            )
            _run([*self.sudo, "mv", str(partial), str(tarball)])
            for stale in CACHE_DIR.glob(f"base-*-{kind}-*.tar"):
                if stale != tarball:
                    _run([*self.sudo, "rm", "-f", str(stale)])
            self.figures[f"base {kind} (mmdebstrap)"] = f"{time.monotonic() - started:.0f} s"
        tag = f"localhost/inventory-base:{kind}-{key}-{int(tarball.stat().st_mtime)}"
        if self.run("image", "exists", tag, check=False).returncode != 0:
            self.run("import", "--quiet", str(tarball), tag)
        return tag

    @contextlib.contextmanager
    def _cache_lock(self):
        """One builder of the bases at a time (several work trees may run the tests at once)."""
        lock = CACHE_DIR / ".lock"
        if not lock.exists():
            _run([*self.sudo, "install", "-m", "666", "/dev/null", str(lock)])
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def build(self, tag: str) -> str:
        """Build the project's Dockerfile on the local bases; returns the image id."""
        with self._cache_lock():
            python_base, node_base = self.base("python"), self.base("node")
        started = time.monotonic()
        self.run(
            "build",
            "--quiet",
            "--pull=never",
            "--network=host",
            "--format=docker",  # OCI images drop HEALTHCHECK
            "--layers",
            f"--build-arg=PYTHON_IMAGE={python_base}",
            f"--build-arg=NODE_IMAGE={node_base}",
            "--tag",
            tag,
            str(ROOT),
            timeout=1200,
        )
        self.figures["image build"] = f"{time.monotonic() - started:.1f} s"
        size = int(self.run("image", "inspect", "--format", "{{.Size}}", tag).stdout.strip())
        self.figures["image size"] = f"{size / 1e6:.0f} MB"
        return self.run("image", "inspect", "--format", "{{.Id}}", tag).stdout.strip()


def _run(cmd: list[str], check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited with {result.returncode}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def _write(path: Path, text: str, sudo: list[str]) -> None:
    if not sudo:
        path.write_text(text)
        return
    subprocess.run([*sudo, "tee", str(path)], input=text, text=True, capture_output=True, check=True)
