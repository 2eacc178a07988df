"""Work on two cores (okrcli/files/forked.py): the same results as on one, errors raised
as on one, and the commands that use it (validate, next, close) print and write the same
bytes with and without it, on a cycle large enough to fork."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLE, commit, git

from okrcli.files import cache, forked

TWO_CORES = hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > 1
needs_two_cores = pytest.mark.skipif(not TWO_CORES, reason="forking needs two CPUs")
TEAMS = forked.MIN_ITEMS + 12


def pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


@needs_two_cores
def test_the_second_half_is_computed_in_a_child_and_comes_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(forked.JOBS_VARIABLE, raising=False)
    items = list(range(100))
    results = forked.map_split(pid_and_square, items)
    assert [square for _, square in results] == [n * n for n in items]
    pids = [pid for pid, _ in results]
    assert set(pids[:50]) == {os.getpid()}
    assert len(set(pids[50:])) == 1 and pids[50] != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was reaped


def test_one_job_or_few_items_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.JOBS_VARIABLE, "1")
    assert {pid for pid, _ in forked.map_split(pid_and_square, range(100))} == {os.getpid()}
    monkeypatch.delenv(forked.JOBS_VARIABLE)
    few = forked.map_split(pid_and_square, range(forked.MIN_ITEMS - 1))
    assert {pid for pid, _ in few} == {os.getpid()}


@pytest.mark.parametrize("jobs", ["1", ""])
def test_then_hears_every_item_and_result_in_order_in_this_process(
    monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setenv(forked.JOBS_VARIABLE, jobs)
    heard: list[tuple[int, int, int]] = []

    def then(item: int, result: tuple[int, int]) -> None:
        heard.append((item, result[1], os.getpid()))

    results = forked.map_split(pid_and_square, range(100), then=then)
    assert [square for _, square in results] == [n * n for n in range(100)]
    assert heard == [(n, n * n, os.getpid()) for n in range(100)]


def failing_at(*bad: int) -> Callable[[int], int]:
    def function(n: int) -> int:
        if n in bad:
            raise ValueError(f"item {n} is bad")
        return n

    return function


@needs_two_cores
@pytest.mark.parametrize(
    ("bad", "raised"),
    [
        ((90,), "item 90 is bad"),  # in the child's half: raised here as one core raises it
        ((10, 90), "item 10 is bad"),  # in both halves: the first in order wins
    ],
)
def test_an_error_is_raised_as_one_core_raises_it_and_the_child_is_not_left_behind(
    bad: tuple[int, ...], raised: str
) -> None:
    with pytest.raises(ValueError, match=raised):
        forked.map_split(failing_at(*bad), list(range(100)))
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


@needs_two_cores
def test_a_result_that_cannot_travel_is_computed_here_instead() -> None:
    # A closure cannot be pickled: the child fails to send, and the parent computes its half.
    results = forked.map_split(lambda n: lambda: n, list(range(100)))
    assert [make() for make in results] == list(range(100))


@needs_two_cores
def test_meanwhile_runs_here_before_the_items_and_the_child_takes_its_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(forked.JOBS_VARIABLE, raising=False)
    called: list[int] = []
    results = forked.map_split(
        pid_and_square,
        list(range(100)),
        meanwhile=lambda: called.append(os.getpid()),
        child_share=0.6,
    )
    assert called == [os.getpid()]
    assert [square for _, square in results] == [n * n for n in range(100)]
    pids = [pid for pid, _ in results]
    assert set(pids[:40]) == {os.getpid()} and os.getpid() not in pids[40:]


@needs_two_cores
def test_an_error_of_meanwhile_comes_before_the_items_and_stops_the_child() -> None:
    def refuse() -> None:
        raise ValueError("not now")

    with pytest.raises(ValueError, match="not now"):
        forked.map_split(failing_at(10, 90), list(range(100)), meanwhile=refuse)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_meanwhile_comes_first_on_one_core_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forked.JOBS_VARIABLE, "1")
    order: list[object] = []
    forked.map_split(order.append, list(range(100)), meanwhile=lambda: order.append("first"))
    assert order == ["first", *range(100)]


# --- the commands -----------------------------------------------------------------------


def team_file(index: int) -> str:
    return (
        f"name: Team {index}\n"
        "owner: 王芳\n"
        "objectives:\n"
        "  - id: hiring\n"
        f"    title: 招聘{index}名工程师\n"
        "    key_results:\n"
        "      - id: offers\n"
        f"        title: Offer acceptance from 60% to {70 + index % 20}%\n"
        f"        source: hris:offers-{index}\n"
        "        unit: '%'\n"
        "        baseline: 60\n"
        f"        target: {70 + index % 20}\n"
        f"        current: {60 + index % 9}\n"
        "      - id: handbook\n"
        f"        title: Publish the handbook in {index % 5 + 2} languages\n"
        f"        done: {'true' if index % 3 == 0 else 'false'}\n"
    )


def company(root: Path) -> Path:
    (root / "2026-Q3").mkdir(parents=True)
    config = "organization: 测试公司\nsources:\n  hris: {csv: hr.csv, key: metric, value: value}\n"
    (root / "okr.yaml").write_text(config, encoding="utf-8")
    rows = "".join(f"offers-{index},{61 + index % 7}\n" for index in range(TEAMS))
    (root / "hr.csv").write_text("metric,value\n" + rows, encoding="utf-8")
    for index in range(TEAMS):
        (root / "2026-Q3" / f"team-{index:03d}.yaml").write_text(team_file(index), "utf-8")
    git(root, "init", "-q")
    commit(root, "Import OKRs")
    return root


def cache_keys(tmp_path: Path, jobs: str, command: str) -> set[str]:
    """Every entry's key in the cache a run of `okr` (below) with `jobs` used."""
    folder = tmp_path / f"cache-{jobs}-{command}" / "okr"
    return {
        key for path in folder.glob("*.okrcache") for key in cache.decode_file(path.read_bytes())
    }


