"""``topicfeed demo`` from a plain, non-editable install: a built wheel in a fresh venv.

Offline: the wheel is built with the backend already installed (--no-build-isolation), and
the fresh venv sees this venv's dependencies through a ``.pth`` line instead of installing
them. A ``.pth`` line only adds the folder to sys.path, so the editable install's finder in it
is not loaded: ``crawler`` comes from the wheel, and ``tests`` cannot be imported at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO, read_notes

PRODUCT = ("crawler", "spiders", "feeds", "pyproject.toml", "README.md")


def run(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TOPICFEED_MIRROR")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of the work tree as it is (a copy, so the build leaves nothing in the repo)."""
    source = tmp_path_factory.mktemp("source")
    for name in PRODUCT:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                "--wheel-dir", dist, source, cwd=source)
    assert built.returncode == 0, built.stderr
    return next(dist.glob("topicfeed-*.whl"))


def test_the_wheel_ships_the_demo_snapshot_and_no_test_site(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "crawler/snapshot/demo/index.json" in names and "crawler/default.toml" in names
    assert "crawler/demo.toml" in names
    assert any(name.startswith("crawler/snapshot/demo/hb.ifeng.com/c/") for name in names)
    assert not [name for name in names if name.startswith("tests/") or "/samples/" in name]


def test_demo_runs_from_a_non_editable_install(wheel, tmp_path):
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path).returncode == 0
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=tmp_path).stdout.strip())
    (site / "topicfeed-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel,
                    cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    where = run(python, "-c", "import crawler; print(crawler.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(site), where
    assert run(python, "-c", "import tests.sites", cwd=tmp_path).returncode != 0  # the test site stays home

    demo = run(venv / "bin" / "topicfeed", "demo", "--no-serve", "--data-dir", "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert f"the sample: {site / 'crawler' / 'snapshot' / 'demo'}" in demo.stdout
    assert "Traceback" not in demo.stderr
    data = tmp_path / "demo"
    notes = read_notes(data / "archive")
    assert {meta["source"] for meta, _, _ in notes.values()} == {"ifeng-hb", "qutoutiao", "news-sites"}
    assert "服务外包" in (data / "feeds" / "service-outsourcing.atom").read_text(encoding="utf-8")
