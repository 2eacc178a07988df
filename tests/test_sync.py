"""`okr sync` (SPEC §19) end to end: real repositories, real export files, real commands.

Each test builds an OKR repository whose okr.yaml declares sources (a CSV export, a JSON
export, commands run with python3) and whose KRs name them, commits it, and runs the real
CLI. What must hold: one commit for every change, written as a check-in writes it; nothing
written when nothing changed or anything failed; a team file never makes okr run anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, Result, commit, git, run_okr
from tests.test_sources_read import running

PYTHON = sys.executable
CONFIG = f"""\
organization: Acme
sources:
  hris: {{csv: exports/hr-metrics.csv, key: metric, value: value}}
  crm: {{json: exports/crm.json}}
  attrition: {{command: [{PYTHON}, scripts/attrition.py], format: json, timeout: 20}}
"""
TEAM = """\
# People, fed by the HR system
name: People
objectives:
  - id: talent
    title: Hire and keep 12 engineers
    key_results:
      - id: offer-rate
        title: Offer acceptance from 60 to 75
        unit: "%"
        baseline: 60
        target: 75
        current: 68
        source: hris:offer-rate
      - id: dashboard
        title: Dashboard live in 1 month
        done: false
        source: hris:dashboard
      - id: attrition
        title: Attrition from 8 to 6.8
        baseline: 8
        target: 6.8
        source: attrition:rate
  - id: growth
    title: Win 3 regions
    key_results:
      - id: customers
        title: Customers in the east from 100 to 200
        baseline: 100
        target: 200
        current: 120  # last week's count
        confidence: 0.6
        source: crm:regions.east.customers
      - id: by-hand
        title: Hand-kept count from 1 to 5
        baseline: 1
        target: 5
        current: 2
"""
CSV = '"metric","value"\n"offer-rate","68"\n"dashboard","false"\n'
CRM = {"regions": {"east": {"customers": 120}}}
ATTRITION = 'import json\nprint(json.dumps({"rate": 8}))\n'


def write(root: Path, path: str, content: str | bytes) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An OKR repository whose KRs all match their sources, committed."""
    root = tmp_path / "okrs"
    write(root, "okr.yaml", CONFIG)
    write(root, "2026-Q3/people.yaml", TEAM)
    write(root, "exports/hr-metrics.csv", CSV)
    write(root, "exports/crm.json", json.dumps(CRM))
    write(root, "scripts/attrition.py", ATTRITION)
    git(root, "init", "-q")
    commit(root, "OKRs and their sources")
    return root


def sync(root: Path, *args: str) -> Result:
    return run_okr("-C", str(root), "--as-of", "2026-08-15", "sync", *args)


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def team_text(root: Path) -> str:
    return (root / "2026-Q3/people.yaml").read_text(encoding="utf-8")


def changed_lines(root: Path) -> list[str]:
    """The lines the last commit changed, as `git diff` shows them (+ and -)."""
    diff = git(root, "show", "--format=", "--unified=0", "HEAD")
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- the values change, one commit ------------------------------------------------------------


