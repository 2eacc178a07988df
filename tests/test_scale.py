"""Work bounded by the input's real size, never by what a file or history could be: files
over the size limit, long histories of large files, and alignment trees that are deep or
share objectives. Asserted by structure (what git is asked, lines drawn, memory allowed),
never by timings."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit, git, run_okr
from hypothesis import given
from hypothesis import strategies as st

from okrcli.history.snapshots import Snapshots
from okrcli.render import jsonout

HR = "2026-Q3/hr-admin.yaml"
LIMIT = 16 * 1024 * 1024  # yamlsource.MAX_BYTES
TOO_LARGE = "error[E001]: file is larger than 16 MiB"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


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

    def clear(self) -> None:
        for call in self.folder.glob("call.*"):
            call.unlink()

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


# --- points: the alignment tree, shared objectives and deep chains ------------------------


def objective(index: int, aligns: list[int], owner: str | None = None) -> str:
    parents = f"    aligns: [{', '.join(f't/o{p}' for p in aligns)}]\n" if aligns else ""
    owned = f"    owner: {owner}\n" if owner else ""
    return (
        f"  - id: o{index}\n    title: Objective {index}\n{owned}{parents}    key_results:\n"
        f"      - id: k\n        title: Ship 10 things\n        baseline: 0\n"
        f"        target: 10\n        current: {index % 10}\n"
    )


def cycle_of(root: Path, objectives: list[str]) -> Path:
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text(
        "organization: Deep\nlint:\n  max_objectives: 1000\n", encoding="utf-8"
    )
    (root / "2026-Q3" / "t.yaml").write_text("objectives:\n" + "".join(objectives), "utf-8")
    return root


def layered(root: Path, layers: int) -> Path:
    """Two objectives per layer, each aligned to both of the layer above: 2^layers paths.
    Ada owns the even layers' objectives, Ben the odd ones'."""
    found = []
    for layer in range(layers):
        above = [2 * layer - 2, 2 * layer - 1] if layer else []
        owner = "Ben" if layer % 2 else "Ada"
        found += [objective(2 * layer, above, owner), objective(2 * layer + 1, above, owner)]
    return cycle_of(root, found)


def chain(root: Path, length: int) -> Path:
    """o0 <- o1 <- … : each objective aligned to the one before."""
    return cycle_of(root, [objective(i, [i - 1] if i else []) for i in range(length)])


def tree_of(root: Path, *args: str) -> Any:
    result = run_okr("-C", str(root), "--as-of", "2026-08-01", "tree", *args)
    assert result.exit_code == 0, result
    return result.stdout


def walk(nodes: list[dict[str, Any]]) -> list[tuple[str | None, dict[str, Any]]]:
    """(parent address, node) of every node, in reading order, without recursion."""
    found = []
    work = [(None, node) for node in reversed(nodes)]
    while work:
        parent, node = work.pop()
        found.append((parent, node))
        work.extend((node["address"], child) for child in reversed(node.get("children", [])))
    return found


def first_aligns(address: str) -> str:
    """The first `aligns` entry of an objective of `layered`: the even one of the layer above."""
    layer = int(address.removeprefix("t/o")) // 2
    return f"t/o{2 * layer - 2}"


def test_an_objective_serving_several_parents_is_drawn_in_full_once(tmp_path: Path) -> None:
    """Ten layers: 20 objectives, 36 links. Each objective is drawn in full once (with its
    KR), under the first objective it aligns to, and each other link is one reference
    line: 20 + 20 + 18 lines, not 2^10 paths."""
    root = layered(tmp_path / "okrs", 10)
    lines = tree_of(root).splitlines()
    assert len(lines) == 20 + 20 + 18
    assert sum(" → in full under t/o" in line for line in lines) == 18
    nodes = json.loads(tree_of(root, "--format", "json"))
    found = walk(nodes)
    full = {node["address"]: parent for parent, node in found if "see" not in node}
    assert sorted(full) == sorted(f"t/o{i}" for i in range(20))
    assert len(found) == 20 + 18
    for parent, node in found:
        if node["address"] in ("t/o0", "t/o1"):
            assert parent is None and "see" not in node
        elif "see" in node:
            assert set(node) == {"address", "title", "see"}
            assert node["see"] == full[node["address"]] == first_aligns(node["address"])
            assert parent != node["see"]
        else:
            assert set(node) >= {"address", "title", "progress", "key_results", "children"}
            assert parent == first_aligns(node["address"])


def test_a_tree_from_an_objective_draws_each_one_below_it_once(tmp_path: Path) -> None:
    """From t/o1, the first `aligns` of the objectives just below (t/o0) is outside the
    tree: they are drawn in full under the first parent the tree does hold."""
    root = layered(tmp_path / "okrs", 10)
    lines = tree_of(root, "t/o1").splitlines()
    assert len(lines) == 19 + 19 + 16
    found = walk(json.loads(tree_of(root, "t/o1", "--format", "json")))
    full = [node["address"] for _, node in found if "see" not in node]
    assert sorted(full) == sorted(f"t/o{i}" for i in range(1, 20))
    assert [parent for parent, node in found if node["address"] in ("t/o2", "t/o3")] == [
        "t/o1",
        "t/o1",
    ]


def test_one_owners_tree_of_shared_objectives_is_drawn_once_too(tmp_path: Path) -> None:
    """--owner Ada keeps layers 0, 2, … 8 (10 objectives); each of layers 2 … 8 hangs
    under both objectives two layers up (its parents are Ben's): in full under the first,
    referenced under the other. 10 + 10 + 8 lines."""
    root = layered(tmp_path / "okrs", 10)
    lines = tree_of(root, "--owner", "Ada").splitlines()
    assert len(lines) == 10 + 10 + 8
    found = walk(json.loads(tree_of(root, "--owner", "Ada", "--format", "json")))
    full = {node["address"]: parent for parent, node in found if "see" not in node}
    assert sorted(full) == sorted(f"t/o{i}" for i in range(20) if i // 2 % 2 == 0)
    for parent, node in found:
        layer = int(node["address"].removeprefix("t/o")) // 2
        expected_home = f"t/o{2 * layer - 4}" if layer else None
        if "see" in node:
            assert node["see"] == expected_home and parent == f"t/o{2 * layer - 3}"
        else:
            assert parent == expected_home


def test_an_aligns_chain_of_1200_objectives_draws_in_every_format(tmp_path: Path) -> None:
    """No recursion breaks on a long chain (500 crashed; 1,200 also breaks a recursion of
    one frame per level): validate, tree piped, JSON compact and indented, complete to the
    last objective."""
    root = chain(tmp_path / "okrs", 1200)
    done = run_okr("-C", str(root), "validate")
    assert done.exit_code == 0, done
    lines = tree_of(root).splitlines()
    assert len(lines) == 2400
    assert lines[-2].lstrip(" └─").startswith("t/o1199  Objective 1199")
    compact = tree_of(root, "--format", "json")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)  # for the test's own json.loads, not for okr
    try:
        nodes = json.loads(compact)
    finally:
        sys.setrecursionlimit(limit)
    depth, node = 0, nodes[0]
    while node["children"]:
        (node,) = node["children"]
        depth += 1
    assert (depth, node["address"]) == (1199, "t/o1199")
    # One owner's part of the chain: every other objective, each under the one two up.
    chain_of_owner = tmp_path / "owned"
    cycle_of(
        chain_of_owner,
        [objective(i, [i - 1] if i else [], "Ada" if i % 2 else "Ben") for i in range(1200)],
    )
    owned = tree_of(chain_of_owner, "--owner", "Ada").splitlines()
    assert len(owned) == 1200
    assert owned[-2].lstrip(" └─").startswith("t/o1199  Objective 1199")
    # At a terminal the JSON is indented (its size grows with depth × lines, as any
    # indented JSON does, so it is checked here rather than drawn through a terminal).
    indented = jsonout.encode_tree(nodes, indent=True)
    sys.setrecursionlimit(10_000)
    try:
        assert json.loads(indented) == nodes
    finally:
        sys.setrecursionlimit(limit)


def test_an_aligns_chain_too_deep_for_the_terminal_says_where_it_goes_on(tmp_path: Path) -> None:
    """rich cuts labels to nothing past the width: the drawing stops at a depth that
    leaves room, with a line saying how many objectives are below and how to see them."""
    from test_cli import run_on_terminal

    root = chain(tmp_path / "okrs", 500)
    code, output = run_on_terminal("--as-of", "2026-08-01", "tree", cwd=root)
    assert code == 0, output
    flat = " ".join(ANSI.sub("", output).split())
    match = re.search(
        r"⋯ (\d+) more objective\(s\) below, too deep to draw here: 'okr tree t/o(\d+)'", flat
    )
    assert match is not None, flat[-400:]
    shown = int(match.group(2))
    assert int(match.group(1)) == 499 - shown and 10 < shown < 100
    assert f"t/o{shown} Objective {shown}" in flat and f"t/o{shown + 1} " not in flat
    assert "Traceback" not in output


def test_a_loop_of_500_objectives_is_one_e010(tmp_path: Path) -> None:
    objectives = [objective(i, [i - 1 if i else 499]) for i in range(500)]
    root = cycle_of(tmp_path / "okrs", objectives)
    done = run_okr("-C", str(root), "validate")
    assert done.exit_code == 1
    (line,) = done.stdout.splitlines()
    assert "error[E010]: aligns forms a loop: t/o0 → t/o499 → t/o498" in line


node_fields = st.fixed_dictionaries(
    {"address": st.text(max_size=5), "title": st.text(max_size=8), "progress": st.floats(0, 1)}
)
trees = st.recursive(
    st.builds(lambda fields: {**fields, "see": "x"}, node_fields),
    lambda below: st.builds(
        lambda fields, krs, children: {**fields, "key_results": krs, "children": children},
        node_fields,
        st.lists(st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), max_size=2),
        st.lists(below, max_size=3),
    ),
    max_leaves=12,
)


@given(st.lists(trees, max_size=3), st.booleans())
def test_the_tree_json_is_what_json_itself_writes(
    nodes: list[dict[str, Any]], indent: bool
) -> None:
    """The encoder without recursion writes the bytes json.dumps writes (where json.dumps
    can), compact and indented, text of any kind included."""
    assert jsonout.encode_tree(nodes, indent) == jsonout.encode(nodes, indent)


def test_a_mermaid_map_split_for_github_splits_each_objective_once() -> None:
    """Split per objective when a branch is over GitHub's limits: an objective below two
    split ones was split (and queued again) under each, doubling per layer."""
    from okrcli.render import mermaid

    objectives = [
        {
            "address": f"t/o{2 * layer + side}",
            "title": f"Objective {2 * layer + side}",
            "aligns": [f"t/o{2 * layer - 2}", f"t/o{2 * layer - 1}"] if layer else [],
            "progress": 0.5,
            "status": "on-track",
        }
        for layer in range(136)
        for side in (0, 1)
    ]  # 540 links: over 500
    found = mermaid.diagrams(objectives)
    starts = [start for start, _ in found]
    assert len(starts) == len(set(starts)) < 40
    assert all(text.count(" --> ") <= mermaid.MAX_EDGES for _, text in found)
    drawn = {a for _, text in found for a in re.findall(r"<br/>([\w/-]+) ·", text)}
    assert drawn == {o["address"] for o in objectives}


def test_a_revisions_files_are_read_in_batches_bounded_by_bytes(
    repo: Path, git_calls: GitCalls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--at` reads every team file of the cycle: in `cat-file` calls of at most
    BATCH_BYTES each (lowered to 1 MiB here; five files of ~500 kB)."""
    from okrcli.history import gitread

    monkeypatch.setattr(gitread, "BATCH_BYTES", 1024 * 1024)
    padding = "".join(f"# padding line {n:06d} {'x' * 60}\n" for n in range(6000))
    for team in ("a", "b", "c", "d", "e"):
        (repo / "2026-Q3" / f"{team}.yaml").write_text(
            f"name: {team}\nobjectives: []\n{padding}", "utf-8"
        )
    commit(repo, "five large teams", "2026-07-02T09:00:00+00:00")
    result = run_okr("-C", str(repo), "--at", "HEAD", "validate")
    assert result.exit_code == 0, result
    batches = git_calls.batches()
    assert sum(len(batch) for batch in batches) >= 8  # the example's three, the five, okr.yaml
    for batch in batches:
        total = sum(size_of(repo, oid) for oid in batch)
        assert len(batch) == 1 or total <= 1024 * 1024, (len(batch), total)


def test_a_check_in_pays_no_git_process_for_sparse_checkouts(
    repo: Path, git_calls: GitCalls
) -> None:
    """Whether files are left out of the working tree is asked of git (`ls-files`) only
    where a sparse checkout is set up: a check-in's git processes are counted."""
    result = run_okr("-C", str(repo), "checkin", "offer-rate", "70")
    assert result.exit_code == 0, result
    assert [args for args, _ in git_calls.calls() if "ls-files" in args] == []
    git(repo, "sparse-checkout", "set", "--no-cone", "/okr.yaml", "/2026-Q3/")
    result = run_okr("-C", str(repo), "checkin", "offer-rate", "71")
    assert result.exit_code == 0, result
    assert len([args for args, _ in git_calls.calls() if "ls-files" in args]) == 1


def _git_command(args: list[str]) -> str:
    """The git command of a call's arguments: the first one that is no option."""
    return next(arg for arg in args if not arg.startswith("-"))


def test_a_check_in_asks_git_four_things(repo: Path, git_calls: GitCalls) -> None:
    """Where the repository and its branch are, what HEAD and the file are under the lock,
    the commit, and where it landed: one git process each, every check-in."""
    result = run_okr("-C", str(repo), "checkin", "offer-rate", "70")
    assert result.exit_code == 0, result
    commands = sorted(_git_command(args) for args, _ in git_calls.calls())
    assert commands == ["commit", "rev-parse", "rev-parse", "status"]


def test_a_sync_asks_git_the_same_four_things_for_all_its_files(
    tmp_path: Path, git_calls: GitCalls
) -> None:
    """Three team files written by one sync: git is asked once for all of them."""
    root = tmp_path / "fed"
    (root / "2026-Q3").mkdir(parents=True)
    (root / "okr.yaml").write_text(
        "organization: Fed\nsources:\n  feed: {csv: feed.csv, key: kr, value: value}\n",
        encoding="utf-8",
    )
    rows = ["kr,value"]
    for team in ("ops", "people", "sales"):
        (root / "2026-Q3" / f"{team}.yaml").write_text(
            "objectives:\n  - id: grow\n    title: Grow 2 markets\n    key_results:\n"
            "      - id: deals\n        title: Deals from 0 to 10\n        baseline: 0\n"
            f"        target: 10\n        current: 1\n        source: feed:{team}\n",
            encoding="utf-8",
        )
        rows.append(f"{team},5")
    (root / "feed.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "three fed teams", "2026-07-01T09:00:00+00:00")
    git_calls.clear()
    result = run_okr("-C", str(root), "--as-of", "2026-08-15", "sync")
    assert result.exit_code == 0, result
    assert "3 key results from feed" in result.stdout, result
    commands = sorted(_git_command(args) for args, _ in git_calls.calls())
    assert commands == ["commit", "rev-parse", "rev-parse", "status"]
