"""Synthetic OKR repositories for the benchmarks (SPEC §1–§3).

A generated repository is a git repository with `okr.yaml`, one cycle folder `2026-Q3/` holding
`company.yaml` and N team files `team-0001.yaml` … (5 objectives × 4 KRs each by default), and
a history of M commits after the initial one, each changing one KR's `current:` value in one
team file. The whole history, the initial commit included, is streamed into
`git fast-import`, so 2,000 commits take seconds; the work tree is then checked out to match
HEAD. `git rev-list --count HEAD` is M + 1.

Every generated file validates without findings: ids are kebab-case, every title contains a
digit, currents stay within baseline–target, and when a team file has more objectives or KRs
than the defaults allow, `okr.yaml` raises the `lint:` limits to match.

Usable as a module (`generate_repo`, `render_team`, …) and as a command:

    python benchmarks/generate.py OUT --teams 50 --history 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CYCLE = "2026-Q3"
CYCLE_START = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CYCLE_END = dt.datetime(2026, 9, 30, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TZ_OFFSET = "+0800"
COMPANY_OBJECTIVES = ("growth", "efficiency", "people", "customers", "quality")
BOT_NAME = "OKR Bench"
BOT_EMAIL = "bench@example.com"

PEOPLE_ZH = ("王芳", "李雷", "韩梅梅", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "周杰", "吴倩")
PEOPLE_EN = ("Alice Chen", "Bob Miller", "Carol Diaz", "Dan Okafor", "Eve Novak", "Frank Li")
AUTHORS = (
    ("王芳", "wangfang@example.com"),
    ("李雷", "lilei@example.com"),
    ("Alice Chen", "alice@example.com"),
    ("Bob Miller", "bob@example.com"),
    ("韩梅梅", "hanmeimei@example.com"),
)

# (title template, unit, baseline, target); {b} and {t} are filled in. Decreasing KRs have
# target < baseline.
NUMERIC_ZH = (
    ("关键岗位Offer接受率从{b}%提升至{t}%", "%", 60, 75),
    ("客户满意度NPS从{b}提高到{t}", None, 32, 45),
    ("月活跃用户从{b}万增长到{t}万", "万", 120, 180),
    ("平均工单处理时长从{b}小时缩短至{t}小时", "小时", 36, 12),
    ("招聘周期从{b}天缩短到{t}天", "天", 45, 30),
    ("季度新签合同额从{b}万元增至{t}万元", "万元", 800, 1200),
    ("线上故障数从每月{b}起降到{t}起", "起", 12, 3),
    ("新员工试用期通过率达到{t}%(当前{b}%)", "%", 82, 95),
)
NUMERIC_EN = (
    ("Raise NPS from {b} to {t}", None, 30, 50),
    ("Grow weekly active teams from {b}k to {t}k", "k", 14, 22),
    ("Cut median ticket resolution time from {b}h to {t}h", "h", 30, 8),
    ("Reduce monthly cloud spend from {b}k to {t}k USD", "k USD", 240, 180),
    ("Lift trial-to-paid conversion from {b}% to {t}%", "%", 4.5, 7),
    ("Close {t} enterprise deals (from {b} last quarter)", "deals", 6, 15),
    ("Bring p95 API latency down from {b} ms to {t} ms", "ms", 420, 250),
    ("Hire {t} engineers for the platform group", "people", 0, 8),
)
MILESTONE_ZH = (
    "上线第{n}版人力资源核心指标仪表盘",
    "完成{n}场新员工入职培训",
    "发布{n}份季度市场洞察报告",
    "完成{n}个核心系统的等保测评",
)
MILESTONE_EN = (
    "Ship v{n} of the onboarding flow",
    "Launch {n} partner integrations",
    "Publish the Q3 pricing page with {n} plans",
    "Run {n} customer advisory board sessions",
)
OBJECTIVE_ZH = (
    "成为业务高速发展的坚实人才与组织保障,支撑Q3业务扩张目标",
    "打造行业前3的客户体验",
    "把交付效率提升到2倍",
    "建设第2增长曲线,拓展华东与华南市场",
    "稳定性达到99.95%,让客户放心",
)
OBJECTIVE_EN = (
    "Make onboarding effortless for 2026 Q3 customers",
    "Win the top 3 enterprise accounts in APAC",
    "Run the platform at 99.9% availability",
    "Double self-serve revenue in Q3",
    "Build a team of 10 people who love their work",
)
COMMENTS = (
    "reviewed in the week 2 sync",
    "来源: 周会看板",
    "numbers from the BI dashboard",
    "每周一更新",
)


@dataclass
class KeyResult:
    id: str
    title: str
    owner: str | None = None
    unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    confidence: float | None = None
    weight: float | None = None
    done: bool | None = None
    comment: str | None = None

    @property
    def numeric(self) -> bool:
        return self.done is None


@dataclass
class Objective:
    id: str
    title: str
    owner: str | None = None
    kind: str | None = None
    aligns: list[str] = field(default_factory=list)
    comment: str | None = None
    key_results: list[KeyResult] = field(default_factory=list)


@dataclass
class Team:
    id: str
    name: str | None = None
    owner: str | None = None
    objectives: list[Objective] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{CYCLE}/{self.id}.yaml"

    def kr(self, objective_id: str, kr_id: str) -> KeyResult:
        for objective in self.objectives:
            if objective.id == objective_id:
                for kr in objective.key_results:
                    if kr.id == kr_id:
                        return kr
        raise KeyError(f"{self.id}/{objective_id}/{kr_id}")


# --------------------------------------------------------------------------- rendering


def fmt_number(value: float) -> str:
    """The shortest exact form: 70, 7.4, never 70.0."""
    if value == int(value):
        return str(int(value))
    return repr(float(value))


def _scalar(text: str) -> str:
    """A plain scalar when YAML reads it back as this same string, else double-quoted."""
    plain_ok = (
        text
        and text[0] not in "-?:,[]{}#&*!|>'\"%@` "
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and text.lower() not in ("yes", "no", "true", "false", "null", "on", "off", "~")
    )
    if plain_ok:
        try:
            float(text)
        except ValueError:
            return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_team(team: Team) -> str:
    """The team file's YAML text: block style, 2-space indentation, like SPEC §3."""
    out = [f"# {team.path}: generated by benchmarks/generate.py"]
    if team.name is not None:
        out.append(f"name: {_scalar(team.name)}")
    if team.owner is not None:
        out.append(f"owner: {_scalar(team.owner)}")
    out.append("objectives:")
    for objective in team.objectives:
        if objective.comment:
            out.append(f"  # {objective.comment}")
        out.append(f"  - id: {objective.id}")
        out.append(f"    title: {_scalar(objective.title)}")
        if objective.owner is not None:
            out.append(f"    owner: {_scalar(objective.owner)}")
        if objective.kind is not None:
            out.append(f"    kind: {objective.kind}")
        if len(objective.aligns) == 1:
            out.append(f"    aligns: {objective.aligns[0]}")
        elif objective.aligns:
            out.append("    aligns:")
            out.extend(f"      - {address}" for address in objective.aligns)
        out.append("    key_results:")
        for kr in objective.key_results:
            out.append(f"      - id: {kr.id}")
            out.append(f"        title: {_scalar(kr.title)}")
            if kr.owner is not None:
                out.append(f"        owner: {_scalar(kr.owner)}")
            if kr.done is not None:
                out.append(f"        done: {'true' if kr.done else 'false'}")
                continue
            if kr.unit is not None:
                out.append(f"        unit: {_scalar(kr.unit)}")
            assert kr.baseline is not None and kr.target is not None
            out.append(f"        baseline: {fmt_number(kr.baseline)}")
            out.append(f"        target: {fmt_number(kr.target)}")
            if kr.current is not None:
                line = f"        current: {fmt_number(kr.current)}"
                if kr.comment:
                    line += f"  # {kr.comment}"
                out.append(line)
            if kr.confidence is not None:
                out.append(f"        confidence: {fmt_number(kr.confidence)}")
            if kr.weight is not None:
                out.append(f"        weight: {fmt_number(kr.weight)}")
    return "\n".join(out) + "\n"


