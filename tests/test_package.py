"""The package's public surface: one list of names, loaded lazily, costing nothing to import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import attrs
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


def _printed_by_a_fresh_interpreter(code: str) -> str:
    """What ``code`` prints, run in a new interpreter: nothing this test run imported counts."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_importing_the_package_loads_no_client_stack() -> None:
    code = (
        "import sys, account_mgmt\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('botocore', 'requests', 'urllib3', 'cattrs', 'attrs', 'attr', 'aiohttp', 'tenacity')"
        " or m.startswith('account_mgmt.')]\n"
        "print(','.join(sorted(heavy)))\n"
    )
    loaded = _printed_by_a_fresh_interpreter(code)
    assert loaded == "account_mgmt._version"


LOADED_ONLY_WHEN_USED = (
    "account_mgmt._regionswitch",  # enable_region / disable_region
    "account_mgmt._waiters",  # wait_for_region_opt_status, or a switch with wait=True
    "account_mgmt._bulk",  # run_jobs and its thread pool
    "account_mgmt._aclient",
    "account_mgmt._aio",
    "account_mgmt.testing._emulator",
    "tenacity",  # the first failed attempt
    "aiohttp",
    "asyncio",
    "botocore.session",  # the credential chain, not walked for keys given outright
    "botocore.credentials",  # the same (and subprocess, uuid, botocore.endpoint... with it)
    "cattrs",  # a request model to write, or a member type the answer reader leaves to it
    "typing_extensions",  # cattrs'
)
"""Modules a sync client and one successful call must not import (issue 13: a call
loads what it needs)."""


def test_a_client_and_one_call_load_nothing_they_do_not_use() -> None:
    code = (
        "import json, sys\n"
        "from account_mgmt import AccountClient, HttpResponse\n"
        "from account_mgmt.testing import MockTransport\n"
        "body = json.dumps({'AccountId': '123456789012'}).encode()\n"
        "transport = MockTransport(lambda request: HttpResponse(status_code=200, headers={}, "
        "body=body))\n"
        "client = AccountClient(transport=transport, aws_access_key_id='AKIDEXAMPLE', "
        "aws_secret_access_key='secret', region_name='us-east-1')\n"
        "assert client.get_account_information().account_id == '123456789012'\n"
        f"print(','.join(m for m in {LOADED_ONLY_WHEN_USED!r} if m in sys.modules))\n"
    )
    loaded = _printed_by_a_fresh_interpreter(code)
    assert loaded == ""


def test_the_region_switch_steps_load_with_the_first_switch() -> None:
    code = (
        "import json, sys\n"
        "from account_mgmt import AccountClient, HttpResponse\n"
        "from account_mgmt.testing import MockTransport\n"
        "answers = {'/getRegionOptStatus': {'RegionName': 'af-south-1', "
        "'RegionOptStatus': 'ENABLED'}}\n"
        "def answer(request):\n"
        "    body = json.dumps(answers[request.url[request.url.rindex('/'):]]).encode()\n"
        "    return HttpResponse(status_code=200, headers={}, body=body)\n"
        "client = AccountClient(transport=MockTransport(answer), aws_access_key_id='AKIDEXAMPLE', "
        "aws_secret_access_key='secret', region_name='us-east-1', rate_limiting=False)\n"
        "before = 'account_mgmt._regionswitch' in sys.modules\n"
        "client.enable_region(region_name='af-south-1')\n"
        "print(before, 'account_mgmt._regionswitch' in sys.modules)\n"
    )
    loaded = _printed_by_a_fresh_interpreter(code)
    assert loaded == "False True"


PLAIN_RECORDS = (
    ("account_mgmt._steps", "Send"),
    ("account_mgmt._steps", "Sleep"),
    ("account_mgmt._steps", "Blocking"),
    ("account_mgmt._steps", "_Call"),
    ("account_mgmt._steps", "_Fixed"),
    ("account_mgmt._operations", "Service"),
    ("account_mgmt._operations", "Operation"),
    ("account_mgmt._endpoints", "ResolvedEndpoint"),
    ("account_mgmt._endpoints", "EndpointRules"),
    ("account_mgmt._validation", "ShapeRule"),
    ("account_mgmt._signing", "FrozenCredentials"),
    ("account_mgmt._signing", "_HeaderLayout"),
    ("account_mgmt._credentials", "_EnvironmentKeys"),
)
"""Private records on the import path of ``AccountClient``, kept plain slotted classes."""


@pytest.mark.parametrize(("module", "name"), PLAIN_RECORDS, ids=lambda x: x)
def test_private_records_on_the_import_path_are_plain_slotted_classes(
    module: str, name: str
) -> None:
    # Cold start (issue 13): attrs compiles __init__/__repr__/__eq__/__hash__ for
    # each class it makes, 0.5-0.9 ms apiece at import, where a plain class with
    # __slots__ costs ~0.02 ms. Turning one of these back into attrs is noticed here.
    cls = getattr(importlib.import_module(module), name)
    assert not attrs.has(cls)
    assert "__slots__" in vars(cls)
    assert "__dict__" not in dir(cls)  # every base slotted too: no per-instance dict


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        account_mgmt.NoSuchThing  # noqa: B018
