"""The relay's container image, checked without a Docker engine (none runs here): what the Dockerfile
copies exists and survives the .dockerignore, it runs as a non-root user from a slim base, its settings are
real CITA_RELAY_* variables, its HEALTHCHECK asks a route the relay has (and the check script really tells
a live relay from a dead one), and the relay's own requirements cover everything relay/ and wire/ import."""

from __future__ import annotations

import ast
import fnmatch
import importlib.metadata
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_checks import DEPLOY, ROOT, parse_with, relay_parser

DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
REQUIREMENTS = DEPLOY / "requirements-relay.txt"
HEALTHCHECK_SCRIPT = DEPLOY / "healthcheck.py"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def dockerfile_instructions(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, args = full.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
    return out


def _words(args: str) -> list[str]:
    if args.startswith("["):
        return list(json.loads(args))
    return shlex.split(args)


def _arg_defaults(instructions: list[Instruction]) -> dict[str, str]:
    out = {}
    for ins in instructions:
        if ins.keyword == "ARG" and "=" in ins.args:
            name, _, value = ins.args.partition("=")
            out[name.strip()] = value.strip()
    return out


def _env(instructions: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for ins in instructions:
        if ins.keyword == "ENV":
            for word in shlex.split(ins.args):
                name, _, value = word.partition("=")
                env[name] = value
    return env


def _final_stage(instructions: list[Instruction]) -> list[Instruction]:
    last_from = max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM")
    return instructions[last_from:]


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def copied_sources(instructions: list[Instruction]) -> list[str]:
    """Sources of every COPY/ADD that reads the build context (not --from=another stage)."""
    sources: list[str] = []
    for ins in instructions:
        if ins.keyword not in ("COPY", "ADD"):
            continue
        words = _words(ins.args)
        if any(w.startswith("--from=") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        sources += words[:-1]
    return sources


def test_every_copied_file_exists(instructions):
    sources = copied_sources(instructions)
    assert sources, "the Dockerfile copies nothing from the repository?"
    missing = [s for s in sources if not (ROOT / s).exists()]
    assert not missing, f"deploy/Dockerfile COPYs files that do not exist: {missing}"


def _ignored(path: str, patterns: list[tuple[bool, str]]) -> bool:
    """Docker's .dockerignore rule: the last matching pattern wins; a pattern matching a folder covers its files."""
    candidates = [path]
    parts = path.split("/")
    candidates += ["/".join(parts[:n]) for n in range(1, len(parts))]
    ignored = False
    for negated, pattern in patterns:
        pattern = pattern.rstrip("/")
        if any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            ignored = not negated
    return ignored


def test_build_context_keeps_every_copied_file(instructions):
    patterns = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append((line.startswith("!"), line.lstrip("!")))
    for source in copied_sources(instructions):
        path = ROOT / source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        for file in files:
            rel = file.relative_to(ROOT).as_posix()
            assert not _ignored(rel, patterns), f"{rel} is copied by the Dockerfile but excluded by {DOCKERIGNORE.name}"
    # and the context stays small: the agent, the demo, the tests and the virtualenv are left out
    for heavy in (".venv/lib/x.py", "agent/cli.py", "demo/cli.py", "tests/conftest.py", "dist/cita-agent/x"):
        assert _ignored(heavy, patterns), f"{heavy} would be sent to the Docker build"


def test_base_images_are_slim_python(instructions):
    defaults = _arg_defaults(instructions)
    for ins in instructions:
        if ins.keyword != "FROM":
            continue
        image = ins.args.split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: defaults.get(m.group(1), m.group(0)), image)
        assert image.startswith("python:") and "slim" in image, f"line {ins.line}: base image {image} is not a slim Python"


def test_runs_as_a_non_root_user(instructions):
    users = [ins.args for ins in _final_stage(instructions) if ins.keyword == "USER"]
    assert users, "the final stage has no USER: the relay would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"the relay runs as {user}"


def test_settings_are_relay_environment_variables(instructions, relay_env_names):
    from relay.settings import settings_from_env

    env = _env(_final_stage(instructions))
    relay_vars = {k: v for k, v in env.items() if k.startswith("CITA_")}
    unknown = set(relay_vars) - relay_env_names
    assert not unknown, f"the relay does not read {sorted(unknown)}"
    settings = settings_from_env(relay_vars)  # raises on a bad value
    assert settings.host == "0.0.0.0"  # reachable through the published port
    volumes = [w for ins in instructions if ins.keyword == "VOLUME" for w in _words(ins.args)]
    assert str(settings.data_dir) in volumes, "the SQLite file must live in the volume"
    exposed = [ins.args.split("/")[0] for ins in instructions if ins.keyword == "EXPOSE"]
    assert str(settings.port) in exposed


def test_command_is_a_real_relay_command(instructions):
    cmd = [ins for ins in instructions if ins.keyword == "CMD"][-1]
    words = _words(cmd.args)
    assert words[0] == "cita-relay"
    parse_with(relay_parser(), words[1:])


def test_healthcheck_asks_a_route_the_relay_has(instructions, tmp_path):
    from relay.app import build_app
    from relay.settings import RelaySettings

    check = [ins for ins in instructions if ins.keyword == "HEALTHCHECK"]
    assert len(check) == 1
    command = _words(check[0].args.split("CMD", 1)[1].strip())
    script = command[-1]
    copies = {_words(ins.args)[-1]: _words(ins.args)[0] for ins in instructions if ins.keyword == "COPY"}
    assert copies.get(script) == "deploy/healthcheck.py", f"{script} is not copied from deploy/healthcheck.py"
    paths = set(re.findall(r"(/[a-z]+)\"", HEALTHCHECK_SCRIPT.read_text(encoding="utf-8")))
    assert paths == {"/healthz"}
    app = build_app(RelaySettings(data_dir=tmp_path))
    routes = {route.path for route in app.routes}
    assert "/healthz" in routes


def test_healthcheck_script_tells_a_live_relay_from_a_dead_one(tmp_path):
    from demo.serving import ServerThread
    from relay.app import build_app
    from relay.settings import RelaySettings

    def run_check(port: int) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "CITA_RELAY_PORT": str(port)}
        return subprocess.run([sys.executable, str(HEALTHCHECK_SCRIPT)], env=env, capture_output=True, text=True,
                              timeout=30)

    with ServerThread(build_app(RelaySettings(data_dir=tmp_path))) as server:
        alive = run_check(server.port)
    assert alive.returncode == 0, alive.stderr
    dead = run_check(server.port)
    assert dead.returncode == 1
    assert "unhealthy" in dead.stderr


def _requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            names.add(_normalise(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]))
    return names


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _third_party_imports(folders: list[Path]) -> set[str]:
    local = {folder.name for folder in folders}
    names: set[str] = set()
    for folder in folders:
        for file in folder.rglob("*.py"):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in local and n != "__future__"}


