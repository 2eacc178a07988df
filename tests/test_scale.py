"""Work bounded by the input's real size, never by what a file or history could be: files
over the size limit, long histories of large files, and alignment trees that are deep or
share objectives. Asserted by structure (what git is asked, lines drawn, memory allowed),
never by timings."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, commit, git, run_okr

from okrcli.history.snapshots import Snapshots

HR = "2026-Q3/hr-admin.yaml"
LIMIT = 16 * 1024 * 1024  # yamlsource.MAX_BYTES
TOO_LARGE = "error[E001]: file is larger than 16 MiB"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q")
    commit(root, "Import OKRs", "2026-07-01T09:00:00+00:00")
    return root


class GitCalls:
    """A `git` first on PATH that runs the real one and keeps each call's arguments and,
    for `cat-file --batch`/`--batch-check`, the object ids it was asked for."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def calls(self) -> list[tuple[list[str], list[str]]]:
        found = []
        for args in sorted(self.folder.glob("call.*")):
            if args.name.endswith(".stdin"):
                continue
            stdin = args.with_name(args.name + ".stdin")
            asked = stdin.read_text().split() if stdin.exists() else []
            found.append((args.read_text().split("\n")[:-1], asked))
        return found

    def batches(self, option: str = "--batch") -> list[list[str]]:
        """The ids asked of each `git cat-file OPTION`."""
        return [asked for args, asked in self.calls() if args[:2] == ["cat-file", option]]


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitCalls:
    real = shutil.which("git")
    assert real is not None
    log = tmp_path / "git-calls"
    log.mkdir()
    folder = tmp_path / "bin"
    folder.mkdir()
    wrapper = folder / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'call=$(mktemp "{log}/call.XXXXXX")\n'
        'printf "%s\\n" "$@" > "$call"\n'
        'if [ "$1" = cat-file ] && { [ "$2" = --batch ] || [ "$2" = --batch-check ]; }; then\n'
        f'  tee "$call.stdin" | exec "{real}" "$@"\n'
        "fi\n"
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return GitCalls(log)


def size_of(repo: Path, oid: str) -> int:
    return int(git(repo, "cat-file", "-s", oid))


# --- point: files over the size limit are refused before they are read ---------------------


def okr_with_memory_cap(root: Path, *args: str, cap: int) -> subprocess.CompletedProcess[str]:
    """The installed script, allowed `cap` bytes of address space: reading a file of
    gigabytes whole fails at once (MemoryError), whatever the machine has."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    return subprocess.run(
        [*command, "-C", str(root), *args],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=False,
    )


def test_a_huge_team_file_is_refused_without_being_read(okr_dir: Path) -> None:
    """A 3 GB file (sparse: it costs no disk), directly and behind a symbolic link, in a
    process allowed 1 GiB: it is E001 by its size, never read whole."""
    huge = okr_dir / "2026-Q3" / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(3 * 1024**3)
    (okr_dir / "2026-Q3" / "linked.yaml").symlink_to(huge)
    (okr_dir / "2026-Q3" / "team.yaml").write_text("objectives: []\n", encoding="utf-8")
    done = okr_with_memory_cap(okr_dir, "validate", cap=1024**3)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        f"2026-Q3/huge.yaml:1:1: {TOO_LARGE}",
        f"2026-Q3/linked.yaml:1:1: {TOO_LARGE}",
    ]
    assert "Traceback" not in done.stderr


def test_a_committed_file_over_the_limit_is_sized_not_read(repo: Path, git_calls: GitCalls) -> None:
    """At a revision (`--at`) and in the history (`log`, `diff`), git tells a blob's size
    first; one over the limit is never asked of `cat-file --batch`."""
    big = repo / "2026-Q3" / "big.yaml"
    with open(big, "wb") as handle:
        handle.truncate(LIMIT + 1024)
    commit(repo, "a big file", "2026-07-02T09:00:00+00:00")
    with open(big, "wb") as handle:
        handle.truncate(LIMIT + 2048)
    commit(repo, "a bigger one", "2026-07-03T09:00:00+00:00")
    versions = git(repo, "log", "--format=", "--raw", "--no-abbrev", "--", "2026-Q3/big.yaml")
    blobs = {line.split()[3] for line in versions.splitlines()}
    assert len(blobs) == 2
    validated = run_okr("-C", str(repo), "--at", "HEAD", "validate")
    assert validated.exit_code == 1
    assert f"2026-Q3/big.yaml:1:1: {TOO_LARGE}" in validated.stdout
    assert run_okr("-C", str(repo), "log").exit_code == 0
    assert run_okr("-C", str(repo), "diff", "HEAD~2", "HEAD").exit_code == 0
    asked = {oid for batch in git_calls.batches() for oid in batch}
    assert asked and not asked & blobs
    assert blobs <= {oid for batch in git_calls.batches("--batch-check") for oid in batch}


# --- point: history reads batches bounded by bytes ------------------------------------------


def test_history_batches_are_bounded_by_bytes(
    repo: Path, git_calls: GitCalls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many versions of a large team file: each `cat-file --batch` asks for at most
    BATCH_BYTES of content (or one blob), however many versions there are. The bound is
    lowered to 1 MiB here so that a few hundred kB per version exceed it."""
    monkeypatch.setattr(Snapshots, "BATCH_BYTES", 1024 * 1024, raising=False)
    padding = "".join(f"# padding line {n:06d} {'x' * 60}\n" for n in range(4000))
    text = (repo / HR).read_text(encoding="utf-8") + padding  # ~300 kB
    (repo / HR).write_text(text, encoding="utf-8")
    commit(repo, "padded", "2026-07-02T09:00:00+00:00")
    for value in range(69, 89):
        text = text.replace(f"current: {value - 1}\n", f"current: {value}\n", 1)
        (repo / HR).write_text(text, encoding="utf-8")
        commit(repo, f"offer rate {value}", f"2026-07-{value - 60:02d}T09:00:00+00:00")
    result = run_okr("-C", str(repo), "log", "--format", "json")
    assert result.exit_code == 0, result
    assert len(json.loads(result.stdout)) == 20
    batches = git_calls.batches()
    assert sum(len(batch) for batch in batches) >= 21
    for batch in batches:
        total = sum(size_of(repo, oid) for oid in batch)
        assert len(batch) == 1 or total <= Snapshots.BATCH_BYTES, (len(batch), total)
