"""The pytest plugin costs nothing until used (issue 13): loading it registers the fixtures and
the marker but imports neither the emulator, nor the client, nor botocore, nor requests; a
fixture imports them when used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import account_mgmt

REPO_ROOT = Path(account_mgmt.__file__).resolve().parent.parent
"""The checkout under test: first on the subprocess's path, so its plugin is the one loaded."""

EMULATOR_MODULES = (
    "account_mgmt.testing._emulator",
    "account_mgmt.testing._server",
    "account_mgmt.testing._world",
    "account_mgmt.testing._settings",
    "account_mgmt.testing._faults",
    "account_mgmt.testing._seed",
    "account_mgmt.testing._handlers",
    "account_mgmt.testing._org_handlers",
    "account_mgmt.testing._model",
    "account_mgmt.testing._sigv4",
)
"""What only a fixture may load."""

HEAVY_MODULES = ("botocore", "botocore.session", "requests", "account_mgmt._client")
"""What loading the plugin must not import."""

CHECKS = """
import json
import os
import sys

EMULATOR = json.loads(os.environ["EMULATOR_MODULES"])
HEAVY = json.loads(os.environ["HEAVY_MODULES"])
LOADED_AT_COLLECTION = set(sys.modules)


def test_plugin_load_imported_nothing_heavy(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("account_mgmt")
    assert [m for m in EMULATOR if m in LOADED_AT_COLLECTION] == []
    assert [m for m in HEAVY if m in LOADED_AT_COLLECTION] == []
    assert "account_mgmt.testing.pytest_plugin" in LOADED_AT_COLLECTION


def test_the_marker_is_registered(pytestconfig):
    assert any(
        line.startswith("account_emulator(")
        for line in pytestconfig.getini("markers")
    )


def test_zz_a_fixture_loads_the_emulator_when_used(account_emulator):
    assert "account_mgmt.testing._server" in sys.modules
    assert account_emulator.url.startswith("http://127.0.0.1:")
"""


def _environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


def _modules_after(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        env=_environment(),
        check=True,
        timeout=120,
    )
    loaded: list[str] = json.loads(result.stdout.splitlines()[-1])
    return loaded


def test_importing_the_testing_package_loads_no_emulator_module() -> None:
    loaded = set(_modules_after("import account_mgmt.testing"))
    assert [m for m in EMULATOR_MODULES if m in loaded] == []
    assert [m for m in HEAVY_MODULES if m in loaded] == []


def test_a_public_name_loads_its_module_on_first_use() -> None:
    loaded = _modules_after("from account_mgmt.testing import WorldSettings")
    assert "account_mgmt.testing._settings" in loaded
    assert "account_mgmt.testing._server" not in loaded


def test_the_plugin_registers_without_importing_the_emulator(tmp_path: Path) -> None:
    (tmp_path / "test_plugin_cost.py").write_text(CHECKS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_environment(
            EMULATOR_MODULES=json.dumps(EMULATOR_MODULES),
            HEAVY_MODULES=json.dumps(HEAVY_MODULES),
        ),
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_the_testing_package_lists_what_it_exports() -> None:
    import account_mgmt.testing as testing

    for name in testing.__all__:
        assert getattr(testing, name) is not None
    assert set(testing.__all__) <= set(dir(testing))
