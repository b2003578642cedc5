"""The guides in docs/ stay true: every command they show is accepted by the real program's parser, every file
and link they name exists, and the names they use (settings, metrics, log events, Kommo placeholders and
statuses) are the ones the code has."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_checks import DOCS, PARSERS, ROOT, CommandRejected, parse_with

GUIDES = (
    "set-up-kommo.md", "set-up-clinic-pc.md", "write-a-driver.md", "operate-the-relay.md", "run-several-relays.md",
)
SHELL_SEPARATORS = {"|", "||", "&&", ";", "&"}
REDIRECTIONS = {"<", ">", ">>", "2>", "2>&1"}


@dataclass(frozen=True)
class Command:
    guide: str
    line: int
    program: str
    args: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.guide}:{self.line}: {self.program} {' '.join(self.args)}"


def code_blocks(text: str) -> list[tuple[str, int, str]]:
    """(language, first line number, body) of every fenced block."""
    out = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        out.append((match.group(1), text[: match.start()].count("\n") + 2, match.group(2)))
    return out


def _logical_lines(body: str, first: int, powershell: bool) -> list[tuple[int, str]]:
    joiner = "`" if powershell else "\\"
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for offset, raw in enumerate(body.splitlines()):
        if not pending:
            start = first + offset
        stripped = raw.rstrip()
        if stripped.endswith(joiner):
            pending += stripped[:-1] + " "
            continue
        lines.append((start, pending + stripped))
        pending = ""
    return lines


def _tokens(line: str, powershell: bool) -> list[str]:
    if powershell:
        words = shlex.split(line, posix=False)
        return [w[1:-1] if len(w) > 1 and w[0] == w[-1] and w[0] in "\"'" else w for w in words]
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def _segments(tokens: list[str]) -> list[list[str]]:
    segments, current = [], []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token in SHELL_SEPARATORS:
            segments.append(current)
            current = []
        elif token in REDIRECTIONS:
            skip_next = True
        else:
            current.append(token)
    segments.append(current)
    return [s for s in segments if s]


def _program(segment: list[str]) -> tuple[str, list[str]] | None:
    """(program, args) after sudo, env assignments, `docker exec ... CONTAINER` and PowerShell's `&`."""
    words = list(segment)
    while words:
        head = words[0]
        if head == "&" or re.match(r"^[A-Z_][A-Z0-9_]*=", head):
            words.pop(0)
        elif head == "sudo":
            words.pop(0)
            if words and words[0] == "-u":
                words = words[2:]
        elif head == "docker" and len(words) > 1 and words[1] == "exec":
            words = words[2:]
            while words and words[0].startswith("-"):
                words.pop(0)
            words = words[1:]  # the container's name
        else:
            break
    if not words:
        return None
    name = re.split(r"[\\/]", words[0])[-1].removesuffix(".exe")
    return name, words[1:]


def commands(guide: str) -> list[Command]:
    text = (DOCS / guide).read_text(encoding="utf-8")
    found = []
    for language, first, body in code_blocks(text):
        if language in ("json", "python", "toml", "ini", "text"):
            continue
        powershell = language in ("powershell", "ps1", "pwsh")
        variables: dict[str, str] = {}
        for number, line in _logical_lines(body, first, powershell):
            assignment = re.fullmatch(r'\s*\$(\w+)\s*=\s*"([^"]*)"\s*', line) if powershell else None
            if assignment:  # `$agent = "...\cita-agent.exe"`, then `& $agent configure ...`
                variables[assignment.group(1)] = assignment.group(2)
                continue
            for name, value in variables.items():
                line = line.replace(f"${name} ", f'"{value}" ')
            for segment in _segments(_tokens(line, powershell)):
                parsed = _program(segment)
                if parsed:
                    found.append(Command(guide, number, parsed[0], tuple(parsed[1])))
    return found


ALL_COMMANDS = [c for guide in GUIDES if (DOCS / guide).exists() for c in commands(guide)]


def test_every_guide_exists():
    missing = [g for g in GUIDES if not (DOCS / g).exists()]
    assert not missing, f"docs/ lacks {missing}"


@pytest.mark.parametrize("command", [c for c in ALL_COMMANDS if c.program in PARSERS], ids=str)
def test_command_is_accepted_by_the_real_parser(command):
    try:
        parse_with(PARSERS[command.program](), list(command.args))
    except CommandRejected as rejected:
        pytest.fail(f"{command}\n  rejected by {command.program}: {rejected}")


def test_the_guides_show_each_program():
    programs = {c.program for c in ALL_COMMANDS}
    assert {"cita-relay", "cita-agent", "cita-demo"} <= programs


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, re.MULTILINE))


def test_make_targets_exist():
    targets = _make_targets()
    for command in (c for c in ALL_COMMANDS if c.program == "make"):
        for arg in command.args:
            if not arg.startswith("-") and "=" not in arg:
                assert arg in targets, f"{command}: the Makefile has no target {arg!r}"


def _codegen_help() -> str:
    playwright = Path(sys.executable).with_name("playwright")
    result = subprocess.run([str(playwright), "codegen", "--help"], capture_output=True, text=True, timeout=120)
    return result.stdout


