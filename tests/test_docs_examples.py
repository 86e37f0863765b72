"""Every Python example in README.md and docs/ runs, against the emulator, so none can rot.

The convention (also stated in docs/testing.md#how-the-documentation-is-tested):

- Each fenced ``python`` block of a page runs, in page order, in one namespace
  per page (a later block may use a name an earlier one defined), as a user
  would paste them one after another.
- The environment is a user's whose default credentials are the emulated
  organization's management account: ``AWS_ENDPOINT_URL_ACCOUNT`` (and
  ``AWS_ENDPOINT_URL_ORGANIZATIONS``) name the emulator, ``AWS_ACCESS_KEY_ID`` /
  ``AWS_SECRET_ACCESS_KEY`` are the management account's, ``AWS_REGION`` is
  us-east-1, and the AWS config file has a profile ``org-management`` with the
  same keys. Member accounts are ``300000000000``, ``300000000001``, ...;
  the OU ``/Prod`` holds the first three, ``/Prod/Payments`` the next two,
  ``/Sandbox`` the three after.
  The name ``emulator`` is that running ``AccountEmulator`` (for pages about
  the emulator: ``emulator.seed(...)``).
- A block right after ``<!-- docs-test: skip REASON -->`` is not run; the
  reason is required, and kept to blocks that cannot run here (a real AWS
  account, a process that never ends).
- A block right after ``<!-- docs-test: pytest -->`` is a test module, run by
  pytest in a subprocess with the installed plugin; it must pass.
- ``<!-- docs-test: needs MODULE -->`` anywhere in a page skips the page
  (visibly, with the reason) while MODULE cannot be imported: for a page
  written ahead of the code it documents.

A failing block is reported by page and line: the code is compiled with the
Markdown file's own line numbers, so the traceback points into the page.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import account_mgmt
import account_mgmt.org
import account_mgmt.testing
from account_mgmt.testing import AccountEmulator

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])

MARKER = re.compile(r"<!--\s*docs-test:\s*(?P<mode>skip|pytest)\b(?P<reason>.*?)-->")
NEEDS_MARKER = re.compile(r"<!--\s*docs-test:\s*needs\s+([\w.]+)\s*-->")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)\s*(?P<info>[^\n`]*)$")


class Block:
    """One fenced code block of a page."""

    def __init__(
        self, page: Path, line: int, language: str, code: str, mode: str, reason: str
    ) -> None:
        self.page = page
        self.line = line  # 1-based line of the first line of code
        self.language = language
        self.code = code
        self.mode = mode  # "run", "skip" or "pytest"
        self.reason = reason  # a skip marker's reason

    @property
    def skip(self) -> str | None:
        return self.reason if self.mode == "skip" else None

    def __repr__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    """The fenced code blocks of ``page``, each with the skip marker just before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        language = opening["info"].strip().split(" ")[0].lower() if opening["info"] else ""
        previous = next((text for text in reversed(lines[:index]) if text.strip()), "")
        marker = MARKER.search(previous)
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        code = "\n".join(text[indent:] for text in lines[index + 1 : end])
        mode = marker["mode"] if marker else "run"
        reason = marker["reason"].strip() if marker else ""
        found.append(Block(page, index + 2, language, code, mode, reason))
        index = end + 1
    return found


def python_blocks(page: Path) -> list[Block]:
    return [block for block in blocks_of(page) if block.language in ("python", "py")]


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


PAGES_WITH_PYTHON = [page for page in PAGES if python_blocks(page)]


@pytest.fixture
def user_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[types.SimpleNamespace]:
    """An emulator and a shell environment pointing every AWS client at it."""
    emulator = AccountEmulator(
        member_count=12,
        region_transition_seconds=0.2,
        # An OU tree for the organization pages: 300000000000-2 in /Prod,
        # -3 and -4 in /Prod/Payments, -5 to -7 in /Sandbox, the rest at the root.
        ou_layout={"/Prod": 3, "/Prod/Payments": 2, "/Sandbox": 3},
    ).start()
    credentials = emulator.credentials_for()
    config = tmp_path / "aws-config"
    config.write_text(
        "[profile org-management]\n"
        f"aws_access_key_id = {credentials.access_key_id}\n"
        f"aws_secret_access_key = {credentials.secret_access_key}\n"
        "region = us-east-1\n",
        encoding="utf-8",
    )
    empty = tmp_path / "aws-credentials"
    empty.write_text("", encoding="utf-8")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_ACCOUNT", emulator.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", emulator.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)
    # Examples configure logging as a user would (basicConfig, a DEBUG level):
    # put it back, or later tests see a process-wide handler and level.
    root, package = logging.getLogger(), logging.getLogger("account_mgmt")
    saved = (list(root.handlers), root.level, package.level)
    try:
        yield types.SimpleNamespace(emulator=emulator)
    finally:
        emulator.stop()
        for handler in root.handlers:
            if handler not in saved[0]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved[1])
        package.setLevel(saved[2])


