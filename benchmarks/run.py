"""The benchmark harness behind `make bench` (see benchmarks/README.md).

It generates the synthetic repositories in a temporary folder, measures the floors (what the
same work costs without okr) and the okr cases in fresh processes, and prints one row per
case: median wall time, peak memory (max RSS of the process and the children it waited
for), the ratio to its floor and the budget, with PASS or FAIL. A case whose command fails
is a FAIL with the last line of its stderr; the harness itself never stops on one.

    .venv/bin/python benchmarks/run.py [--quick] [--reps N] [--keep] [--only TEXT]

Exit status: 0 when every budget holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import generate
import spawner

AS_OF = "2026-08-15"
CYCLE = generate.CYCLE
RUN_TIMEOUT = 90.0  # seconds for one process; a slower one is killed and the case fails
SOFT_LIMIT = 360.0  # no new case starts after this many seconds of the whole run
HARD_LIMIT = 420.0  # no process may run past this
SITE_PAGE_MIB = 2  # no page of the site over 2 MB (a company's must stay usable)
MEMORY_BUDGET_MIB = 150.0

TYPER_APP = '''\
import typer

__version__ = "0.1.0"
app = typer.Typer()


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """A minimal typer app."""


@app.command()
def hello(name: str = "world") -> None:
    typer.echo(f"hello {name}")


@app.command()
def version() -> None:
    typer.echo(__version__)


if __name__ == "__main__":
    app()
'''

PARSE_SNIPPET = """\
import glob, os, sys, yaml
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    with open(path, "rb") as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
"""

PARSE_ONE_SNIPPET = """\
import sys, yaml
with open(sys.argv[1], "rb") as handle:
    yaml.load(handle, Loader=yaml.CSafeLoader)
"""


# --------------------------------------------------------------------------- one process


@dataclass
class Run:
    seconds: float
    peak_mib: float
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False

    def failure(self) -> str | None:
        if self.timed_out:
            return f"killed after {self.seconds:.0f} s (timeout)"
        if self.returncode != 0:
            return f"exit {self.returncode}: {last_line(self.stderr) or last_line(self.stdout)}"
        return None


def last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    return lines[-1] if len(lines[-1]) <= 200 else lines[-1][:199] + "…"


class Runner:
    """Runs each measured process through spawner.py (see there why), one at a time."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.count = 0
        self.proc: subprocess.Popen[str] | None = None
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", str(Path(__file__).with_name("spawner.py"))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        except OSError:
            self.proc = None  # measure in-process: peaks then include the harness's own

    def __call__(
        self, argv: list[str], env: dict[str, str], cwd: Path | None, timeout: float
    ) -> Run:
        self.count += 1
        out, err = self.tmp / f"out-{self.count}", self.tmp / f"err-{self.count}"
        request = {
            "argv": argv,
            "env": env,
            "cwd": str(cwd) if cwd else None,
            "timeout": timeout,
            "out": str(out),
            "err": str(err),
        }
        reply = None
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write(json.dumps(request) + "\n")
                self.proc.stdin.flush()
                reply = json.loads(self.proc.stdout.readline() or "null")
            except (OSError, ValueError):
                reply = None
        if reply is None:
            reply = spawner.spawn(request)
        try:
            stdout, stderr = out.read_bytes(), err.read_bytes()
        except OSError:
            stdout, stderr = b"", b"(no output captured)"
        for path in (out, err):
            path.unlink(missing_ok=True)
        return Run(
            reply["seconds"],
            reply["maxrss_kib"] / 1024,
            reply["rc"],
            stdout,
            stderr,
            reply["timed_out"],
        )

    def close(self) -> None:
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait()


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    name: str
    scale: str
    argv: Callable[[int], list[str]]  # repetition (0 = the untimed warm-up) -> argv
    cache: str = "warm"  # "cold": a fresh empty XDG_CACHE_HOME for every timed repetition
    # The floor, or floors, whose sum the budget multiplies: "F_typer", ("F_typer", "F_commit").
    # Empty for a floor itself.
    floor: str | tuple[str, ...] = ()
    budget: float | None = None  # the largest allowed ratio to the (summed) floor
    reps: int = 5
    cwd: Path | None = None
    check: Callable[[Run], str | None] | None = None  # checks the warm-up's output
    beside: bool = True  # a floor: run it beside each run of its cases (see floor_runs)
    # Untimed, right before each of the case's runs (the warm-up's too, given 0): makes the
    # input that run reads (a sync's export of the week), so no run times the harness's work.
    before: Callable[[int], None] | None = None
    # Untimed, once after the case's last run: puts back what the case changed (close edits
    # every team file), so the cases after it measure the committed repository they name.
    after: Callable[[], None] | None = None
    # results
    median: float | None = None
    peak: float | None = None
    error: str | None = None
    runs: list[float] = field(default_factory=list)
    # Timed runs of each of the case's floors, one right before each of its own: the ratio
    # compares runs made under the same load, which on a shared machine drifts within a minute.
    floor_runs: dict[str, list[float]] = field(default_factory=dict)

    @property
    def floors(self) -> tuple[str, ...]:
        return (self.floor,) if isinstance(self.floor, str) else self.floor

    def budget_text(self) -> str:
        """`≤ 1.25×typer`, `≤ 2×(typer+commit)`: the budget over its floors' short names."""
        if self.budget is None:
            return "-"
        names = [name.removeprefix("F_") for name in self.floors]
        over = names[0] if len(names) == 1 else f"({'+'.join(names)})"
        return f"≤ {self.budget:g}×{over}"


