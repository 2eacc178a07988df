"""`okr init`: a new OKR root with this quarter's folder and a commented example."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from okrcli.errors import OkrError
from okrcli.loader import CONFIG_FILE

CONFIG_TEMPLATE = """\
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
# One file per team; the team id is the file name. Check it with: okr validate
name: My team
owner: Your Name
objectives:
  - id: first-objective          # kebab-case, unique in this file
    title: What we want to achieve this quarter, in words that inspire
    kind: committed               # committed | aspirational
    # aligns: company/growth      # the company objective this one serves
    key_results:
      - id: first-kr
        title: A measurable result, from 60 to 75
        unit: "%"
        baseline: 60              # where we start
        target: 75                # where we want to be
        current: 60               # updated by: okr checkin first-kr 68
        confidence: 0.7           # 0.0–1.0: how likely the target is met
      - id: launch
        title: Launch the thing (a milestone: done or not)
        done: false
"""


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def init(root: Path, today: dt.date) -> list[Path]:
    """Create the files; refuse to touch an existing okr.yaml."""
    config = root / CONFIG_FILE
    if config.exists():
        raise OkrError(f"{config} already exists; okr init never overwrites it")
    cycle = root / quarter_of(today)
    team_file = cycle / "my-team.yaml"
    root.mkdir(parents=True, exist_ok=True)
    cycle.mkdir(exist_ok=True)
    created = [config]
    config.write_text(
        CONFIG_TEMPLATE.format(organization=root.resolve().name or "My organization"),
        encoding="utf-8",
    )
    if not team_file.exists():
        team_file.write_text(TEAM_TEMPLATE, encoding="utf-8")
        created.append(team_file)
    return created