@pytest.mark.parametrize("page", PAGES_WITH_PYTHON, ids=page_id)
def test_python_examples_run_against_the_emulator(
    page: Path, user_environment: types.SimpleNamespace
) -> None:
    text = page.read_text(encoding="utf-8")
    for needed in NEEDS_MARKER.findall(text):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{page_id(page)} documents {needed}, which this checkout does not have")
    namespace: dict[str, object] = {
        "__name__": "__docs_example__",
        "emulator": user_environment.emulator,
    }
    ran = 0
    for block in python_blocks(page):
        if block.mode != "run":
            continue
        # Padding with blank lines gives the compiled code the page's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        code = compile(source, str(page), "exec")
        try:
            exec(code, namespace)  # noqa: S102 - the examples are the project's own docs
        except BaseException as exc:
            exc.add_note(f"in the example at {block!r}")
            raise
        ran += 1
    assert ran > 0, f"every python example of {page_id(page)} is marked skip or pytest"


PYTEST_BLOCKS = [b for page in PAGES for b in python_blocks(page) if b.mode == "pytest"]


@pytest.mark.parametrize("block", PYTEST_BLOCKS, ids=repr)
def test_pytest_examples_pass_with_the_installed_plugin(block: Block, tmp_path: Path) -> None:
    module = tmp_path / "test_docs_example.py"
    module.write_text("\n" * (block.line - 1) + block.code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    # This checkout's package first, as the plugin's entry point imports it by name.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, f"{block!r}:\n{completed.stdout}\n{completed.stderr}"
    assert " passed" in completed.stdout
    assert " failed" not in completed.stdout


def test_python_examples_exist_in_readme_and_guides() -> None:
    pages = {page_id(page) for page in PAGES_WITH_PYTHON}
    assert "README.md" in pages
    assert {"docs/getting-started.md", "docs/organizations.md", "docs/regions.md"} <= pages


def test_skip_markers_each_give_a_reason() -> None:
    unexplained = [
        repr(block)
        for page in PAGES
        for block in python_blocks(page)
        if block.skip is not None and len(block.skip) < 10
    ]
    assert not unexplained, f"skip markers without a reason: {unexplained}"


def test_skip_markers_stay_few() -> None:
    skipped = [repr(b) for page in PAGES for b in python_blocks(page) if b.skip is not None]
    total = sum(len(python_blocks(page)) for page in PAGES)
    assert len(skipped) * 10 <= total, f"{len(skipped)} of {total} examples skipped: {skipped}"


def test_no_python_block_hides_behind_another_language_tag() -> None:
    # A Python example tagged ``py3`` or ``pycon`` would silently escape the run.
    hidden = [
        repr(block)
        for page in PAGES
        for block in blocks_of(page)
        if block.language in ("py3", "python3", "pycon", "ipython")
    ]
    assert not hidden, f"tag these ```python so they run: {hidden}"


def referenced_names(page_glob: str) -> set[str]:
    text = "\n".join(page.read_text(encoding="utf-8") for page in DOCS.glob(page_glob))
    return set(re.findall(r"^::: ([\w.]+)", text, flags=re.MULTILINE))


@pytest.mark.parametrize(
    ("module", "prefix"),
    [
        (account_mgmt, "account_mgmt."),
        (account_mgmt.testing, "account_mgmt.testing."),
        (account_mgmt.org, "account_mgmt.org."),
    ],
    ids=["account_mgmt", "account_mgmt.testing", "account_mgmt.org"],
)
def test_api_reference_covers_every_public_name(module: types.ModuleType, prefix: str) -> None:
    documented = referenced_names("reference/*.md")
    missing = sorted(
        name for name in module.__all__ if name != "__version__" and prefix + name not in documented
    )
    assert not missing, (
        f"add '::: {prefix}NAME' to a page under docs/reference/ for each of: {missing}"
    )


COMMON_ERRORS = {
    "AccessDeniedException",
    "ValidationException",
    "TooManyRequestsException",
    "InternalServerException",
}
"""Errors every operation of the model may answer: the reference lists them once, for all."""


def raises_table() -> dict[str, str]:
    """The rows of the per-call table in docs/reference/client.md, by method name."""
    text = (DOCS / "reference" / "client.md").read_text(encoding="utf-8")
    return {
        row["method"]: row.group(0)
        for row in re.finditer(r"^\| `(?P<method>[a-z_]+)` \|.*$", text, flags=re.MULTILINE)
    }


def operations_of(row: str) -> list[str]:
    """The AWS operations a row's second column names (``GetRegionOptStatus, EnableRegion``)."""
    return row.split("|")[2].strip().split(", ")


def test_raises_table_has_a_row_for_every_public_method() -> None:
    methods = {
        name
        for name, value in vars(account_mgmt.AccountClient).items()
        if callable(value) and not name.startswith("_") and name not in ("close", "with_options")
    }
    assert methods == set(raises_table())


def test_raises_table_lists_every_error_the_service_model_gives_an_operation() -> None:
    import botocore.session  # the service model is the truth the table follows

    model = botocore.session.get_session().get_service_model("account")
    rows = raises_table()
    for operation_name in model.operation_names:
        row = next((row for row in rows.values() if operation_name in operations_of(row)), None)
        assert row is not None, f"no row for {operation_name}"
        errors = {shape.name for shape in model.operation_model(operation_name).error_shapes}
        missing = sorted(name for name in errors - COMMON_ERRORS if f"`{name}`" not in row)
        assert not missing, f"{operation_name}: the table does not list {missing}"


def test_quota_table_in_the_guide_is_the_table_the_client_paces_at() -> None:
    text = (DOCS / "quotas.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([A-Z]\w+) \| ([\d.]+) \| (\d+) \|", text, flags=re.MULTILINE)
    shown = {name: (float(rate), int(burst)) for name, rate, burst in rows}
    actual = {
        name: (quota.rate, quota.burst) for name, quota in account_mgmt.DOCUMENTED_QUOTAS.items()
    }
    assert shown == actual


def test_testing_guide_documents_every_option_of_the_fixtures() -> None:
    import inspect

    import attrs

    from account_mgmt.testing import WorldSettings

    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(\w+)` \|", text, flags=re.MULTILINE))
    emulator_options = {
        name
        for name, parameter in inspect.signature(AccountEmulator.__init__).parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    }
    options = emulator_options | {field.name for field in attrs.fields(WorldSettings)}
    assert not sorted(options - table), f"testing.md's option table lacks {sorted(options - table)}"


CLI_PAGE = DOCS / "cli.md"
CLI_PAGE_HEAD = """# Command line: account-mgmt

<!-- Generated from the commands' own help by `python -m tests.test_docs_examples`;
     tests/test_docs_examples.py fails when it no longer matches. Edit the help, not this page. -->

`account-mgmt` (with the `cli` extra: `pip install -e '.[cli]'`) runs the
library's jobs from a shell, for one account or for the accounts of an
organization: `plan` and `apply` a desired-state file
([guide](desired-state.md)), list the organization's accounts, and read or
change contacts, contact information and Regions. `--local` runs any
command against a built-in emulator.

Below is each command's `--help`.
"""


def cli_reference_markdown() -> str:
    """docs/cli.md as the commands' help makes it: every command and subcommand."""
    import click

    # Imported by name: the command line is an optional part (the cli extra).
    main = importlib.import_module("account_mgmt.cli").main
    root = main if isinstance(main, click.Command) else None
    assert root is not None, "account_mgmt.cli.main is expected to be a click command"
    sections: list[str] = [CLI_PAGE_HEAD]

    def walk(command: click.Command, name: str, parent: click.Context | None) -> None:
        settings = {**command.context_settings, "terminal_width": 100, "max_content_width": 100}
        context = click.Context(command, info_name=name, parent=parent, **settings)
        text = command.get_help(context).replace("\b", "")  # click's no-rewrap markers
        sections.append(f"## {context.command_path}\n\n```text\n{text}\n```\n")
        if isinstance(command, click.Group):
            for sub_name in command.list_commands(context):
                sub = command.get_command(context, sub_name)
                if sub is not None and not sub.hidden:
                    walk(sub, sub_name, context)

    walk(root, "account-mgmt", None)
    return "\n".join(sections)


def test_cli_reference_page_matches_the_commands_help() -> None:
    if importlib.util.find_spec("account_mgmt.cli") is None:
        pytest.skip("account_mgmt.cli is not in this checkout")
    assert CLI_PAGE.read_text(encoding="utf-8") == cli_reference_markdown(), (
        "docs/cli.md is stale: run `python -m tests.test_docs_examples` to regenerate it"
    )


if __name__ == "__main__":
    CLI_PAGE.write_text(cli_reference_markdown(), encoding="utf-8")
    print(f"wrote {CLI_PAGE.relative_to(ROOT)}")
