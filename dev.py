#!/usr/bin/env python3
"""Quick start without setup: `python3 dev.py run` starts the bot, `python3 dev.py test` runs the tests.

It makes a virtual environment in .venv on first use and reinstalls when pyproject.toml changes,
then hands over to `umbrella` or pytest. Anything after the command is passed along;
`python3 dev.py setup` only installs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".umbrella-installed"


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Umbrella needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing dependencies into .venv …", flush=True)
        pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)


def main() -> int:
    command, *rest = sys.argv[1:] or ["run"]
    ensure_environment()
    os.chdir(ROOT)
    if command == "setup":
        return 0
    if command == "test":
        argv = [str(BIN / "python"), "-m", "pytest", *rest]
    else:
        argv = [str(BIN / "umbrella"), command, *rest]
    return subprocess.call(argv)


if __name__ == "__main__":
    raise SystemExit(main())