def render_config(organization: str, max_objectives: int, max_key_results: int) -> str:
    out = ["# OKR root: generated by benchmarks/generate.py", f"organization: {organization}"]
    if max_objectives > 5 or max_key_results > 5:
        out += [
            "lint:",
            f"  max_objectives: {max(5, max_objectives)}",
            f"  max_key_results: {max(5, max_key_results)}",
        ]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- content


def _round(value: float, span: float) -> float:
    """Integers for wide ranges, one decimal for narrow ones."""
    return float(round(value)) if abs(span) >= 20 else round(value, 1)


def make_kr(rng: random.Random, index: int, chinese: bool, milestone: bool, n: int) -> KeyResult:
    kr_id = f"kr-{index}"
    if milestone:
        pool = MILESTONE_ZH if chinese else MILESTONE_EN
        title = rng.choice(pool).format(n=rng.randint(2, 9))
        return KeyResult(kr_id, title, done=False)
    template, unit, base, target = rng.choice(NUMERIC_ZH if chinese else NUMERIC_EN)
    # Vary the numbers a little per KR, keeping the direction.
    scale = rng.choice((1, 1, 2, 3))
    base, target = base * scale, target * scale
    span = target - base
    progress = rng.uniform(0.0, 0.6)
    current = _round(base + span * progress, span)
    kr = KeyResult(
        kr_id,
        template.format(b=fmt_number(base), t=fmt_number(target)),
        unit=unit,
        baseline=float(base),
        target=float(target),
        current=current,
    )
    if n % 4 == 0:
        kr.owner = rng.choice(PEOPLE_ZH if chinese else PEOPLE_EN)
    if n % 3 != 1:
        kr.confidence = rng.choice((0.5, 0.6, 0.7, 0.8, 0.9, 0.4))
    if n % 7 == 3:
        kr.current = None  # absent: counts as the baseline
    if n % 5 == 2:
        kr.weight = rng.choice((2, 0.5, 1.5))
    if n % 6 == 4 and kr.current is not None:
        kr.comment = rng.choice(COMMENTS)
    return kr


