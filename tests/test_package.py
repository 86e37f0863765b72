"""The package's public surface: one list of names, loaded lazily, costing nothing to import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import account_mgmt

INIT = Path(account_mgmt.__file__)


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(INIT.read_text())
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If):  # the `if _typing.TYPE_CHECKING:` block
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                assert statement.module is not None
                for alias in statement.names:
                    names[alias.name] = statement.module
    return names


def test_the_type_checkers_imports_the_table_and_all_name_the_same_things() -> None:
    table = account_mgmt._EXPORTS
    assert _type_checking_imports() == table
    assert sorted(account_mgmt.__all__) == sorted([*table, "__version__"])


def test_every_exported_name_is_defined_where_the_table_says() -> None:
    for name, module in account_mgmt._EXPORTS.items():
        assert getattr(importlib.import_module(module), name) is getattr(account_mgmt, name)


def test_importing_the_package_loads_no_client_stack() -> None:
    code = (
        "import sys, account_mgmt\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('botocore', 'requests', 'urllib3', 'cattrs', 'attrs', 'attr', 'aiohttp', 'tenacity')"
        " or m.startswith('account_mgmt.')]\n"
        "print(','.join(sorted(heavy)))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "account_mgmt._version"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        account_mgmt.NoSuchThing  # noqa: B018
