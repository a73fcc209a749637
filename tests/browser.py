"""Debian's headless Chromium, for the tests that open the harness's HTML pages in a real browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium is needed: apt-get install chromium (make setup does where it can)")
    return found


def browse(page: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    return subprocess.run([*command, *flags, page.as_uri()], capture_output=True, text=True, timeout=120, check=True)


def console_errors(browsed: subprocess.CompletedProcess[str]) -> list[str]:
    """Console messages, uncaught errors and Content-Security-Policy refusals of a browsed page."""
    lines = browsed.stderr.splitlines()
    return [line for line in lines if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]
