"""account_mgmt.org's public surface: a curated, importable ``__all__``; no heavy import at load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import account_mgmt.org


def test_org_all_is_unique_importable_and_complete() -> None:
    names = account_mgmt.org.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(account_mgmt.org, name), name
    public = {n for n in vars(account_mgmt.org) if n.isidentifier() and not n.startswith("_")}
    assert public - set(names) == set()


def test_importing_org_does_not_import_yaml() -> None:
    # PyYAML is in the [cli] extra: only loading a YAML file may import it.
    code = "import sys, account_mgmt.org; print('yaml' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