def test_playwright_codegen_flags_exist():
    uses = [c for c in ALL_COMMANDS if c.program == "playwright" and c.args[:1] == ("codegen",)]
    assert uses, "write-a-driver.md should show `playwright codegen`"
    helptext = _codegen_help()
    for command in uses:
        for arg in command.args:
            if arg.startswith("-"):
                flag = arg.split("=")[0]
                assert re.search(rf"(^|[\s,]){re.escape(flag)}\b", helptext), f"{command}: no flag {flag}"


# ------------------------------------------------------------------------------------------- files and links


def _slug(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_links_and_repository_paths_exist():
    problems = []
    for guide in GUIDES:
        text = (DOCS / guide).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            file_part, _, anchor = target.partition("#")
            path = DOCS / guide if not file_part else (DOCS / file_part)
            if not path.exists():
                problems.append(f"{guide}: link to missing {target}")
                continue
            if anchor:
                headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
                if anchor not in {_slug(h) for h in headings}:
                    problems.append(f"{guide}: no heading for #{anchor} in {path.name}")
        for path in re.findall(r"`((?:deploy|installer|agent|relay|demo|wire|docs|tests|scripts)/[\w./-]+)", text):
            path = path.split(":")[0].rstrip(".")
            if not (ROOT / path).exists():
                problems.append(f"{guide}: names {path}, which does not exist")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------- names


def test_relay_settings_are_all_documented_and_real(relay_env_names):
    from dataclasses import fields

    from relay.settings import ENV_PREFIX, RelaySettings

    text = (DOCS / "operate-the-relay.md").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"CITA_RELAY_[A-Z_]+[A-Z]", text))
    assert not mentioned - relay_env_names, f"no such settings: {sorted(mentioned - relay_env_names)}"
    undocumented = {ENV_PREFIX + f.name.upper() for f in fields(RelaySettings)} - mentioned - {"CITA_RELAY_DATA_DIR"}
    assert not undocumented, f"operate-the-relay.md does not list {sorted(undocumented)}"
    for guide in GUIDES:
        other = set(re.findall(r"CITA_RELAY_[A-Z_]+[A-Z]", (DOCS / guide).read_text(encoding="utf-8")))
        assert not other - relay_env_names, f"{guide}: no such settings {sorted(other - relay_env_names)}"


def test_metrics_exist():
    source = (ROOT / "relay" / "metrics.py").read_text(encoding="utf-8")
    text = (DOCS / "operate-the-relay.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`(cita_relay_\w+)`", text))
    assert names
    for name in names:
        base = re.sub(r"_(total|bucket|count|sum)$", "", name)
        assert f'"{base}"' in source, f"relay/metrics.py has no metric {base}"


def test_log_events_exist():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "relay").rglob("*.py"))
    text = (DOCS / "operate-the-relay.md").read_text(encoding="utf-8")
    table = text.split("The events an operator acts on", 1)[1].split("##", 1)[0]
    events = set(re.findall(r"^\| `([a-z_]+)`(?:, `([a-z_]+)`)?", table, re.MULTILINE))
    names = {n for pair in events for n in pair if n}
    assert names
    missing = [n for n in names if f'"{n}"' not in source]
    assert not missing, f"the relay logs no event {missing}"


def test_kommo_guide_names_the_url_placeholders_and_statuses():
    from relay.conversation import STATUSES

    text = (DOCS / "set-up-kommo.md").read_text(encoding="utf-8")
    assert "https://<relay>/kommo/<clinic>" in text
    for key, placeholder in (("lead_id", "{{lead.id}}"), ("message", "{{message_text}}"),
                             ("name", "{{contact.name}}"), ("phone", "{{contact.phone}}")):
        assert f'"{key}": "{placeholder}"' in text, f"the widget_request data lacks {key}={placeholder}"
    branches = set(re.findall(r"^\| `([a-z_]+)` \|", text.split("{{json.status}}` |", 1)[1], re.MULTILINE))
    assert branches == set(STATUSES), f"branches {sorted(branches)} but the relay answers {STATUSES}"


def test_kommo_guide_data_keys_are_what_the_relay_reads():
    """The four `data` keys of the widget_request are the ones relay/widget_request.py takes."""
    source = (ROOT / "relay" / "widget_request.py").read_text(encoding="utf-8")
    for key in ("lead_id", "message", "name", "phone"):
        assert f'"{key}"' in source, f"relay/widget_request.py does not read data.{key}"


def test_kommo_guide_reads_as_five_steps():
    """Upload the archive, connect the clinic, build the bot, check-clinic, the first patient: each shows its command."""
    text = (DOCS / "set-up-kommo.md").read_text(encoding="utf-8")
    steps = re.findall(r"^## (\d)\. (.+)$", text, re.MULTILINE)
    assert [int(n) for n, _ in steps] == [1, 2, 3, 4, 5], steps
    shown = {c.args[0] for c in commands("set-up-kommo.md") if c.program == "cita-relay"}
    assert {"kommo-widget", "set-kommo-oauth", "kommo-install-link", "check-clinic"} <= shown
    assert "--auth-code-stdin" in text and "{{json.status}}" in text
