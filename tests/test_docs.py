"""The manual holds together: every relative link and #anchor of README.md and docs/*.md resolves (GitHub's
heading slugs), the README stays a short front door, and its examples are the real output of the commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import REPO

from mscgraph.cli import main

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^()\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def prose(text: str) -> list[str]:
    """The lines outside fenced code blocks, inline code spans blanked (links in code are not links)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            lines.append("")
            continue
        lines.append("" if fenced else re.sub(r"`[^`]*`", "``", line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text, lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.replace("`", "").replace("*", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file, repeats numbered as GitHub does (x, x-1, x-2)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in path.read_text("utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            base = slug(match.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every Markdown link and image in the file's prose."""
    return [
        (number, target)
        for number, line in enumerate(prose(path.read_text("utf-8")), 1)
        for target in LINK.findall(line)
    ]


def broken(path: Path) -> list[str]:
    """The relative links of ``path`` whose file or heading does not exist, as 'file:line: target'."""
    problems = []
    for number, target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ... : not checked here
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.name}:{number}: {target}"
        if not resolved.exists():
            problems.append(f"{where} (no such file)")
        elif anchor and (resolved.suffix != ".md" or anchor not in anchors(resolved)):
            problems.append(f"{where} (no such heading)")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_and_anchor_resolves(page: Path) -> None:
    assert broken(page) == []


def test_the_checker_sees_the_links_and_finds_broken_ones(tmp_path: Path) -> None:
    # It reads the real pages: the README links to every page of docs/, with anchors that exist.
    targets = {target for _, target in links(README)}
    assert {f"docs/{p.name}" for p in PAGES[1:] if p.suffix == ".md"} <= targets
    assert "docs/cli.md#names" in targets
    assert "remote-triple-stores---endpoint---graph-and-mscgraph-push" in anchors(REPO / "docs" / "sparql.md")
    assert sum(len(links(p)) for p in PAGES) > 100
    # And it fails on a missing file, a missing heading and a missing anchor in the same page, but
    # not on a link inside code, a URL, or a repeated heading's numbered anchor.
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Part\n\n## Part\n\nSee [a](missing.md), [b](page.md#nowhere), [c](#part-2), "
        "[d](#part-1), [e](https://example.org/x), `[f](nothere.md)`.\n\n```\n[g](nothere.md)\n```\n",
        "utf-8",
    )
    assert broken(page) == [
        "page.md:7: missing.md (no such file)",
        "page.md:7: page.md#nowhere (no such heading)",
        "page.md:7: #part-2 (no such heading)",
    ]


def test_readme_is_a_short_front_door() -> None:
    text = README.read_text("utf-8")
    assert len(text.splitlines()) < 300
    # The two quick-start commands, verbatim; CI runs the second one.
    assert (
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/mscgraph mechanisms SS "
        "&& .venv/bin/mscgraph html -o mscgraph.html\n" in text
    )
    assert "```bash\nbash scripts/test.sh\n```" in text
    assert "bash scripts/test.sh" in (REPO / ".ci" / "run").read_text("utf-8")
    assert 'pytest -m "not slow"' in text and "<!-- fast-lane-time -->" in text


def readme_examples() -> list[tuple[str, list[str], str]]:
    """(command line, arguments, output) of every ``$ mscgraph ...`` example in the README's console blocks;
    a command may continue over several lines inside its quotes."""
    examples, block, fenced = [], [], False
    for line in README.read_text("utf-8").splitlines():
        if line.startswith("```"):
            if fenced:
                examples += _commands(block)
            fenced, block = line == "```console" and not fenced, []
        elif fenced:
            block.append(line)
    return examples


def _commands(block: list[str]) -> list[tuple[str, list[str], str]]:
    found: list[tuple[str, list[str], str]] = []
    lines = iter(block)
    for line in lines:
        if line.startswith("$ mscgraph "):
            command = line[2:]
            while True:
                try:
                    args = shlex.split(command)
                    break
                except ValueError:  # an open quote: the command goes on
                    command += "\n" + next(lines)
            found.append((command, args[1:], ""))
        elif found:
            cmd, args, out = found[-1]
            found[-1] = (cmd, args, out + line + "\n")
    return found


EXAMPLES = readme_examples()


def test_the_readme_has_its_examples() -> None:
    commands = [args[:2] for _, args, _ in EXAMPLES]
    assert ["mechanisms", "SS"] in commands and ["explain", "SS"] in commands and ["grid"] in commands
    assert any(args[0] == "sparql" for args in commands)
    assert all(out.strip() for _, _, out in EXAMPLES)


@pytest.mark.parametrize("command, args, expected", EXAMPLES, ids=[c.split("\n")[0] for c, _, _ in EXAMPLES])
def test_readme_example_is_the_real_output(
    runner, monkeypatch: pytest.MonkeyPatch, command: str, args: list[str], expected: str
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # the README's examples are printed 100 columns wide
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert [line.rstrip() for line in result.stdout.splitlines()] == expected.rstrip("\n").splitlines()