def test_relay_requirements_cover_what_the_relay_imports():
    required = _requirement_names(REQUIREMENTS.read_text(encoding="utf-8"))
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module in _third_party_imports([ROOT / "relay", ROOT / "wire"]):
        dists = {_normalise(d) for d in distributions.get(module, [module])}
        if not dists & required:
            missing[module] = sorted(dists)
    assert not missing, f"deploy/requirements-relay.txt lacks what relay/ or wire/ import: {missing}"
    # uvicorn loads its websocket implementation by name: without it /agent answers 404 to every agent
    assert "websockets" in required


def _requires(distribution: str) -> set[str]:
    try:
        requirements = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return set()
    return {_normalise(re.split(r"[<>=!~;\[ (]", r, maxsplit=1)[0]) for r in requirements if "extra ==" not in r}


def test_relay_requirements_are_project_dependencies():
    """Each is declared in pyproject.toml, or comes with one that is (h11 with uvicorn and httpx)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = _requirement_names("\n".join(pyproject["project"]["dependencies"]))
    brought = set().union(*(_requires(name) for name in declared))
    extra = _requirement_names(REQUIREMENTS.read_text(encoding="utf-8")) - declared - brought
    assert not extra, f"the image would install packages the project does not depend on: {sorted(extra)}"
    assert not {"playwright", "pyside6-essentials"} & _requirement_names(REQUIREMENTS.read_text(encoding="utf-8"))


def test_relay_code_needs_nothing_the_image_leaves_out():
    """The image copies only relay/ and wire/: neither may import the agent or the stand-ins."""
    imported = _third_party_imports([ROOT / "relay", ROOT / "wire"])
    assert not {"agent", "demo", "installer"} & imported