def okr(root: Path, jobs: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != forked.JOBS_VARIABLE}
    if jobs is not None:
        env[forked.JOBS_VARIABLE] = jobs
    env["XDG_CACHE_HOME"] = str(root.parent / f"cache-{jobs}-{args[0]}")  # cold each time
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    return subprocess.run(
        [*command, "-C", str(root), "--as-of", "2026-09-30", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@needs_two_cores
@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("scorecard", "--format", "json"),
        ("next", "--dry-run"),
        ("next", "--no-commit"),
        ("close", "--accept", "--no-commit"),
        ("sync", "--no-commit"),
    ],
)
def test_a_command_prints_and_writes_the_same_on_one_core_and_two(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    one = company(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    serial, split = okr(one, "1", *args), okr(two, None, *args)
    assert split.returncode == serial.returncode == 0, split.stderr
    assert (split.stdout, split.stderr) == (serial.stdout, serial.stderr)
    written = sorted(p.relative_to(one) for p in one.rglob("*.yaml"))
    assert written == sorted(p.relative_to(two) for p in two.rglob("*.yaml"))
    for path in written:
        assert (two / path).read_bytes() == (one / path).read_bytes(), path
    changed = git(one, "status", "--porcelain")
    assert changed == git(two, "status", "--porcelain")
    assert bool(changed) is ("--no-commit" in args)  # the writing commands wrote


@needs_two_cores
@pytest.mark.parametrize("args", [("sync",), ("close", "--accept")])
def test_a_write_on_two_cores_caches_every_file_it_wrote_as_one_core_does(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    # The child's half is validated in the child: its cache entries come back with its edits.
    one = company(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    assert okr(one, "1", *args).returncode == 0
    assert okr(two, None, *args).returncode == 0

    serial, split = cache_keys(tmp_path, "1", args[0]), cache_keys(tmp_path, "None", args[0])
    assert len(serial) > TEAMS + TEAMS // 2  # the files as they were, and most as written
    assert split == serial


@needs_two_cores
def test_a_cold_read_on_two_cores_caches_what_one_core_caches(tmp_path: Path) -> None:
    # The child's half of the files comes back with its cache entries encoded, adopted here.
    root = company(tmp_path / "one")
    assert okr(root, "1", "validate").returncode == 0
    assert okr(root, None, "validate").returncode == 0

    def entries(jobs: str) -> dict[str, object]:
        folder = tmp_path / f"cache-{jobs}-validate" / "okr"
        return {
            key: value
            for path in sorted(folder.glob("*.okrcache"))
            for key, value in cache.decode_file(path.read_bytes()).items()
        }

    serial, split = entries("1"), entries("None")
    assert len(serial) >= TEAMS  # every team file's result
    assert split == serial


def weeks_of_check_ins(root: Path, weeks: int, renamed_at: int | None = None) -> None:
    """A commit a week that changes every team's offers KR: a history of weeks × TEAMS file
    changes, long enough to be read on two cores (split.SPLIT_CHANGES). `renamed_at`:
    the week after which team-005's file is `team-005.yml`."""
    for week in range(1, weeks + 1):
        if week - 1 == renamed_at:
            git(root, "mv", "2026-Q3/team-005.yaml", "2026-Q3/team-005.yml")
        for index in range(TEAMS):
            name = f"team-{index:03d}.yaml"
            if renamed_at is not None and week > renamed_at and index == 5:
                name = "team-005.yml"
            path = root / "2026-Q3" / name
            text = path.read_text(encoding="utf-8")
            old = f"        current: {60 + index % 9}\n"
            new = f"        current: {60 + index % 9 + week}\n"
            path.write_text(text.replace(old, new) if week == 1 else _bump(text), "utf-8")
        git(root, "commit", "-qam", f"week {week}", f"--date=2026-07-{5 + week:02d}T10:00:00+08:00")


def _bump(text: str) -> str:
    lines = text.split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("        current: "))
    lines[at] = f"        current: {int(lines[at].split(': ')[1]) + 1}"
    return "\n".join(lines)


@needs_two_cores
def test_the_history_is_read_in_a_child_by_teams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_reduced forks: each group of teams is reduced in its own process, a renamed
    team's two paths in one group, and the blobs were read once, before the fork."""
    from okrcli.history import split, versions
    from okrcli.history.snapshots import Snapshots

    monkeypatch.delenv(forked.JOBS_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = company(tmp_path / "one")
    weeks_of_check_ins(root, split.SPLIT_CHANGES // TEAMS + 1, renamed_at=4)

    def where(steps: list[versions.Step]) -> tuple[int, set[str], set[str]]:
        return os.getpid(), {f.team for s in steps for f in s.files}, set()

    snapshots = Snapshots(root, "2026-Q3")
    parts = split.load_reduced(root, "HEAD", "2026-Q3", where, snapshots=snapshots)
    assert len(parts) == 2 and parts[0][0] == os.getpid() != parts[1][0]
    teams = [part[1] for part in parts]
    assert teams[0] | teams[1] == {f"team-{n:03d}" for n in range(TEAMS)}
    assert not teams[0] & teams[1]  # team-005 (two paths) in one group only


@needs_two_cores
@pytest.mark.parametrize(
    ("args", "renamed_at"),
    [(("retro", "--format", "json"), None), (("retro", "team-001"), None),
     (("retro", "--format", "json"), 4)],
)  # fmt: skip
def test_the_history_read_on_two_cores_reads_as_on_one(
    tmp_path: Path, args: tuple[str, ...], renamed_at: int | None
) -> None:
    from okrcli.history import split

    one = company(tmp_path / "one")
    weeks = split.SPLIT_CHANGES // TEAMS + 1
    weeks_of_check_ins(one, weeks, renamed_at)
    assert TEAMS * (weeks + 1) >= split.SPLIT_CHANGES  # the split is taken
    serial, split = okr(one, "1", *args), okr(one, None, *args)
    assert (split.returncode, split.stdout, split.stderr) == (
        serial.returncode,
        serial.stdout,
        serial.stderr,
    )
    if args[-1] == "json":
        krs = [kr for team in json.loads(split.stdout)["teams"] for o in team["objectives"]
               for kr in o["key_results"]]  # fmt: skip
        offers = [kr for kr in krs if kr["address"].endswith("/offers")]
        # A rename without rename detection adds the file anew: its week is no change.
        counts = {kr["address"]: kr["checkins"] for kr in offers}
        renamed = {"team-005/hiring/offers": weeks - 1} if renamed_at is not None else {}
        assert len(counts) == TEAMS
        assert counts == {address: weeks for address in counts} | renamed

    # The child's snapshots were kept here too.
    assert cache_keys(tmp_path, "None", args[0]) == cache_keys(tmp_path, "1", args[0])


@needs_two_cores
def test_the_site_built_on_two_cores_is_the_site_built_on_one(tmp_path: Path) -> None:
    from okrcli.history import split

    root = company(tmp_path / "one")
    weeks = split.SPLIT_CHANGES // TEAMS + 1
    weeks_of_check_ins(root, weeks)
    serial = okr(root, "1", "site", "-o", str(tmp_path / "site-1"))
    split = okr(root, None, "site", "-o", str(tmp_path / "site-2"))
    assert serial.returncode == split.returncode == 0, split.stderr
    pages = sorted(p.relative_to(tmp_path / "site-1") for p in (tmp_path / "site-1").rglob("*"))
    assert pages == sorted(
        p.relative_to(tmp_path / "site-2") for p in (tmp_path / "site-2").rglob("*")
    )
    for page in pages:
        if (tmp_path / "site-1" / page).is_file():
            assert (tmp_path / "site-1" / page).read_bytes() == (
                tmp_path / "site-2" / page
            ).read_bytes()
    team = (tmp_path / "site-2" / "2026-Q3" / "teams" / "team-007.html").read_text("utf-8")
    offers = team.split('id="kr-team-007--hiring--offers"')[1].split("</article>")[0]
    # Every week's check-in is on its page.
    assert offers.count('<td data-label="What">current</td>') == weeks


@needs_two_cores
def test_a_page_either_process_cannot_write_fails_the_site_in_one_line(tmp_path: Path) -> None:
    root = company(tmp_path / "one")
    out = tmp_path / "site"
    assert okr(root, None, "site", "-o", str(out)).returncode == 0
    # Pages are dealt out by size, the biggest first: the smallest pages go to both shares.
    blocked = [out / "2026-Q3" / "teams" / f"team-{n:03d}.html" for n in (0, 1, 2, 3)]
    for page in blocked:
        page.unlink()
        page.mkdir()
    result = okr(root, None, "site", "-o", str(out))
    assert result.returncode == 1
    assert result.stderr == f"okr: cannot write the site into {out}: Is a directory\n"


@pytest.mark.parametrize("jobs", ["1", ""])
def test_waiting_is_called_once_here_before_the_results_come(
    monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    monkeypatch.setenv(forked.JOBS_VARIABLE, jobs)
    called: list[int] = []
    results = forked.map_split(
        pid_and_square, range(100), waiting=lambda: called.append(os.getpid())
    )
    assert called == [os.getpid()]
    assert [square for _, square in results] == [n * n for n in range(100)]


def test_blobs_read_in_the_background_are_those_read_in_the_foreground(tmp_path: Path) -> None:
    from okrcli.history import gitread

    root = company(tmp_path / "one")
    listed = git(root, "ls-tree", "-r", "HEAD", "2026-Q3").split("\n")
    oids = [*(line.split()[2] for line in listed[:10]), "0" * 40]  # and one missing
    early = gitread.BackgroundBlobs(root, oids)
    assert early.result() == gitread.read_blobs(root, oids)
    assert len(early.result()) == 10  # read again in the foreground: it was collected


def test_sizes_asked_in_the_background_are_those_asked_in_the_foreground(tmp_path: Path) -> None:
    from okrcli.history import gitread

    root = company(tmp_path / "one")
    listed = git(root, "ls-tree", "-r", "HEAD", "2026-Q3").split("\n")
    oids = [*(line.split()[2] for line in listed[:10]), "0" * 40]  # and one missing
    sizes = gitread.blob_sizes(root, oids)
    assert len(sizes) == 10 and all(size > 0 for size in sizes.values())
    assert gitread.BackgroundSizes(root, oids).result() == sizes


@needs_two_cores
@pytest.mark.parametrize("walked", [True, False])
def test_the_early_read_takes_the_log_and_the_blobs_while_the_files_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, walked: bool
) -> None:
    """EarlyRead, as load_cycle's `waiting`: the history read after it is the history read
    without it. When git has walked the history by then, the early read asks git for the
    blobs, none of the files as they stand (the loader's); when git is still at it (here,
    asked at once), it leaves the history to be read as usual."""
    import time

    from okrcli.files import loader
    from okrcli.files.workspace import git_blob_id, open_workspace
    from okrcli.history import gitread, split, versions
    from okrcli.history.snapshots import Snapshots

    monkeypatch.delenv(forked.JOBS_VARIABLE, raising=False)
    root = company(tmp_path / "one")
    weeks_of_check_ins(root, split.SPLIT_CHANGES // TEAMS + 1)
    present = {git_blob_id(p.read_bytes()) for p in (root / "2026-Q3").glob("*.yaml")}

    def read(early_too: bool) -> list[tuple[set[str], int]]:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{early_too}"))
        workspace = open_workspace(root)
        span = workspace.cycles["2026-Q3"]
        snapshots = Snapshots(root, "2026-Q3")
        with gitread.BackgroundLog(root, "HEAD", "2026-Q3") as log:
            early = versions.EarlyRead(snapshots, "2026-Q3", log) if early_too else None
            if early is not None and not walked:
                walked_before = log.finished()
                early()  # git has likely only just started: then nothing is taken
                assert early.relevant is not None or not walked_before
            while walked and not log.finished():
                time.sleep(0.01)
            data = loader.load_cycle(workspace, span, versions=True, waiting=early)
            if early is not None and walked:
                assert early.relevant is not None and early.error is None
                asked = snapshots._early
                assert asked is not None and not present & set(asked._wanted)
                assert len(asked._wanted) >= TEAMS * 3
            snapshots.seed(data.versions)
            parts = split.load_reduced(
                root,
                "HEAD",
                "2026-Q3",
                lambda steps: ({f.team for s in steps for f in s.files}, len(steps)),
                snapshots=snapshots,
                log=log,
                early=early,
            )
        return parts

    assert read(True) == read(False)


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads /proc")
@pytest.mark.parametrize("command", [("retro",), ("people",), ("site", "-o", "out")])
def test_a_command_failing_on_a_file_leaves_no_git_behind(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """The early read starts git on the history's blobs; a file error after it stops git."""
    root = company(tmp_path / "one")
    weeks_of_check_ins(root, 6)
    (root / "2026-Q3" / "team-003.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    done = okr(root, None, *command)
    assert done.returncode != 0 and "team-003.yaml" in done.stderr
    left = []
    for proc in Path("/proc").iterdir():
        try:
            if (proc / "cwd").resolve() == root.resolve():
                left.append((proc / "cmdline").read_bytes().replace(b"\0", b" "))
        except OSError:
            continue  # gone, or not ours to read
    assert left == []


def test_a_seed_keeps_the_snapshot_the_history_cache_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files read afresh seed the history, whose versions came from its cache: each
    seed keeps the cached snapshot, whose very dicts the older versions share, so a KR the
    last commit left alone is one dict before and after it (kr_versions relies on that)."""
    from okrcli.files import loader
    from okrcli.files.cache import Store
    from okrcli.files.workspace import open_workspace
    from okrcli.history import gitread, versions
    from okrcli.history.snapshots import Snapshots

    root = company(tmp_path / "one")
    weeks_of_check_ins(root, 3)
    cold = okr(root, "1", "retro", "--format", "json")  # fills both caches
    assert cold.returncode == 0, cold.stderr
    folder = root.parent / "cache-1-retro"
    (folder / "okr" / Store(f"files\0{root}").name).unlink()  # the history's stays
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    workspace = open_workspace(root)
    data = loader.load_cycle(workspace, workspace.cycles["2026-Q3"], versions=True)
    assert data.versions  # every file read afresh
    snapshots = Snapshots(root, "2026-Q3")
    changes = [c for commit in gitread.changes_log(root, "HEAD", "2026-Q3") for c in commit.changes]
    snapshots.plan(oid for c in changes for oid in (c.new, c.old) if oid)  # from the cache
    snapshots.seed(data.versions)
    steps = versions.load(root, "HEAD", "2026-Q3", snapshots=snapshots)
    last = steps[-1].files[0]
    assert last.before is not None and last.after is not None
    assert last.before["hiring/handbook"] is last.after["hiring/handbook"]
    assert last.before["hiring/offers"] is not last.after["hiring/offers"]


@pytest.mark.parametrize("jobs", ["1", None])
def test_a_history_cache_without_a_files_cache_reads_as_a_cold_one(
    tmp_path: Path, jobs: str | None
) -> None:
    """The files read afresh seed the history, whose versions come from the cache: each
    seed keeps the cached snapshot, whose dicts the older versions share (a retro counts
    the KR versions a commit wrote by that identity)."""
    from okrcli.files.cache import Store

    root = company(tmp_path / "one")
    weeks_of_check_ins(root, 3)
    for index in (1, 2):  # each has 3 weeks of check-ins: reached and confidences matter
        edit = root / "2026-Q3" / f"team-{index:03d}.yaml"
        edit.write_text(edit.read_text("utf-8").replace("target: 7", "target: 6"), "utf-8")
    git(root, "commit", "-qam", "lower two targets", "--date=2026-07-20T10:00:00+08:00")
    args = ("retro", "--format", "json")
    cold = okr(root, jobs, *args)
    assert cold.returncode == 0, cold.stderr
    folder = root.parent / f"cache-{jobs}-retro" / "okr"
    files_store = folder / Store(f"files\0{root}").name
    assert files_store.exists() and len(list(folder.glob("*.okrcache"))) > 1
    files_store.unlink()  # the history's cache stays
    again = okr(root, jobs, *args)
    assert (again.returncode, again.stdout) == (0, cold.stdout)


def test_what_a_child_sends_back_pickles_to_equal_records() -> None:
    """The records a forked child sends (files/forked.py) pickle as calls of their class
    (core/records.py): every field of the example's teams, findings and versions comes back."""
    import pickle

    from okrcli.files import loader, snapshot, teamfile
    from okrcli.files.workspace import open_workspace

    workspace = open_workspace(EXAMPLE)
    data = loader.load_cycle(workspace, workspace.select_cycle("2026-Q3", dt.date(2026, 8, 15)))
    texts = data.texts.items()
    versions = [snapshot.parse(raw) for _, raw in texts]
    results = [teamfile.read_team_file(path, raw, workspace.config) for path, raw in texts]
    broken = teamfile.read_team_file("2026-Q3/x.yaml", b"objectives: 3\n", workspace.config)
    sent = (data.teams, versions, results, broken)
    assert pickle.loads(pickle.dumps(sent, pickle.HIGHEST_PROTOCOL)) == sent
    assert broken.diagnostics and results[0].aligns is not None


def test_a_record_with_a_field_that_is_no_positional_parameter_is_refused() -> None:
    from dataclasses import dataclass, field

    from okrcli.core.records import pickled_as_call

    @dataclass(frozen=True)
    class Keyword:
        a: int
        b: int = field(kw_only=True)

    with pytest.raises(TypeError, match="every field must be a positional parameter"):
        pickled_as_call(Keyword)
