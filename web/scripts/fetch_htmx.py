#!/usr/bin/env python3
"""Fetch the pinned htmx into the app's own static files.

Halls run on intranets, so browsers must never load htmx from a CDN; and a vendored minified
file does not belong in git. This set-up step takes the exact version below from the npm
registry with ``npm pack``, checks the tarball against the pinned integrity hash, and writes
``static/vendor/htmx.min.js`` plus ``static/vendor/htmx.version`` (both gitignored).

Idempotent: when the file is there and ``htmx.version`` names the pinned version, it does
nothing. Run ``python web/scripts/fetch_htmx.py`` (``--force`` to fetch again).
Standard library only, so it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HTMX_VERSION = "2.0.11"
# The registry's dist.integrity for htmx.org@2.0.11 (`npm view htmx.org@2.0.11 dist.integrity`).
HTMX_INTEGRITY = ("sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqj"
                  "nIMCgELTNt636dtamA==")
MEMBER = "package/dist/htmx.min.js"

VENDOR = Path(__file__).resolve().parent.parent / "src" / "onewindow_web" / "static" / "vendor"


def is_current(vendor: Path = VENDOR) -> bool:
    """Whether the pinned version is already in place."""
    stamp = vendor / "htmx.version"
    return ((vendor / "htmx.min.js").is_file() and stamp.is_file()
            and stamp.read_text(encoding="utf-8").strip() == HTMX_VERSION)


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def _write_atomically(target: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a running app never serves half a file."""
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, target)


def fetch(vendor: Path = VENDOR, *, force: bool = False) -> str:
    """Put htmx into ``vendor``; return what was done, for the terminal."""
    if not force and is_current(vendor):
        return f"htmx {HTMX_VERSION} already present in {vendor}"
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("fetch_htmx: npm is not installed; install Node.js/npm (apt-get install "
                         "npm) and run again. The app still starts without htmx.")
    with tempfile.TemporaryDirectory(prefix="onewindow-htmx-") as tmp:
        subprocess.run([npm, "pack", "--silent", f"htmx.org@{HTMX_VERSION}"], cwd=tmp,
                       check=True, stdout=subprocess.DEVNULL)
        tarball = Path(tmp) / f"htmx.org-{HTMX_VERSION}.tgz"
        if not tarball.is_file():
            raise SystemExit(f"fetch_htmx: npm pack did not produce {tarball.name}")
        actual = _integrity(tarball)
        if actual != HTMX_INTEGRITY:
            raise SystemExit(f"fetch_htmx: htmx.org@{HTMX_VERSION} tarball integrity {actual} "
                             f"differs from the pinned {HTMX_INTEGRITY}; refusing to install it")
        with tarfile.open(tarball, "r:gz") as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"fetch_htmx: {MEMBER} missing from {tarball.name}")
            script = member.read()
    vendor.mkdir(parents=True, exist_ok=True)
    _write_atomically(vendor / "htmx.min.js", script)
    _write_atomically(vendor / "htmx.version", f"{HTMX_VERSION}\n".encode())
    return f"htmx {HTMX_VERSION} written to {vendor / 'htmx.min.js'} ({len(script)} bytes)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="fetch even when present")
    parser.add_argument("--vendor", type=Path, default=VENDOR, help="target folder")
    args = parser.parse_args(argv)
    print(fetch(args.vendor, force=args.force))
    return 0


if __name__ == "__main__":
    sys.exit(main())