class Bench:
    def __init__(self, tmp: Path, reps: int | None, started: float) -> None:
        self.tmp = tmp
        self.run = Runner(tmp)
        self.home = tmp / "home"
        self.home.mkdir()
        self.reps = reps
        self.started = started
        self.floors: dict[str, Case] = {}
        self._dirs = 0

    def fresh_dir(self, kind: str) -> Path:
        self._dirs += 1
        path = self.tmp / "caches" / f"{kind}-{self._dirs}"
        path.mkdir(parents=True)
        return path

    def env(self, cache: Path) -> dict[str, str]:
        env = generate.git_env(self.home)
        for name in list(env):
            if name.startswith(("OKR_", "PYTHON")) or name in ("FORCE_COLOR", "CLICOLOR_FORCE"):
                del env[name]
        env.update(NO_COLOR="1", COLUMNS="120", XDG_CACHE_HOME=str(cache))
        return env

    def git(self, repo: Path, *args: str) -> None:
        env = generate.git_env(self.home)
        subprocess.run(["git", "-C", str(repo), *args], env=env, check=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def measure(self, case: Case) -> Case:
        if self.elapsed() > SOFT_LIMIT:
            case.error = f"skipped: the run is past {SOFT_LIMIT:.0f} s"
            return case
        try:
            return self._measure(case)
        finally:
            if case.after is not None:
                try:
                    case.after()
                except (OSError, subprocess.CalledProcessError) as error:
                    case.error = case.error or f"could not put the repository back: {error}"

    def _measure(self, case: Case) -> Case:
        # Untimed: no case pays for the writeback of what the cases before it wrote (the
        # site's 21 MiB would otherwise slow the fsyncs of the sync case after it).
        os.sync()
        warm = self.fresh_dir("warm")
        if case.before is not None:
            case.before(0)
        first = self.run(case.argv(0), self.env(warm), case.cwd, self._timeout())
        case.error = first.failure() or (case.check(first) if case.check else None)
        if case.error:
            return case
        reps = self.reps or case.reps
        if first.seconds > 20:
            reps = 1
        elif first.seconds > 5:
            reps = min(reps, 3)
        peaks = []
        for rep in range(1, reps + 1):
            if rep > 1 and self.elapsed() > HARD_LIMIT - 30:
                break
            self._run_floor_beside(case, rep)
            cache = self.fresh_dir("cold") if case.cache == "cold" else warm
            if case.before is not None:
                case.before(rep)
            run = self.run(case.argv(rep), self.env(cache), case.cwd, self._timeout())
            failure = run.failure()
            if failure:
                case.error = failure
                return case
            case.runs.append(run.seconds)
            peaks.append(run.peak_mib)
        case.median = statistics.median(case.runs)
        case.peak = max(peaks)
        return case

    def _run_floor_beside(self, case: Case, rep: int) -> None:
        for name in case.floors:
            floor = self.floors.get(name)
            if floor is None or floor.median is None or not floor.beside:
                continue
            env = self.env(self.fresh_dir("floor"))
            run = self.run(floor.argv(rep), env, floor.cwd, self._timeout())
            if run.failure() is None:
                case.floor_runs.setdefault(name, []).append(run.seconds)

    def _timeout(self) -> float:
        return max(5.0, min(RUN_TIMEOUT, HARD_LIMIT - self.elapsed()))


# --------------------------------------------------------------------------- checks


def count_krs(repo: generate.Repo, company: bool = False) -> int:
    teams = [repo.company, *repo.teams] if company else repo.teams
    return sum(len(o.key_results) for t in teams for o in t.objectives)


def check_scorecard_json(teams: int, krs: int) -> Callable[[Run], str | None]:
    def check(run: Run) -> str | None:
        try:
            data = json.loads(run.stdout)
            got_teams = len(data["teams"])
            got_krs = sum(len(o["key_results"]) for t in data["teams"] for o in t["objectives"])
        except (ValueError, KeyError, TypeError) as error:
            return f"output is not the scorecard JSON of SPEC §6 ({error})"
        if (got_teams, got_krs) != (teams, krs):
            return f"JSON has {got_teams} teams and {got_krs} KRs, expected {teams} and {krs}"
        return None

    return check


def check_log_json(entries: int) -> Callable[[Run], str | None]:
    def check(run: Run) -> str | None:
        try:
            data = json.loads(run.stdout)
        except ValueError as error:
            return f"output is not JSON ({error})"
        if not isinstance(data, list) or len(data) != entries:
            got = len(data) if isinstance(data, list) else type(data).__name__
            return f"log JSON has {got} entries, expected {entries} (one per commit)"
        return None

    return check


def check_nonempty(run: Run) -> str | None:
    return None if run.stdout.strip() else "printed nothing on stdout"


# --------------------------------------------------------------------------- the checkin KR


@dataclass
class EditTarget:
    """The numeric KR of the big team file that F_commit and `okr checkin` both change."""

    repo: Path
    file: str  # relative to the repo
    address: str  # TEAM/OBJECTIVE/KR
    line: int  # 1-based line of its `current:`
    values: list[str]
    current: str
    used: int = 0

    def next_value(self) -> str:
        while True:
            value = self.values[self.used % len(self.values)]
            self.used += 1
            if value != self.current:
                self.current = value
                return value


def edit_target(repo: generate.Repo) -> EditTarget:
    team = repo.teams[0]
    candidates = [
        (objective, kr)
        for objective in team.objectives
        for kr in objective.key_results
        if kr.numeric and kr.current is not None and kr.comment is None
    ]
    preferred = [c for c in candidates if (c[0].id, c[1].id) == ("obj-7", "kr-3")]
    objective, kr = (preferred or candidates)[0]
    assert kr.baseline is not None and kr.target is not None and kr.current is not None
    lines = generate.render_team(team).splitlines()
    start = lines.index(f"  - id: {objective.id}")
    start = lines.index(f"      - id: {kr.id}", start)
    line = next(i for i in range(start, len(lines)) if lines[i].startswith("        current:"))
    span = kr.target - kr.baseline
    values = [generate.fmt_number(round(kr.baseline + span * k / 41, 2)) for k in range(1, 41)]
    return EditTarget(
        repo.path,
        team.path,
        f"{team.id}/{objective.id}/{kr.id}",
        line + 1,
        values,
        generate.fmt_number(kr.current),
    )


def check_checkin(target: EditTarget, env: dict[str, str]) -> Callable[[Run], str | None]:
    def check(run: Run) -> str | None:
        text = (target.repo / target.file).read_text(encoding="utf-8").splitlines()
        want = f"        current: {target.current}"
        if text[target.line - 1] != want:
            return f"line {target.line} of {target.file} is not '{want.strip()}' after checkin"
        status = subprocess.run(
            ["git", "-C", str(target.repo), "status", "--porcelain"],
            env=env,
            capture_output=True,
            check=False,
        )
        if status.stdout.strip():
            return "the check-in left uncommitted changes"
        return None

    return check


# --------------------------------------------------------------------------- the sync feed


@dataclass
class SyncFeed:
    """Every KR of a repository's team files fed by one CSV export (SPEC §19). Two weeks'
    exports take turns as that CSV, so every run of `okr sync` changes every KR."""

    repo: Path
    krs: int
    used: int = 0

    def export(self, rep: int) -> None:
        """The next week's export as the CSV the source names (Case.before: untimed)."""
        exports = self.repo / "exports"
        shutil.copyfile(exports / f"week-{self.used % 2}.csv", exports / "hr.csv")
        self.used += 1

    def check(self, env: dict[str, str]) -> Callable[[Run], str | None]:
        def check(run: Run) -> str | None:
            def git_out(*args: str) -> str:
                done = subprocess.run(
                    ["git", "-C", str(self.repo), *args], env=env, capture_output=True, check=False
                )
                return done.stdout.decode("utf-8", "replace").strip()

            subject = git_out("log", "-1", "--format=%s")
            if subject != f"sync: {self.krs} key results from hris":
                return f"the last commit is '{subject}', not the sync of {self.krs} KRs"
            if git_out("status", "--porcelain", "--", CYCLE):
                return "the sync left uncommitted changes"
            return None

        return check


def sync_feed(repo: generate.Repo, env: dict[str, str]) -> SyncFeed:
    """Give every KR of the team files `source: hris:TEAM/OBJECTIVE/KR`, declare `hris`,
    write the two weeks' exports (each value differs from the other week's and from the
    generated one), and commit."""
    weeks: list[list[str]] = [["kr,value"], ["kr,value"]]
    for team in repo.teams:
        path = repo.path / team.path
        lines, objective = [], ""
        for line in path.read_text(encoding="utf-8").splitlines():
            lines.append(line)
            if line.startswith("  - id: "):
                objective = line.split(": ", 1)[1]
            elif line.startswith("      - id: "):
                kr_id = line.split(": ", 1)[1]
                key = f"{team.id}/{objective}/{kr_id}"
                lines.append(f"        source: hris:{key}")
                kr = team.kr(objective, kr_id)
                if kr.done is not None:
                    weeks[0].append(f"{key},{str(not kr.done).lower()}")
                    weeks[1].append(f"{key},{str(kr.done).lower()}")
                    continue
                assert kr.baseline is not None and kr.target is not None
                span = kr.target - kr.baseline
                for week, share in zip(weeks, (0.3125, 0.6875), strict=True):
                    week.append(f"{key},{generate.fmt_number(kr.baseline + span * share + 1e-4)}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (repo.path / "okr.yaml").open("a", encoding="utf-8") as config:
        config.write("sources:\n  hris: {csv: exports/hr.csv, key: kr, value: value}\n")
    (repo.path / "exports").mkdir()
    for number, week in enumerate(weeks):
        (repo.path / f"exports/week-{number}.csv").write_text("\n".join(week) + "\n")
    for args in (["add", "-A"], ["commit", "-q", "-m", "Feed every KR from the HR export"]):
        subprocess.run(["git", "-C", str(repo.path), *args], env=env, check=True)
    return SyncFeed(repo.path, len(weeks[0]) - 1)


# --------------------------------------------------------------------------- report


BUDGET_WIDTH = 26
HEADER = (
    f"{'case':<34} {'scale':<30} {'median s':>8} {'peak MiB':>8}  "
    f"{'floor s':>7} {'ratio':>6}  {'budget':<{BUDGET_WIDTH}} result"
)


def row(
    name: str,
    scale: str,
    median: float | None,
    peak: float | None,
    ratio: float | None,
    budget: str,
    result: str,
    floor_median: float | None = None,
) -> str:
    med = f"{median:.3f}" if median is not None else "-"
    mib = f"{peak:.1f}" if peak is not None else "-"
    rat = f"{ratio:.2f}" if ratio is not None else "-"
    fmed = f"{floor_median:.3f}" if floor_median is not None else "-"
    return (
        f"{name:<34} {scale:<30} {med:>8} {mib:>8}  {fmed:>7} {rat:>6}  "
        f"{budget:<{BUDGET_WIDTH}} {result}"
    )


def floor_seconds(case: Case, floors: dict[str, Case]) -> float | str:
    """The sum of CASE's floors: for each, the median of its runs beside the case (of its
    own first runs when it is not run beside); a message when one could not be measured."""
    total = 0.0
    for name in case.floors:
        floor = floors.get(name)
        if floor is None or floor.median is None:
            return f"floor {name} could not be measured"
        beside = case.floor_runs.get(name)
        total += statistics.median(beside) if beside else floor.median
    return total


def print_case(case: Case, floors: dict[str, Case]) -> bool | None:
    """Print CASE's row; True/False for a budget's pass/fail, None for a floor."""
    if not case.floors:
        result = "FAIL" if case.error else "floor"
        print(row(case.name, case.scale, case.median, case.peak, None, "-", result))
        if case.error:
            print(f"{'':<4}^ {case.error}")
        return None if not case.error else False
    ratio = summed = None
    error = case.error
    if error is None:
        found = floor_seconds(case, floors)
        if isinstance(found, str):
            error = found
        else:
            assert case.median is not None
            summed, ratio = found, case.median / found
    ok = error is None and ratio is not None and case.budget is not None and ratio <= case.budget
    print(
        row(
            case.name,
            case.scale,
            case.median,
            case.peak,
            ratio,
            case.budget_text(),
            "PASS" if ok else "FAIL",
            summed,
        )
    )
    if error:
        print(f"{'':<4}^ {error}")
    return ok


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="okr benchmarks (make bench)")
    parser.add_argument("--quick", action="store_true", help="small scales, 2 repetitions")
    parser.add_argument("--reps", type=int, help="timed repetitions per case")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--only", help="run only the okr cases whose name contains this")
    parser.add_argument("--okr", help="the okr executable (default: next to this python)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    python = sys.executable
    okr = args.okr or str(Path(python).parent / "okr")
    if args.quick:
        small, large, history, big = 5, 50, 200, (10, 10)
        reps = args.reps or 2
    else:
        small, large, history, big = 50, 500, 2000, (50, 20)
        reps = args.reps

    tmp = Path(tempfile.mkdtemp(prefix="okr-bench-"))
    try:
        return _bench(args, tmp, started, python, okr, small, large, history, big, reps)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _bench(
    args: argparse.Namespace,
    tmp: Path,
    started: float,
    python: str,
    okr: str,
    small: int,
    large: int,
    history: int,
    big: tuple[int, int],
    reps: int | None,
) -> int:
    bench = Bench(tmp, reps, started)
    try:
        return _measure_all(args, bench, tmp, python, okr, small, large, history, big)
    finally:
        bench.run.close()


def _measure_all(
    args: argparse.Namespace,
    bench: Bench,
    tmp: Path,
    python: str,
    okr: str,
    small: int,
    large: int,
    history: int,
    big: tuple[int, int],
) -> int:
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(
        f"okr benchmarks: {platform.python_implementation()} {platform.python_version()}, "
        f"{git_version}, {os.cpu_count()} CPUs, okr = {okr}"
    )

    # -- the repositories
    home = bench.home
    repo_s = generate.generate_repo(tmp / f"repo-{small}", small, history, home=home)
    repo_l = generate.generate_repo(tmp / f"repo-{large}", large, 0, home=home, seed=7)
    # The quarter's turn, people and the site read a company's files and its history.
    repo_h = generate.generate_repo(tmp / f"repo-{large}-h", large, history, home=home, seed=5)
    repo_b = generate.generate_repo(
        tmp / "repo-big",
        1,
        0,
        objectives=big[0],
        key_results=big[1],
        team_ids=["team-big"],
        home=home,
        seed=11,
    )
    krs_s, krs_l, krs_b = count_krs(repo_s), count_krs(repo_l), count_krs(repo_b)
    print(
        f"generated: {small} teams ({krs_s:,} KRs) + {history:,} commits in "
        f"{repo_s.seconds:.2f} s; {large} teams ({krs_l:,} KRs) in {repo_l.seconds:.2f} s; "
        f"one team file of {krs_b:,} KRs in {repo_b.seconds:.2f} s"
    )
    target = edit_target(repo_b)
    target_s = edit_target(repo_s)
    krs_file_s = sum(len(objective.key_results) for objective in repo_s.teams[0].objectives)
    repo_f = generate.generate_repo(tmp / f"repo-sync-{small}", small, 0, home=home, seed=13)
    feed = sync_feed(repo_f, bench.env(tmp))
    sed_inplace = "sed -i ''" if sys.platform == "darwin" else "sed -i"

    # -- floors
    app = tmp / "typer_app.py"
    app.write_text(TYPER_APP, encoding="utf-8")
    cycle_l = str(repo_l.path / CYCLE)

    def commit_argv(rep: int) -> list[str]:
        value = target.next_value()
        script = (
            f"{sed_inplace} '{target.line}s/current: [^ ]*/current: {value}/' {target.file}"
            f" && git commit -q -m x -- {target.file}"
        )
        return ["sh", "-c", script]

    floors = [
        Case("F_typer", "typer app --version", lambda _: [python, str(app), "--version"], reps=7),
        Case(
            "F_parse",
            f"{large} teams, CSafeLoader",
            lambda _: [python, "-c", PARSE_SNIPPET, cycle_l],
        ),
        Case(
            "F_parse1k",
            f"{krs_b:,}-KR file, CSafeLoader",
            lambda _: [python, "-c", PARSE_ONE_SNIPPET, str(repo_b.path / target.file)],
        ),
        # Not run beside `okr checkin`: it commits to the file the check-ins write, so every
        # check-in would find it changed by someone else, which no warm case is about.
        Case(
            "F_commit",
            f"sed + git commit, {krs_b:,} KRs",
            commit_argv,
            cwd=repo_b.path,
            beside=False,
        ),
        Case(
            "F_git",
            f"git log -p, {history:,} commits",
            lambda _: ["git", "-C", str(repo_s.path), "log", "-p", "--format=%H", "--", CYCLE],
        ),
    ]

    # -- okr cases
    def okr_argv(repo: Path, *command: str) -> Callable[[int], list[str]]:
        return lambda _: [okr, "-C", str(repo), "--as-of", AS_OF, *command]

    def checkin_argv(edit: EditTarget) -> Callable[[int], list[str]]:
        return lambda _: [okr, "-C", str(edit.repo), "checkin", edit.address, edit.next_value()]

    s_scale = f"{small} teams, {krs_s:,} KRs"
    l_scale = f"{large} teams, {krs_l:,} KRs"
    card_json = check_scorecard_json(large + 1, count_krs(repo_l, company=True))
    log_argv = [okr, "-C", str(repo_s.path), "--cycle", CYCLE, "log", "--format", "json"]
    cases = [
        Case("okr --version", "-", lambda _: [okr, "--version"], floor="F_typer", budget=1.25),
        Case("okr --help", "-", lambda _: [okr, "--help"], floor="F_typer", budget=1.25),
        Case(
            "okr scorecard",
            f"{s_scale}, warm",
            okr_argv(repo_s.path, "scorecard"),
            floor="F_typer",
            budget=2,
            check=check_nonempty,
        ),
        Case(
            "okr validate",
            f"{s_scale}, warm",
            okr_argv(repo_s.path, "validate"),
            floor="F_typer",
            budget=2,
        ),
        Case(
            "okr validate",
            f"{l_scale}, cold",
            okr_argv(repo_l.path, "validate"),
            cache="cold",
            floor="F_parse",
            budget=2,
            reps=3,
        ),
        Case(
            "okr scorecard --format json",
            f"{l_scale}, cold",
            okr_argv(repo_l.path, "scorecard", "--format", "json"),
            cache="cold",
            floor="F_parse",
            budget=2,
            reps=3,
            check=card_json,
        ),
        Case(
            "okr validate",
            f"{l_scale}, warm",
            okr_argv(repo_l.path, "validate"),
            floor="F_parse",
            budget=0.5,
        ),
        Case(
            "okr scorecard --format json",
            f"{l_scale}, warm",
            okr_argv(repo_l.path, "scorecard", "--format", "json"),
            floor="F_parse",
            budget=0.5,
            check=card_json,
        ),
        Case(
            "okr log --format json",
            f"{history:,} commits, cold",
            lambda _: log_argv,
            cache="cold",
            floor="F_git",
            budget=15,
            reps=3,
            check=check_log_json(history),
        ),
        Case(
            "okr log --format json",
            f"{history:,} commits, warm",
            lambda _: log_argv,
            floor="F_git",
            budget=4,
            check=check_log_json(history),
        ),
        Case(
            "okr scorecard",
            f"{l_scale}, warm",
            okr_argv(repo_l.path, "scorecard"),
            floor="F_parse",
            budget=1,
            check=check_nonempty,
        ),
        # A company: 500 teams and 2,000 commits (issues of the quarter's turn, people, site).
        Case(
            "okr retro --format json",
            f"{l_scale}, {history:,} commits, cold",
            okr_argv(repo_h.path, "retro", "--format", "json"),
            cache="cold",
            floor="F_parse",
            budget=2,
            reps=3,
            check=check_nonempty,
        ),
        Case(
            "okr next --dry-run",
            f"{l_scale}, cold",
            okr_argv(repo_h.path, "next", "--dry-run"),
            cache="cold",
            floor="F_parse",
            budget=2,
            reps=3,
            check=check_nonempty,
        ),
        Case(
            "okr close --accept (+ reset)",
            f"{l_scale}, all teams",
            lambda _: [
                "sh",
                "-c",
                f"git -C {repo_h.path} checkout -q -- {CYCLE} && "
                f"{okr} -C {repo_h.path} --as-of {AS_OF} close --accept --no-commit",
            ],
            floor="F_parse",
            budget=3,
            reps=3,
            after=lambda: bench.git(repo_h.path, "checkout", "-q", "--", CYCLE),
        ),
        Case(
            "okr people --format json",
            f"{l_scale}, {history:,} commits, cold",
            okr_argv(repo_h.path, "people", "--format", "json"),
            cache="cold",
            floor=("F_git", "F_parse"),
            budget=2,
            reps=3,
            check=check_nonempty,
        ),
        Case(
            "okr people --format json",
            f"{l_scale}, {history:,} commits, warm",
            okr_argv(repo_h.path, "people", "--format", "json"),
            floor="F_git",
            budget=4,
            check=check_nonempty,
        ),
        Case(
            "okr person 'Alice Chen'",
            f"{l_scale}, {history:,} commits, cold",
            okr_argv(repo_h.path, "person", "Alice Chen", "--format", "json"),
            cache="cold",
            floor=("F_git", "F_parse"),
            budget=2,
            reps=3,
            check=check_nonempty,
        ),
        Case(
            "okr person 'Alice Chen'",
            f"{l_scale}, {history:,} commits, warm",
            okr_argv(repo_h.path, "person", "Alice Chen", "--format", "json"),
            floor="F_git",
            budget=4,
            check=check_nonempty,
        ),
        Case(
            "okr digest --format json",
            f"{l_scale}, {history:,} commits, cold",
            okr_argv(repo_h.path, "digest", "--format", "json"),
            cache="cold",
            floor=("F_git", "F_parse"),
            budget=2,
            reps=3,
            check=check_nonempty,
        ),
        Case(
            "okr digest --format json",
            f"{l_scale}, {history:,} commits, warm",
            okr_argv(repo_h.path, "digest", "--format", "json"),
            floor="F_git",
            budget=4,
            check=check_nonempty,
        ),
        Case(
            "okr site (+ clear)",
            f"{l_scale}, {history:,} commits, cold",
            lambda rep: [
                "sh",
                "-c",
                f"rm -rf {tmp}/site && {okr} -C {repo_h.path} --as-of {AS_OF} site -o {tmp}/site",
            ],
            cache="cold",
            floor="F_parse",
            budget=3,
            reps=3,
        ),
        # After the log cases: its commits would add to the history they count.
        Case(
            "okr checkin",
            f"{small} teams, a file of {krs_file_s} KRs",
            checkin_argv(target_s),
            floor=("F_typer", "F_commit"),
            budget=2,
            cwd=repo_s.path,
            check=check_checkin(target_s, bench.env(tmp)),
        ),
        Case(
            "okr checkin",
            f"one file of {krs_b:,} KRs",
            checkin_argv(target),
            floor=("F_typer", "F_parse1k", "F_commit"),
            budget=2,
            cwd=repo_b.path,
            check=check_checkin(target, bench.env(tmp)),
        ),
        Case(
            "okr sync",
            f"{small} files, {feed.krs:,} KRs, one CSV",
            lambda _: [okr, "sync"],
            floor="F_typer",
            budget=4,
            cwd=repo_f.path,
            before=feed.export,
            check=feed.check(bench.env(tmp)),
        ),
    ]
    memory_cases = cases[4:8]
    if args.only:
        cases = [case for case in cases if args.only in case.name]

    print()
    print(HEADER)
    print("-" * len(HEADER))
    for floor in floors:
        bench.measure(floor)
        bench.floors[floor.name] = floor
        print_case(floor, bench.floors)
        sys.stdout.flush()
    passed = failed = 0
    for case in cases:
        bench.measure(case)
        ok = print_case(case, bench.floors)
        passed += bool(ok)
        failed += not ok
        sys.stdout.flush()

    if not args.only:
        peaks = [case.peak for case in memory_cases if case.peak is not None]
        missing = [f"{c.name} ({c.scale})" for c in memory_cases if c.peak is None]
        peak = max(peaks) if peaks else None
        ok = not missing and peak is not None and peak <= MEMORY_BUDGET_MIB
        print(
            row(
                "peak memory of the 4 cases above",
                f"{krs_l:,} KRs",
                None,
                peak,
                None,
                f"≤ {MEMORY_BUDGET_MIB:g} MiB",
                "PASS" if ok else "FAIL",
            )
        )
        if missing:
            print(f"{'':<4}^ not measured: {missing[0]}" + (" …" if len(missing) > 1 else ""))
        passed += ok
        failed += not ok

    site = tmp / "site"
    if site.is_dir():
        sizes = [path.stat().st_size for path in site.rglob("*") if path.is_file()]
        largest = max(sizes, default=0) / 2**20
        ok = largest <= SITE_PAGE_MIB
        print(
            row(
                f"okr site: {len(sizes)} files, {sum(sizes) / 2**20:.1f} MiB",
                f"largest {largest:.2f} MiB",
                None,
                None,
                None,
                f"≤ {SITE_PAGE_MIB:g} MiB a page",
                "PASS" if ok else "FAIL",
            )
        )
        passed += ok
        failed += not ok

    floor_failures = sum(1 for floor in floors if floor.error)
    print("-" * len(HEADER))
    print(
        f"total: {passed} PASS, {failed} FAIL of {passed + failed} budgets; "
        f"{len(floors) - floor_failures}/{len(floors)} floors measured; "
        f"wall time {bench.elapsed():.0f} s"
    )
    return 0 if failed == 0 and floor_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
