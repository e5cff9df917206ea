"""The operator docs stay complete: they are compared with what the code reads, runs and serves.

docs/deploy.md's settings table against every environment variable read in orgbook/; docs/cli.md's
table against the management commands of our apps; docs/api.md's endpoint table against the OpenAPI
document; the guide's install steps against the deploy smoke test CI runs (.ci/deploy-smoke). Fast
and without services: the sources are read as text (and the settings module through the AST).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.core.management import get_commands

from orgbook.api.urls import api

ROOT = Path(__file__).resolve().parents[2]
DEPLOY, CLI, API = (ROOT / "docs" / name for name in ("deploy.md", "cli.md", "api.md"))
SMOKE = ROOT / ".ci" / "deploy-smoke"
# The environment helpers of orgbook/env.py, each reading the variable named by its first argument.
ENV_READERS = {"env_str", "env_int", "env_bool", "env_path", "env_list", "env_choice"}
# Django's own commands that docs/cli.md lists on purpose (any other works too, unlisted).
DJANGO_COMMANDS_DOCUMENTED = {"migrate"}
# Subcommand-style commands (orgbook/spaces/management/base.py) name an action after the command.
ACTIONS = {"create", "list", "update", "delete", "reactivate", "renew", "show"}


def _is_os_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ"
            and isinstance(node.value, ast.Name) and node.value.id == "os")


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _variables_read(tree: ast.AST) -> set[str]:
    """Names passed as literals to env_*(), os.environ.get(), os.getenv(), os.environ[...] and `in os.environ`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        name: str | None = None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            if isinstance(func, ast.Name) and func.id in ENV_READERS:
                name = _literal(node.args[0])
            elif isinstance(func, ast.Attribute) and (
                    (func.attr == "get" and _is_os_environ(func.value))
                    or (func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os")):
                name = _literal(node.args[0])
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            name = _literal(node.slice)
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            name = _literal(node.left)
        if name:
            found.add(name)
    return found


def variables_the_code_reads() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "orgbook").rglob("*.py"):
        if "tests" in path.relative_to(ROOT).parts:  # test-only switches are not settings
            continue
        names |= _variables_read(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return names


def _section(text: str, heading: str) -> str:
    """The text under a `## heading`, up to the next `## ` heading."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def variables_in_settings_table() -> set[str]:
    table = _section(DEPLOY.read_text(encoding="utf-8"), "Settings (environment variables)")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", table, flags=re.MULTILINE))


def test_every_setting_the_code_reads_is_in_the_deploy_guides_table_and_no_other() -> None:
    read, documented = variables_the_code_reads(), variables_in_settings_table()
    assert "ORGBOOK_DATA_DIR" in read and "ORGBOOK_SECRET_KEYS" in read  # the scan sees settings.py and vault.py
    assert sorted(read - documented) == [], "read by the code, missing from docs/deploy.md's settings table"
    assert sorted(documented - read) == [], "in docs/deploy.md's settings table, read by no code"


def our_commands() -> set[str]:
    return {name for name, app in get_commands().items() if app.startswith("orgbook")}


def commands_in_cli_table() -> set[str]:
    rows = [line for line in CLI.read_text(encoding="utf-8").splitlines() if line.startswith("| `orgbook ")]
    return {m for row in rows for m in re.findall(r"`orgbook ([a-z][a-z0-9_-]*)", row.split(" | ")[0])}


def test_every_orgbook_command_is_in_the_cli_table_and_every_row_is_a_command() -> None:
    documented = commands_in_cli_table()
    expected = our_commands() | DJANGO_COMMANDS_DOCUMENTED
    assert {"sync", "import", "rotate_token_keys", "serve"} <= our_commands()
    assert sorted(expected - documented) == [], "commands missing from docs/cli.md's table"
    assert sorted(documented - set(get_commands())) == [], "rows of docs/cli.md that name no command"


def test_every_orgbook_command_named_in_docs_and_messages_exists() -> None:
    """A message or page that tells someone to run `orgbook X` names a command that runs."""
    sources = [*(ROOT / "docs").rglob("*.md"), ROOT / "README.md", *(ROOT / "orgbook").rglob("*.py"),
               *(ROOT / "orgbook").rglob("*.html")]
    named = {(path.relative_to(ROOT).as_posix(), word) for path in sources
             for word in re.findall(r"`orgbook ([a-z][a-z0-9_-]*)", path.read_text(encoding="utf-8"))}
    runnable = {*get_commands(), "help"}  # `orgbook help` lists the commands (Django's, not a command module)
    assert sorted((path, word) for path, word in named if word not in runnable) == []


def _normalised(path: str) -> str:
    """Parameter names differ in prose ({id}) and code ({impl_id}); the shape must not."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def openapi_operations() -> set[str]:
    prefix = "/api/v1"
    return {f"{method.upper()} {_normalised(path.removeprefix(prefix))}"
            for path, operations in api.get_openapi_schema()["paths"].items() for method in operations}


def operations_in_api_table() -> set[str]:
    table = _section(API.read_text(encoding="utf-8"), "Endpoints")
    return {f"{method} {_normalised(path)}"
            for method, path in re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", table, flags=re.MULTILINE)}


def test_every_api_operation_is_in_the_api_docs_and_every_row_is_an_operation() -> None:
    served, documented = openapi_operations(), operations_in_api_table()
    assert "GET /models/{}/components" in served
    assert sorted(served - documented) == [], "operations missing from docs/api.md's endpoint table"
    assert sorted(documented - served) == [], "rows of docs/api.md that the API does not serve"


# What counts as a step's command, in the guide and in the smoke test alike.
STEP_COMMAND = re.compile(r'CREATE ROLE|\bcreatedb\b|-m venv|\bpip"? install|\borgbook"? ([a-z_]+)(?: ([a-z]+))?')


def step_commands(lines: list[str]) -> list[str]:
    commands: list[str] = []
    for line in lines:
        for match in STEP_COMMAND.finditer(line):
            word, action = match.group(1), match.group(2)
            if word is None:
                commands.append(re.sub(r'"', "", match.group(0)))
            elif word in get_commands():
                commands.append(f"orgbook {word}" + (f" {action}" if action in ACTIONS else ""))
    return commands


def guide_steps() -> list[str]:
    section = _section(DEPLOY.read_text(encoding="utf-8"), "Install step by step")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    return step_commands([line for block in blocks for line in block.splitlines()
                          if not line.lstrip().startswith("#")])


def smoke_test_steps() -> list[str]:
    text = SMOKE.read_text(encoding="utf-8")
    body = text[text.index('step "Step 1'):text.index("\nok=1")]
    lines = [line for line in body.splitlines()
             if not line.lstrip().startswith(("#", "step ", "echo ", "say"))]
    # The emulator stands in for Salesforce's connected app in CI; the guide creates a real one.
    return [c for c in step_commands(lines) if c != "orgbook fakeforce"]


def test_the_guides_install_steps_are_the_deploy_smoke_tests_steps() -> None:
    guide = guide_steps()
    assert guide[:2] == ["CREATE ROLE", "createdb"] and "orgbook worker" in guide
    assert guide == smoke_test_steps()