def make_team(
    team_id: str,
    number: int,
    objectives: int,
    key_results: int,
    rng: random.Random,
    parent_team: str | None = None,
) -> Team:
    chinese_team = number % 2 == 1
    team = Team(
        team_id,
        name=f"研发{number}组" if chinese_team else f"Platform Team {number}",
        owner=rng.choice(PEOPLE_ZH if chinese_team else PEOPLE_EN),
    )
    counter = number * 7
    for o in range(1, objectives + 1):
        chinese = (number + o) % 2 == 0
        objective = Objective(
            f"obj-{o}",
            rng.choice(OBJECTIVE_ZH if chinese else OBJECTIVE_EN),
            owner=rng.choice(PEOPLE_ZH if chinese else PEOPLE_EN) if o % 2 else None,
            kind="committed" if o % 3 == 1 else None,
        )
        if o == 5 and parent_team is not None:
            objective.aligns = [f"{parent_team}/obj-1"]
        elif o == 3 and number % 7 == 0:
            objective.aligns = ["company/growth", "company/customers"]
        elif o != 4:
            objective.aligns = [f"company/{COMPANY_OBJECTIVES[(number + o) % 5]}"]
        if o % 4 == 1:
            objective.comment = "committed for the quarter" if o == 1 else "stretch goal"
        has_milestone = (number + o) % 4 != 0
        for k in range(1, key_results + 1):
            counter += 1
            milestone = has_milestone and k == key_results and key_results > 1
            objective.key_results.append(
                make_kr(rng, k, chinese=(k + o) % 2 == 0, milestone=milestone, n=counter)
            )
        team.objectives.append(objective)
    return team


def make_company(rng: random.Random) -> Team:
    team = Team("company", name="公司 2026 Q3", owner="CEO")
    titles = {
        "growth": "Grow revenue 40% in 2026 Q3",
        "efficiency": "把人均产出提高到1.3倍",
        "people": "Hire and keep the best 200 people",
        "customers": "客户续约率达到95%",
        "quality": "Zero P0 incidents in 3 months",
    }
    for o, objective_id in enumerate(COMPANY_OBJECTIVES, start=1):
        objective = Objective(objective_id, titles[objective_id], kind="committed")
        for k in range(1, 5):
            objective.key_results.append(
                make_kr(rng, k, chinese=(k + o) % 2 == 0, milestone=False, n=o * 10 + k)
            )
        team.objectives.append(objective)
    return team


# --------------------------------------------------------------------------- git


