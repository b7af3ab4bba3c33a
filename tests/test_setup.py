"""What `make setup` promises beyond Python packages: a CJK font for Chinese documents."""

from __future__ import annotations

import shutil
import subprocess


def test_cjk_font_installed_by_setup():
    assert shutil.which("fc-list"), "fontconfig missing: run `make setup`"
    families = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK SC" in families, "run `make setup` (installs fonts-noto-cjk)"
