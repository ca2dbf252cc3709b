"""The wheel, as an office installs it: built, installed into a fresh venv, and the demo run from there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_an_installed_wheel_runs_the_demo_and_init(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = wheels.glob("reportbot-*.whl")
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)  # no --system-site-packages: only what the wheel declares
    bin_dir = target / ("Scripts" if sys.platform == "win32" else "bin")
    installed = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"  # not the checkout: the examples must come from the wheel
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    demo = subprocess.run(
        [str(bin_dir / "reportbot"), "demo", "--out", str(tmp_path / "out")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-3000:]
    assert list((tmp_path / "out").glob("report-*.docx"))
    init = subprocess.run(
        [str(bin_dir / "reportbot"), "init", "--example", "--config", "office.toml"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    assert (elsewhere / "office.toml").read_text(encoding="utf-8") == (
        ROOT / "examples" / "reportbot.example.toml"
    ).read_text(encoding="utf-8")
    # The form's page travels as package data: a bot installed from the wheel can serve it.
    page = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "from bot.webapp import STATIC; print(sorted(p.name for p in STATIC.iterdir()))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert page.stdout.strip() == "['form.css', 'form.js', 'index.html']", page.stderr