def git_env(home: str | os.PathLike[str]) -> dict[str, str]:
    """An environment in which git sees no user or system configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=os.path.join(home, ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C.UTF-8",
    )
    return env


def _git(repo: Path, env: dict[str, str], *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        env=env,
        input=stdin,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _commit_header(name: str, email: str, when: int, message: str) -> bytes:
    ident = f"{name} <{email}> {when} {TZ_OFFSET}".encode()
    return (
        b"commit refs/heads/main\n"
        + b"author "
        + ident
        + b"\ncommitter "
        + ident
        + b"\n"
        + _data(message.encode())
    )


@dataclass
class Repo:
    path: Path
    company: Team
    teams: list[Team]
    history: int
    seconds: float


def generate_repo(
    out: str | os.PathLike[str],
    teams: int,
    history: int = 0,
    *,
    objectives: int = 5,
    key_results: int = 4,
    team_ids: Sequence[str] | None = None,
    seed: int = 2026,
    home: str | os.PathLike[str] | None = None,
) -> Repo:
    """Create the repository at OUT (which must not exist or be empty) and return its model.

    The returned teams hold the values of HEAD (after the whole history).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    if any(path.iterdir()):
        raise SystemExit(f"{path} is not empty")
    ids = list(team_ids) if team_ids is not None else [f"team-{n:04d}" for n in range(1, teams + 1)]
    if len(ids) != teams:
        raise ValueError("team_ids must have one id per team")

    company = make_company(rng)
    team_list = []
    for number, team_id in enumerate(ids, start=1):
        parent = ids[number // 2 - 1] if number >= 2 and objectives >= 5 else None
        team_list.append(make_team(team_id, number, objectives, key_results, rng, parent))

    with tempfile.TemporaryDirectory(prefix="okr-gen-home-") as tmp_home:
        env = git_env(home if home is not None else tmp_home)
        _git(path, env, "init", "-q", "-b", "main")
        for key, value in (
            ("user.name", BOT_NAME),
            ("user.email", BOT_EMAIL),
            ("commit.gpgsign", "false"),
            ("core.autocrlf", "false"),
            ("gc.auto", "0"),
        ):
            _git(path, env, "config", key, value)

        stream = bytearray(b"feature done\n")
        when = int((CYCLE_START - dt.timedelta(days=3)).timestamp())
        stream += _commit_header(BOT_NAME, BOT_EMAIL, when, f"Add {CYCLE} OKRs\n")
        config = render_config(f"Synthetic Corp ({teams} teams)", objectives, key_results)
        files = [("okr.yaml", config), (company.path, render_team(company))]
        files += [(team.path, render_team(team)) for team in team_list]
        for file_path, text in files:
            stream += b"M 100644 inline " + file_path.encode() + b"\n" + _data(text.encode())
        stream += b"\n"
        _history(stream, team_list, history, rng)
        stream += b"done\n"
        _git(path, env, "fast-import", "--quiet", "--done", stdin=bytes(stream))
        _git(path, env, "reset", "-q", "--hard", "main")
    return Repo(path, company, team_list, history, time.perf_counter() - started)


def _history(stream: bytearray, teams: list[Team], count: int, rng: random.Random) -> None:
    """Append COUNT commits, each changing one numeric KR's `current:` in one team file."""
    numeric = [
        (team, objective, kr)
        for team in teams
        for objective in team.objectives
        for kr in objective.key_results
        if kr.numeric
    ]
    if count and not numeric:
        raise ValueError("no numeric KR to change")
    span_seconds = (CYCLE_END - CYCLE_START).total_seconds()
    start = CYCLE_START.timestamp()
    for i in range(count):
        team, objective, kr = rng.choice(numeric)
        assert kr.baseline is not None and kr.target is not None
        span = kr.target - kr.baseline
        old = kr.current if kr.current is not None else kr.baseline
        new = old
        while new == old:
            step = span * rng.uniform(0.02, 0.12) * (1 if rng.random() < 0.85 else -1)
            new = _round(old + step, span)
            low, high = sorted((kr.baseline, kr.target))
            new = min(max(new, low), high)
            if new == old:  # stuck at an end of the range: step back
                new = _round(old - step, span)
                new = min(max(new, low), high)
        kr.current = new
        address = f"{team.id}/{objective.id}/{kr.id}"
        name, email = AUTHORS[i % len(AUTHORS)]
        when = int(start + span_seconds * (i + 1) / (count + 1))
        if i % 4 == 3:
            message = f"Update {team.id} numbers after the weekly review\n"
        else:
            message = (
                f"Check in {address}: {fmt_number(old)} → {fmt_number(new)}\n\n"
                f"周会同步 week {i % 13 + 1}\n\n"
                f"OKR-Check-In: {CYCLE}/{address}\nOKR-Value: {fmt_number(new)}\n"
            )
        stream += _commit_header(name, email, when, message)
        stream += b"M 100644 inline " + team.path.encode() + b"\n"
        stream += _data(render_team(team).encode())
        stream += b"\n"


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to create (must not exist or be empty)")
    parser.add_argument("--teams", type=int, default=50, help="number of team files")
    parser.add_argument("--history", type=int, default=0, help="commits after the first")
    parser.add_argument("--objectives", type=int, default=5, help="objectives per team")
    parser.add_argument("--key-results", type=int, default=4, help="KRs per objective")
    parser.add_argument("--team-id", action="append", help="team ids (default team-0001 …)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="delete OUT first")
    args = parser.parse_args(argv)
    if args.force and os.path.exists(args.out):
        shutil.rmtree(args.out)
    teams = len(args.team_id) if args.team_id else args.teams
    repo = generate_repo(
        args.out,
        teams,
        args.history,
        objectives=args.objectives,
        key_results=args.key_results,
        team_ids=args.team_id,
        seed=args.seed,
    )
    krs = sum(len(o.key_results) for t in repo.teams for o in t.objectives)
    print(
        f"{repo.path}: {teams} team{'s' * (teams != 1)}, {krs:,} KRs, "
        f"{args.history} commits of history "
        f"(+1 initial) in {repo.seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
