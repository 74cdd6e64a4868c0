"""Installed as a wheel, in an empty folder, ``m4c demo`` works and writes only there.

The wheel is built from this checkout and installed, with the locked versions of its
dependencies, into a fresh virtual environment; the demo then runs in an empty folder
with a home folder of its own. Nothing may appear anywhere else: not in the checkout,
not in the environment's site-packages (bytecode caches aside), not in the home folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def uv(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = os.environ.get("UV") or shutil.which("uv")
    assert binary, "uv runs the test suite, so it is on PATH or in $UV"
    done = subprocess.run(
        [binary, *args], cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_wheel_runs_the_demo_in_an_empty_folder(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(
        REPO, source, ignore=shutil.ignore_patterns(".venv", ".git", "data", "out", ".dagster")
    )
    uv("build", "--wheel", "--out-dir", str(tmp_path / "dist"), cwd=source)
    (wheel,) = (tmp_path / "dist").glob("measure_for_change-*.whl")
    requirements = tmp_path / "requirements.txt"
    uv("export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
       "-o", str(requirements), cwd=source)  # fmt: skip
    venv = tmp_path / "venv"
    uv("venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    uv("pip", "install", "--python", str(python), "-r", str(requirements), str(wheel),
       cwd=tmp_path)  # fmt: skip
    before = files(venv)
    checkout = files(REPO / "warehouse")
    work, home = tmp_path / "empty", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("M4C_", "DAGSTER_"))}
    env |= {"HOME": str(home), "PATH": f"{venv / 'bin'}:{env['PATH']}"}
    done = subprocess.run(
        [str(venv / "bin" / "m4c"), "demo"], cwd=work, env=env, capture_output=True, text=True,
        timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    written = {p.relative_to(work).parts[0] for p in files(work)}
    assert {"m4c.toml", "data", "out", ".dagster"} <= written
    assert (work / "out" / "index.html").is_file()
    assert (work / "out" / "site_a" / "index.html").is_file()
    assert (work / "data" / "warehouse.duckdb").is_file()
    assert "wrote synthetic extracts" in done.stdout
    assert f"pages: open {work / 'out' / 'index.html'}" in done.stdout
    assert files(venv) == before
    assert files(REPO / "warehouse") == checkout
    assert not any(home.iterdir()), sorted(home.rglob("*"))