def test_every_kind_of_source_feeds_its_krs_in_one_commit(repo: Path) -> None:
    write(
        repo,
        "exports/hr-metrics.csv",
        '"metric","value"\n"offer-rate","71.5"\n"dashboard","true"\n',
    )
    write(repo, "exports/crm.json", json.dumps({"regions": {"east": {"customers": 150}}}))
    write(repo, "scripts/attrition.py", "print('{\"rate\": 7.2}')\n")
    commit(repo, "This week's exports")
    before = head(repo)
    result = sync(repo)
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "people/talent/offer-rate: 68 → 71.5 %, progress 53% → 77% (hris:offer-rate)",
        "people/talent/dashboard: not done → done, progress 0% → 100% (hris:dashboard)",
        "people/talent/attrition: 8 → 7.2, progress 0% → 67% (attrition:rate)",
        "people/growth/customers: 120 → 150, progress 20% → 50% (crm:regions.east.customers)",
        f"committed {git(repo, 'rev-parse', '--short', 'HEAD').strip()}: 4 key results from "
        "attrition, crm, hris",
    ]
    assert git(repo, "rev-parse", "HEAD~1").strip() == before
    assert git(repo, "log", "-1", "--format=%B") == (
        "sync: 4 key results from attrition, crm, hris\n\n"
        "people/talent/offer-rate: 68 → 71.5\n"
        "people/talent/dashboard: not done → done\n"
        "people/talent/attrition: 8 → 7.2\n"
        "people/growth/customers: 120 → 150\n\n"
        "OKR-Check-In: 2026-Q3/people/talent/offer-rate\nOKR-Value: 71.5\n"
        "OKR-Source: hris:offer-rate\n"
        "OKR-Check-In: 2026-Q3/people/talent/dashboard\nOKR-Value: true\n"
        "OKR-Source: hris:dashboard\n"
        "OKR-Check-In: 2026-Q3/people/talent/attrition\nOKR-Value: 7.2\n"
        "OKR-Source: attrition:rate\n"
        "OKR-Check-In: 2026-Q3/people/growth/customers\nOKR-Value: 150\n"
        "OKR-Source: crm:regions.east.customers\n\n"
    )
    # Only the values' lines changed (attrition had no `current:`: it got one after target).
    assert changed_lines(repo) == [
        "-        current: 68",
        "+        current: 71.5",
        "-        done: false",
        "+        done: true",
        "+        current: 7.2",
        "-        current: 120  # last week's count",
        "+        current: 150  # last week's count",
    ]
    assert git(repo, "status", "--porcelain") == ""


def test_nothing_changed_writes_nothing_and_says_so(repo: Path) -> None:
    before, text = head(repo), team_text(repo)
    result = sync(repo)
    assert (result.exit_code, result.stdout) == (
        0,
        "nothing changed: 4 already matched their source(s); nothing written\n",
    )
    assert (head(repo), team_text(repo)) == (before, text)


def test_sync_is_idempotent(repo: Path) -> None:
    write(repo, "exports/crm.json", '{"regions": {"east": {"customers": 130.0}}}')
    commit(repo, "export")
    assert sync(repo).exit_code == 0
    after = head(repo)
    assert "current: 130  # last week's count" in team_text(repo)
    again = sync(repo)
    assert again.exit_code == 0 and again.stdout.startswith("nothing changed")
    assert head(repo) == after


def test_no_commit_writes_the_files_only(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    commit(repo, "export")
    before = head(repo)
    result = sync(repo, "--no-commit")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == "written, not committed: 1 key result from hris"
    assert head(repo) == before
    assert git(repo, "status", "--porcelain").strip() == "M 2026-Q3/people.yaml"


def test_dry_run_prints_the_changes_writes_nothing_and_still_runs_commands(repo: Path) -> None:
    write(
        repo,
        "scripts/attrition.py",
        "open('ran', 'w').close()\nprint('{\"rate\": 7}')\n",
    )
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    commit(repo, "export")
    before, text = head(repo), team_text(repo)
    result = sync(repo, "--dry-run")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "people/talent/offer-rate: 68 → 70 %, progress 53% → 67% (hris:offer-rate) [dry run]",
        "people/talent/attrition: 8 → 7, progress 0% → 83% (attrition:rate) [dry run]",
        "dry run: 2 key results would change, 2 already matched their source(s); nothing written",
    ]
    assert (head(repo), team_text(repo)) == (before, text)
    assert (repo / "ran").exists()  # the command ran, in the OKR root
    assert git(repo, "status", "--porcelain") == "?? ran\n"


# --- selecting ----------------------------------------------------------------------------------


