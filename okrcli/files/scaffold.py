"""`okr init`: a new OKR root with this quarter's folder and a commented example; in a root
that has no folder for the current cycle yet, just that folder and the example."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from okrcli.core.errors import OkrError
from okrcli.core.scalars import resolve_plain
from okrcli.files import schema_json
from okrcli.files.workspace import CONFIG_FILE, is_team_file_name, open_workspace

# Where okr init and `okr schema --write` put the schemas the files' first lines name.
SCHEMA_FOLDER = ".okr"

_PLAIN_SAFE = re.compile(r"[^\W_][\w.-]*(?: [\w.-]+)*")

CONFIG_TEMPLATE = """\
# yaml-language-server: $schema=.okr/config.schema.json
# The OKR root: okr finds this file by walking up from where it runs, like .git.
organization: {organization}

# Cycles other than calendar quarters (YYYY-QN) are declared here:
# cycles:
#   2026-H2: {{start: 2026-07-01, end: 2026-12-31}}

# How far behind the expected pace a KR may be and still count as on track / at risk:
# status:
#   on_track: 0.10
#   at_risk: 0.25

# lint:
#   max_objectives: 5
#   max_key_results: 5
#   vague_words: [streamline]
"""

TEAM_TEMPLATE = """\
# yaml-language-server: $schema=../.okr/team.schema.json
# One file per team; the team id is the file name. Check it with: okr validate
name: My team
owner: Your Name
# At the quarter's end, okr close grades the KRs and writes:
# closed: 2026-10-08            # the day the team closed the cycle (then it is read-only)
# retro: |                      # the team's retrospective: what did we learn?
#   Referrals beat agencies.
objectives:
  - id: first-objective          # kebab-case, unique in this file
    title: What we want to achieve this quarter, in words that inspire
    kind: committed               # committed | aspirational
    # aligns: company/growth      # the company objective this one serves
    # carried_from: 2026-Q2/my-team/first-objective   # written by okr next
    # retro: what this objective taught us
    key_results:
      - id: first-kr
        title: A measurable result, from 60 to 75
        unit: "%"
        baseline: 60              # where we start
        target: 75                # where we want to be
        current: 60               # updated by: okr checkin first-kr 68
        confidence: 0.7           # 0.0–1.0: how likely the target is met
        # score: 0.8              # the final grade, 0.0–1.0, written by okr close
        # retro: what we learned from this KR
        # source: hris:offer-rate # where okr sync reads the value (NAME declared in okr.yaml)
      - id: launch
        title: Launch the thing (a milestone, done or not)
        done: false
"""


def yaml_text(text: str) -> str:
    """`text` as a YAML scalar that reads back as that text: plain when that is safe (a
    folder named `acme`), else double-quoted (`"[x] #1: ok"`, `"true"`, `"2026"`)."""
    if _PLAIN_SAFE.fullmatch(text) and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def quarter_of(day: dt.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def init(root: Path, today: dt.date) -> list[Path]:
    """Create the files; never touch an existing okr.yaml. A root that has one gets the
    current quarter's folder with the example, unless a folder for the current cycle (a
    quarter or a declared cycle holding `today`) is there already."""
    config = root / CONFIG_FILE
    if root.exists() and not root.is_dir():
        raise OkrError(f"{root} is a file, not a folder; give okr init a folder")
    try:
        if config.exists():
            return _add_cycle(root, config, today)
        return _create(root, config, today)
    except OSError as exc:
        where = exc.filename or root
        raise OkrError(f"cannot create {where}: {exc.strerror}; choose another folder") from None


def _add_cycle(root: Path, config: Path, today: dt.date) -> list[Path]:
    current = sorted(
        span.id for span in open_workspace(root).cycles.values() if span.start <= today <= span.end
    )
    if current:
        raise OkrError(
            f"{config} already exists and so does the folder of the current cycle "
            f"({current[0]}/); okr init never overwrites them; start a new cycle from the "
            f"last one with 'okr next'"
        )
    cycle = root / quarter_of(today)
    cycle.mkdir()
    team_file = cycle / "my-team.yaml"
    team_file.write_text(TEAM_TEMPLATE, encoding="utf-8")
    # The example names the schemas in .okr/: a root without them gets them, one that has
    # them keeps its own (`okr schema --write` renews them).
    schemas = [] if (root / SCHEMA_FOLDER).exists() else write_schemas(root)
    return [team_file, *schemas]


def _create(root: Path, config: Path, today: dt.date) -> list[Path]:
    cycle = root / quarter_of(today)
    team_file = cycle / "my-team.yaml"
    root.mkdir(parents=True, exist_ok=True)
    cycle.mkdir(exist_ok=True)
    created = [config]
    organization = yaml_text(root.resolve().name or "My organization")
    config.write_text(CONFIG_TEMPLATE.format(organization=organization), encoding="utf-8")
    # The example is for a new cycle: a folder that already has team files keeps just them.
    if not any(is_team_file_name(entry.name) for entry in cycle.iterdir()):
        team_file.write_text(TEAM_TEMPLATE, encoding="utf-8")
        created.append(team_file)
    return [*created, *write_schemas(root)]


def write_schemas(root: Path) -> list[Path]:
    """The JSON Schemas of both formats in ROOT/.okr/, for editors that read the files'
    `yaml-language-server` comments; rewritten as this okr generates them."""
    folder = root / SCHEMA_FOLDER
    folder.mkdir(exist_ok=True)
    written = []
    for kind in schema_json.KINDS:
        path = folder / schema_json.FILE_NAMES[kind]
        path.write_text(schema_json.text(kind), encoding="utf-8")
        written.append(path)
    return written