def test_a_team_an_objective_or_a_kr_can_be_named(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    write(repo, "exports/crm.json", '{"regions": {"east": {"customers": 121}}}')
    commit(repo, "export")
    assert (
        sync(repo, "growth", "--dry-run")
        .stdout.splitlines()[0]
        .startswith("people/growth/customers: 120 → 121")
    )
    only_kr = sync(repo, "offer-rate", "--dry-run").stdout.splitlines()
    assert only_kr[0].startswith("people/talent/offer-rate: 68 → 70") and len(only_kr) == 2
    assert len(sync(repo, "people", "--dry-run").stdout.splitlines()) == 3
    assert len(sync(repo, "2026-Q3/people", "--dry-run").stdout.splitlines()) == 3


def test_a_kr_without_a_source_or_an_unknown_address_is_refused(repo: Path) -> None:
    result = sync(repo, "by-hand")
    assert result.exit_code == 1
    assert "okr: people/growth/by-hand has no source; give it one" in result.stderr
    unknown = sync(repo, "ofer-rate")
    assert unknown.exit_code == 1
    assert unknown.stderr == (
        "okr: no team or address 'ofer-rate' in 2026-Q3; did you mean 'people/talent/offer-rate'?\n"
    )
    # A team's id is what a mistyped team is closest to, not one of its objectives.
    team = sync(repo, "peple")
    assert team.exit_code == 1
    assert team.stderr == "okr: no team or address 'peple' in 2026-Q3; did you mean 'people'?\n"


def test_at_is_a_usage_error(repo: Path) -> None:
    result = run_okr("-C", str(repo), "--at", "HEAD", "sync")
    assert result.exit_code == 2
    assert "cannot use --at" in result.stderr


def test_a_closed_teams_krs_are_skipped_said_once(repo: Path) -> None:
    closed = TEAM.replace("name: People\n", "name: People\nclosed: 2026-09-30\n")
    write(repo, "2026-Q3/people.yaml", closed)
    write(repo, "2026-Q3/open.yaml", TEAM.replace("name: People", "name: Open"))
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    commit(repo, "people closed the quarter")
    result = sync(repo)
    assert result.exit_code == 0, result
    assert result.stderr == (
        "okr: skipped 4 key result(s) with a source in closed team(s) people: a closed "
        "cycle's values are final\n"
    )
    assert result.stdout.splitlines()[0].startswith("open/talent/offer-rate: 68 → 70")
    assert team_text(repo) == closed
    # Named alone, the closed team is skipped too, and nothing is said to be wrong.
    alone = sync(repo, "people")
    assert alone.exit_code == 0 and "skipped 4 key result(s)" in alone.stderr


def test_an_invalid_team_file_or_okr_yaml_stops_the_sync(repo: Path) -> None:
    write(repo, "2026-Q3/people.yaml", TEAM.replace("source: hris:dashboard", "source: hrs:x"))
    result = sync(repo)
    assert result.exit_code == 1
    assert "2026-Q3/people.yaml:17:17: error[E013]" in result.stderr
    assert "2026-Q3/people.yaml does not validate" in result.stderr
    write(repo, "okr.yaml", CONFIG + "colour: blue\n")
    result = sync(repo)
    assert result.exit_code == 1
    assert "okr.yaml does not validate, so its sources are unknown" in result.stderr


# --- failures: nothing written, every one listed ------------------------------------------------


def test_one_of_three_sources_failing_writes_nothing(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    write(repo, "exports/crm.json", '{"regions": {"west": {"customers": 5}}}')
    commit(repo, "export")
    before, text = head(repo), team_text(repo)
    result = sync(repo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "okr: crm:regions.east.customers (people/growth/customers): exports/crm.json has no "
        "'east' under 'regions'",
        "okr: 1 source or key failed (of 3 source(s) read); nothing was written; fix them (or "
        "leave their key results out: okr sync TEAM ...) and sync again",
    ]
    assert (head(repo), team_text(repo)) == (before, text)


def test_every_failure_is_listed_with_its_source_and_key(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", '"metric","value"\n"offer-rate","70%"\n')
    write(
        repo,
        "scripts/attrition.py",
        "import sys\nprint('the HR database is down', file=sys.stderr)\nsys.exit(3)\n",
    )
    (repo / "exports/crm.json").unlink()
    commit(repo, "broken exports")
    result = sync(repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "okr: hris:offer-rate (people/talent/offer-rate): 'offer-rate' in "
        "exports/hr-metrics.csv is the text '70%', not a number; write the number alone, "
        "without %",
        "okr: hris:dashboard (people/talent/dashboard): exports/hr-metrics.csv has no row "
        "whose metric is 'dashboard'",
        f"okr: attrition (for attrition:rate): {PYTHON} scripts/attrition.py exited with status 3",
        "okr:   | the HR database is down",
        "okr: crm (for crm:regions.east.customers): exports/crm.json does not exist; export "
        "it there, or fix okr.yaml",
        "okr: 4 sources or keys failed (of 3 source(s) read); nothing was written; fix them "
        "(or leave their key results out: okr sync TEAM ...) and sync again",
    ]
    assert git(repo, "status", "--porcelain") == ""


def test_a_value_of_the_wrong_kind_fails(repo: Path) -> None:
    write(
        repo, "exports/hr-metrics.csv", '"metric","value"\n"offer-rate","true"\n"dashboard","1"\n'
    )
    write(repo, "exports/crm.json", '{"regions": {"east": {"customers": "150"}}}')
    commit(repo, "export")
    result = sync(repo)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "okr: hris:offer-rate (people/talent/offer-rate): 'offer-rate' in "
        "exports/hr-metrics.csv is the text 'true', not a number",
        "okr: hris:dashboard (people/talent/dashboard): 'dashboard' in exports/hr-metrics.csv "
        "is the text '1', not true or false (for a milestone)",
        "okr: crm:regions.east.customers (people/growth/customers): 'regions.east.customers' "
        "in exports/crm.json is the text '150', not a number",
    ]


def test_a_command_that_hangs_is_stopped_at_its_timeout_and_reaped(repo: Path) -> None:
    """The command and the child it started are killed as a process group and the command
    is reaped: neither is left running, nor the command a zombie."""
    write(
        repo,
        "scripts/attrition.py",
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "open('pids', 'w').write(f'{os.getpid()} {child.pid}')\n"
        "time.sleep(600)\n",
    )
    write(repo, "okr.yaml", CONFIG.replace("timeout: 20", "timeout: 1"))
    commit(repo, "a command that hangs")
    started = time.monotonic()
    result = sync(repo)
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert (
        f"okr: attrition (for attrition:rate): {PYTHON} scripts/attrition.py did not finish "
        "within 1 s and was stopped (if it needs longer, raise its 'timeout:' in okr.yaml)"
    ) in result.stderr.splitlines()
    assert elapsed < 15
    command, grandchild = (int(pid) for pid in (repo / "pids").read_text().split())
    assert not Path(f"/proc/{command}").exists()  # reaped: no zombie either
    assert not running(grandchild)
    with pytest.raises(ChildProcessError):
        os.waitpid(command, os.WNOHANG)  # not our child any more: it was reaped


def test_a_command_runs_with_no_shell_in_the_okr_root_with_stdin_closed(repo: Path) -> None:
    write(
        repo,
        "scripts/attrition.py",
        "import json, os, sys\n"
        "print(json.dumps({'rate': 7, 'cwd': os.getcwd(), 'argv': sys.argv[1:],"
        " 'stdin': sys.stdin.read()}))\n",
    )
    config = CONFIG.replace("scripts/attrition.py]", "scripts/attrition.py, '$HOME', '*', ;]")
    write(repo, "okr.yaml", config)
    write(
        repo, "2026-Q3/people.yaml", TEAM.replace("source: hris:dashboard", "source: attrition:cwd")
    )
    commit(repo, "a command that tells")
    result = sync(repo, "dashboard", "--dry-run")
    # `cwd` is text, not true/false: the failure quotes it, which shows where it ran.
    assert f"is the text '{str(repo.resolve())[:39]}" in result.stderr
    out = subprocess.run(
        [PYTHON, "scripts/attrition.py", "$HOME", "*", ";"],
        cwd=repo,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    ).stdout
    assert json.loads(out)["argv"] == ["$HOME", "*", ";"]
    write(
        repo,
        "2026-Q3/people.yaml",
        TEAM.replace("source: hris:dashboard", "source: attrition:argv"),
    )
    said = sync(repo, "dashboard", "--dry-run").stderr
    assert "is a list, not true or false" in said
    write(
        repo,
        "2026-Q3/people.yaml",
        TEAM.replace("source: hris:dashboard", "source: attrition:stdin"),
    )
    assert "is empty, not true or false" in sync(repo, "dashboard", "--dry-run").stderr


def test_a_team_file_can_never_make_okr_run_a_command(repo: Path) -> None:
    marker = repo / "marker"
    write(
        repo,
        "2026-Q3/evil.yaml",
        f"sources:\n  evil: {{command: [{PYTHON}, -c, \"open('{marker}', 'w')\"]}}\n"
        "objectives:\n  - id: x\n    title: X 1\n    key_results:\n"
        "      - {id: y, title: Y 1, baseline: 0, target: 1, source: 'evil:y'}\n",
    )
    commit(repo, "a pull request that tries")
    result = sync(repo)
    assert result.exit_code == 1
    assert "2026-Q3/evil.yaml:1:1: error[E003]: unknown key 'sources'" in result.stderr
    assert "2026-Q3/evil.yaml:7:61: error[E013]" in result.stderr
    assert not marker.exists()
    for args in (("validate",), ("scorecard",), ("sync", "people"), ("sync", "--dry-run")):
        run_okr("-C", str(repo), "--as-of", "2026-08-15", *args)
    assert not marker.exists()


# --- paths and data okr refuses -----------------------------------------------------------------


def test_a_symbolic_link_out_of_the_okr_root_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text('"metric","value"\n"offer-rate","99"\n"dashboard","true"\n')
    (repo / "exports/hr-metrics.csv").unlink()
    (repo / "exports/hr-metrics.csv").symlink_to(outside)
    commit(repo, "a link out")
    result = sync(repo)
    assert result.exit_code == 1
    assert (
        f"okr: hris (for hris:offer-rate, hris:dashboard): exports/hr-metrics.csv leads "
        f"outside the OKR root (to {outside.resolve()}); okr reads sources inside it only, so "
        "copy the file there"
    ) in result.stderr.splitlines()
    # A link that stays inside the root is fine.
    (repo / "exports/hr-metrics.csv").unlink()
    write(repo, "exports/real.csv", CSV)
    (repo / "exports/hr-metrics.csv").symlink_to("real.csv")
    assert sync(repo).exit_code == 0


def test_a_path_with_dotdot_is_refused_before_anything_is_read(repo: Path) -> None:
    write(repo, "okr.yaml", CONFIG.replace("exports/crm.json", "../crm.json"))
    write(repo.parent, "crm.json", json.dumps(CRM))
    result = sync(repo)
    assert result.exit_code == 1
    assert (
        "okr.yaml:4:15: error[E012]: okr.yaml: 'json' must be a file's path inside the OKR "
        "root, relative to it, like exports/hr-metrics.csv, not the text '../crm.json'; '..' "
        "would leave it"
    ) in result.stderr.splitlines()


def test_csv_as_excel_writes_it_bom_crlf_quotes_and_semicolons(repo: Path) -> None:
    excel = (
        '\ufeff"metric";"value";"note"\r\n'
        '"offer-rate";"72";"incl. ""referrals""; HR"\r\n'
        '"dashboard";"TRUE";"multi\r\nline"\r\n'
        "\r\n"
    )
    write(repo, "exports/hr-metrics.csv", excel.encode("utf-8"))
    commit(repo, "Excel export")
    result = sync(repo)
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[:2] == [
        "people/talent/offer-rate: 68 → 72 %, progress 53% → 80% (hris:offer-rate)",
        "people/talent/dashboard: not done → done, progress 0% → 100% (hris:dashboard)",
    ]


def test_binary_or_other_encodings_are_refused(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", b"PK\x03\x04\x00\x00binary")
    result = sync(repo, "talent")
    assert (
        "okr: hris (for hris:offer-rate, hris:dashboard): exports/hr-metrics.csv holds NUL "
        "bytes: it is binary data, not text"
    ) in result.stderr.splitlines()
    write(
        repo,
        "exports/hr-metrics.csv",
        '"metric","value"\n"offer-rate","68"\n"ü","1"\n'.encode("latin-1"),
    )
    said = sync(repo, "talent").stderr
    assert "exports/hr-metrics.csv is not UTF-8 text (byte 0xfc at offset 36)" in said


def test_a_huge_export_is_refused_by_its_size_unread(repo: Path) -> None:
    with (repo / "exports/crm.json").open("r+b") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: no 16 MiB written, none read
    result = sync(repo, "growth")
    assert result.exit_code == 1
    assert (
        "okr: crm (for crm:regions.east.customers): exports/crm.json is larger than 16 MiB; "
        "okr reads no larger source"
    ) in result.stderr.splitlines()


def test_a_command_writing_too_much_is_stopped(repo: Path) -> None:
    write(
        repo,
        "scripts/attrition.py",
        "import sys\nchunk = b'7' * 1048576\nwhile True:\n    sys.stdout.buffer.write(chunk)\n",
    )
    result = sync(repo, "attrition")
    assert result.exit_code == 1
    assert (
        f"okr: attrition (for attrition:rate): {PYTHON} scripts/attrition.py wrote more than "
        "16 MiB to its standard output and was stopped"
    ) in result.stderr.splitlines()


# --- a synced value is a check-in ---------------------------------------------------------------


def test_log_stale_and_digest_treat_a_synced_value_as_a_check_in(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    commit(repo, "export", "2026-08-10T09:00:00+00:00")
    env = {
        "GIT_AUTHOR_DATE": "2026-08-10T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-08-10T10:00:00+00:00",
    }
    result = run_okr("-C", str(repo), "--as-of", "2026-08-15", "sync", env=env)
    assert result.exit_code == 0, result
    log = json.loads(run_okr("-C", str(repo), "log", "--format", "json").stdout)
    assert [(e["address"], e["field"], e["old"], e["new"], e["note"]) for e in log] == [
        ("people/talent/offer-rate", "current", 68, 70, "sync hris:offer-rate")
    ]
    stale = run_okr("-C", str(repo), "--as-of", "2026-08-15", "stale", "--format", "json")
    assert "people/talent/offer-rate" not in [row["address"] for row in json.loads(stale.stdout)]
    digest = run_okr("-C", str(repo), "--as-of", "2026-08-15", "digest", "--format", "json")
    assert digest.exit_code == 0, digest
    week = json.loads(digest.stdout)
    assert [(e["address"], e["new"], e["note"]) for e in week["checkins"]] == [
        ("people/talent/offer-rate", 70, "sync hris:offer-rate")
    ]


def test_a_rejected_commit_puts_every_byte_back(repo: Path) -> None:
    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    write(repo, "exports/crm.json", '{"regions": {"east": {"customers": 121}}}')
    commit(repo, "export")
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    before, text = head(repo), team_text(repo)
    result = sync(repo)
    assert result.exit_code == 1
    assert "no commits today" in result.stderr
    assert (head(repo), team_text(repo)) == (before, text)
    assert git(repo, "status", "--porcelain") == ""


def test_a_clean_sync_never_imports_pydantic(repo: Path) -> None:
    from tests.test_schema import imported

    write(repo, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    commit(repo, "export")
    assert imported(repo, "sync") == []
    assert "offer-rate: 68 → 70" in git(repo, "log", "-1", "--format=%b")


def test_the_example_is_fed_by_its_hr_export_and_matches_it(tmp_path: Path) -> None:
    """examples/acme declares its HR system's export; the values in the files are the
    export's, so a sync of the example as shipped changes nothing."""
    from tests.conftest import imported_example

    root = imported_example(tmp_path)
    assert (EXAMPLE / "exports/hr-metrics.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = run_okr("-C", str(root), "--as-of", "2026-08-15", "sync")
    assert result.exit_code == 0, result
    assert result.stdout.startswith("nothing changed: ")


def test_a_team_file_changed_while_the_sources_are_read_stops_the_sync(repo: Path) -> None:
    """Sources are read before the check-in lock; under it the files are read again, and
    a KR whose source changed meanwhile (here: by the command itself) is not written."""
    write(
        repo,
        "scripts/attrition.py",
        "import pathlib\n"
        "team = pathlib.Path('2026-Q3/people.yaml')\n"
        "team.write_text(team.read_text().replace('source: crm:regions.east.customers',"
        " 'source: crm:regions.west.customers'))\n"
        "print('{\"rate\": 7}')\n",
    )
    commit(repo, "a command that edits")
    before = head(repo)
    result = sync(repo)
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: the team files changed while the sources were read; nothing was written; run "
        "okr sync again\n"
    )
    assert head(repo) == before
    # Only the command's own edit is there: the sync wrote nothing (attrition stays unset).
    assert team_text(repo) == TEAM.replace("regions.east", "regions.west")


def test_a_team_file_committed_while_the_sources_are_read_is_written_as_it_is_now(
    repo: Path,
) -> None:
    """Under the lock the files are read again when their bytes changed (here a command
    commits a comment into one): the values go into the bytes there are now, so the sync
    keeps the comment, and changes nothing else."""
    write(
        repo,
        "scripts/attrition.py",
        "import pathlib, subprocess\n"
        "team = pathlib.Path('2026-Q3/people.yaml')\n"
        "team.write_text('# reviewed\\n' + team.read_text())\n"
        "subprocess.run(['git', 'commit', '-q', '-am', 'a comment'], check=True)\n"
        "print('{\"rate\": 7}')\n",
    )
    commit(repo, "a command that commits")
    result = sync(repo)
    assert result.exit_code == 0, result
    assert git(repo, "log", "-1", "--format=%s", "HEAD~1").strip() == "a comment"
    assert team_text(repo).startswith("# reviewed\n# People, fed by the HR system\n")
    assert changed_lines(repo) == ["+        current: 7"]


def test_outside_git_a_dry_run_and_no_commit_work_and_a_commit_is_refused(
    tmp_path: Path,
) -> None:
    root = tmp_path / "plain"
    write(root, "okr.yaml", CONFIG)
    write(root, "2026-Q3/people.yaml", TEAM)
    write(root, "exports/hr-metrics.csv", CSV.replace('"68"', '"70"'))
    write(root, "exports/crm.json", json.dumps(CRM))
    write(root, "scripts/attrition.py", ATTRITION)
    assert sync(root, "--dry-run").stdout.splitlines()[-1].startswith("dry run: 1 key result")
    refused = sync(root)
    assert refused.exit_code == 1
    assert "is not inside a git work tree" in refused.stderr
    assert "current: 68\n" in team_text(root)
    written = sync(root, "--no-commit")
    assert written.exit_code == 0, written
    assert "current: 70\n" in team_text(root)
