"""The cache is never stale: results with a warm cache equal results without one.

Each test first warms the cache, then changes the inputs the way people do (edit a file,
switch branches, rewrite history, damage the cache, upgrade okr) and compares with a run
under --no-cache. One test poisons the cache on purpose to prove the cache is really read,
so the others could fail.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from okrcli.files import cache, loader
from okrcli.files.positions import PositionsCache
from okrcli.files.workspace import open_workspace
from okrcli.render import jsonout
from tests.conftest import git, run_okr

AS_OF = "2026-08-15"
OFFER_RATE = "hr-admin/talent/offer-rate"
HR_PATH = "2026-Q3/hr-admin.yaml"


def scorecard(repo: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run_okr(
        "-C", str(repo), "--as-of", AS_OF, *extra, "scorecard", "--format", "json", env=env
    )
    assert result.exit_code == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def current(card: dict[str, Any], address: str = OFFER_RATE) -> Any:
    for team in card["teams"]:
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                if kr["address"] == address:
                    return kr["current"]
    raise AssertionError(f"{address} not in the scorecard")


def set_offer_rate(repo: Path, old: str, new: str) -> Path:
    path = repo / "2026-Q3" / "hr-admin.yaml"
    text = path.read_text(encoding="utf-8")
    assert f"current: {old}\n" in text
    path.write_text(text.replace(f"current: {old}\n", f"current: {new}\n", 1), encoding="utf-8")
    return path


def cache_files(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "okr").glob("*.okrcache"))


def read_entries(path: Path) -> dict[str, tuple[str | None, Any]]:
    """A cache file's entries, their values decoded (as cache.Store reads them)."""
    entries = cache.decode_file(path.read_bytes())
    assert entries, f"{path} is not a cache file as okr writes them"
    return {k: (label, cache.decode_value(field)) for k, (label, field) in entries.items()}


def write_entries(path: Path, entries: dict[str, tuple[str | None, Any]]) -> None:
    """Write entries back as okr would (header and checksum included)."""
    encoded = {k: (label, cache.encode_value(value)) for k, (label, value) in entries.items()}
    path.write_bytes(cache.encode_file(encoded))


def test_the_cache_is_written_outside_the_work_tree(example_repo: Path, isolated_env: Path) -> None:
    scorecard(example_repo)
    assert cache_files(isolated_env), "a run leaves a cache file in XDG_CACHE_HOME/okr"
    assert git(example_repo, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("extra", "env"), [(("--no-cache",), None), ((), {"OKR_NO_CACHE": "1"})], ids=["option", "env"]
)
def test_no_cache_reads_and_writes_nothing(
    example_repo: Path, isolated_env: Path, extra: tuple[str, ...], env: dict[str, str] | None
) -> None:
    assert current(scorecard(example_repo, *extra, env=env)) == 68
    assert cache_files(isolated_env) == []  # nothing written
    scorecard(example_repo)
    poison(isolated_env)
    assert current(scorecard(example_repo)) == 99  # the poisoned cache is read when on
    poisoned = {path: path.read_bytes() for path in cache_files(isolated_env)}
    assert current(scorecard(example_repo, *extra, env=env)) == 68  # nothing read
    assert {path: path.read_bytes() for path in cache_files(isolated_env)} == poisoned


def test_an_edit_of_the_same_size_and_mtime_is_seen(example_repo: Path) -> None:
    assert current(scorecard(example_repo)) == 68
    path = example_repo / "2026-Q3" / "hr-admin.yaml"
    stat = path.stat()
    set_offer_rate(example_repo, "68", "71")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # size and mtime as before
    assert path.stat().st_size == stat.st_size
    assert current(scorecard(example_repo)) == 71


def test_switching_branches_gives_each_branch_its_own_values(example_repo: Path) -> None:
    git(example_repo, "switch", "-q", "-c", "other")
    set_offer_rate(example_repo, "68", "74")
    git(example_repo, "commit", "-q", "-am", "offer rate on the other branch")
    assert current(scorecard(example_repo)) == 74
    git(example_repo, "switch", "-q", "main")
    assert current(scorecard(example_repo)) == 68
    git(example_repo, "switch", "-q", "other")
    assert current(scorecard(example_repo)) == 74
    assert scorecard(example_repo) == scorecard(example_repo, "--no-cache")


def log_json(repo: Path, *extra: str) -> list[dict[str, Any]]:
    result = run_okr("-C", str(repo), "--as-of", AS_OF, *extra, "log", "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_rewritten_history_is_read_afresh(example_repo: Path) -> None:
    set_offer_rate(example_repo, "68", "70")
    git(example_repo, "commit", "-q", "-am", "offer rate 70")
    assert [entry["new"] for entry in log_json(example_repo)] == [70]
    set_offer_rate(example_repo, "70", "72")
    git(example_repo, "commit", "-q", "--amend", "-am", "offer rate 72")
    entries = log_json(example_repo)
    assert [(entry["old"], entry["new"], entry["note"]) for entry in entries] == [
        (68, 72, "offer rate 72")
    ]
    assert entries == log_json(example_repo, "--no-cache")


def test_a_damaged_cache_file_is_ignored_and_rebuilt(
    example_repo: Path, isolated_env: Path
) -> None:
    expected = scorecard(example_repo, "--no-cache")
    scorecard(example_repo)
    files = cache_files(isolated_env)
    assert files
    for path in files:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])  # truncated mid-write
    assert scorecard(example_repo) == expected
    for path in cache_files(isolated_env):
        read_entries(path)  # rebuilt whole
    for path in cache_files(isolated_env):
        path.write_bytes(b"not a cache file at all")
    assert scorecard(example_repo) == expected


def poison(home: Path) -> None:
    """Change the offer-rate current to 99 in every cached team file and every cached
    scorecard fragment (each still a well-formed entry)."""
    for path in cache_files(home):
        entries = read_entries(path)
        for entry_key, (label, value) in entries.items():
            if isinstance(value, str) and value.startswith("["):  # a scorecard fragment
                end = value.index("]") + 1
                row = json.loads(value[end:])
                for objective in row["objectives"]:
                    for kr in objective["key_results"]:
                        if kr["address"] == OFFER_RATE:
                            kr["current"] = 99
                entries[entry_key] = (label, value[:end] + jsonout.encode(row, indent=False))
            elif label == "2026-Q3/hr-admin.yaml" and isinstance(value, list) and value[0]:
                team = value[0]  # [id, path, name, owner, objectives, KR columns]
                ids, currents = team[5][0], team[5][6]
                currents[ids.index("offer-rate")] = 99
        write_entries(path, entries)


def test_an_upgrade_of_okr_never_reads_the_old_versions_entries(
    example_repo: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorecard(example_repo)
    poison(isolated_env)
    # The poisoned entries are really read by this version: the test can fail.
    assert current(scorecard(example_repo)) == 99
    monkeypatch.setattr(cache, "__version__", "999.0.0")
    assert current(scorecard(example_repo)) == 68


def test_a_store_keeps_one_version_per_label(isolated_env: Path) -> None:
    store = cache.Store("labels")
    store.put("v1", "first", label="team.yaml")
    store.put("other", "kept", label="other.yaml")
    store.save()
    store = cache.Store("labels")
    assert store.get("v1") == "first"
    store.put("v2", "second", label="team.yaml")
    store.save()
    store = cache.Store("labels")
    assert store.get("v2") == "second"
    assert store.get("other") == "kept"  # untouched labels survive runs that skip them
    store.put("v3", "third", label="team.yaml")
    store.save()
    store = cache.Store("labels")
    assert store.get("v1") is None  # superseded twice over: dropped
    assert store.get("v3") == "third"


def test_a_run_that_uses_few_entries_keeps_every_other_labels_entries(
    isolated_env: Path,
) -> None:
    """A `--team` run or a one-file check-in must not empty a company's cache."""
    store = cache.Store("many")
    for number in range(600):
        store.put(f"team-{number}", number, label=f"team-{number}.yaml")
    for number in range(600):
        store.put(f"blob-{number}", number)  # unlabelled, like history's blobs
    store.save()
    store = cache.Store("many")
    assert store.get("team-8") == 8
    store.put("team-7-new", "seven", label="team-7.yaml")
    store.save()
    store = cache.Store("many")
    assert store.get("team-7-new") == "seven"
    assert store.get("team-7") is None  # its own label's older entry
    assert all(store.get(f"team-{n}") == n for n in range(600) if n != 7)
    assert store.get("blob-3") is None  # unused unlabelled entries beyond the bound go


# --- the scorecard's cached JSON fragments (jsonout) -------------------------------------


def whole_card_text(repo: Path, as_of: str = AS_OF, team: str | None = None) -> str:
    """What piped JSON must be: report.scorecard encoded in one piece, without the cache."""
    import datetime as dt

    from okrcli.services import report

    workspace = open_workspace(repo)
    day = dt.date.fromisoformat(as_of)
    data = loader.load_cycle(workspace, workspace.select_cycle(None, day))
    return jsonout.encode(report.scorecard(data, day, team), indent=False) + "\n"


@pytest.mark.parametrize("team", [None, "hr-admin"], ids=["all teams", "--team"])
def test_json_from_cached_fragments_is_the_whole_card_encoded(
    example_repo: Path, team: str | None
) -> None:
    extra = ("--team", team) if team else ()
    argv = ("-C", str(example_repo), "--as-of", AS_OF, "scorecard", "--format", "json", *extra)
    cold = run_okr(*argv)
    warm = run_okr(*argv)
    assert cold.exit_code == warm.exit_code == 0
    assert cold.stdout == warm.stdout == whole_card_text(example_repo, team=team)


def test_json_fragments_are_read_from_the_cache(example_repo: Path, isolated_env: Path) -> None:
    scorecard(example_repo)
    poison(isolated_env)
    for path in cache_files(isolated_env):
        if not _holds_fragments(path):
            path.unlink()  # team files are read afresh: only the fragments are poisoned
    assert current(scorecard(example_repo)) == 99


def _holds_fragments(path: Path) -> bool:
    return any(isinstance(value, str) for _, value in read_entries(path).values())


@pytest.mark.parametrize("as_of", ["2026-07-20", "2026-09-25"])
def test_json_fragments_follow_the_as_of_date(example_repo: Path, as_of: str) -> None:
    scorecard(example_repo)  # warm for AS_OF
    argv = ("-C", str(example_repo), "--as-of", as_of, "scorecard", "--format", "json")
    result = run_okr(*argv)
    assert result.stdout == whole_card_text(example_repo, as_of)
    assert result.stdout != whole_card_text(example_repo)


def test_json_fragments_follow_the_status_thresholds(example_repo: Path) -> None:
    warm = scorecard(example_repo)
    config = example_repo / "okr.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("on_track: 0.10", "on_track: 0.60").replace("at_risk: 0.25", "at_risk: 0.70"),
        encoding="utf-8",
    )
    result = run_okr("-C", str(example_repo), "--as-of", AS_OF, "scorecard", "--format", "json")
    assert result.stdout == whole_card_text(example_repo)
    statuses = {kr["status"] for t in json.loads(result.stdout)["teams"] for kr in _krs(t)}
    assert "off-track" not in statuses
    assert statuses != {kr["status"] for t in warm["teams"] for kr in _krs(t)}


def _krs(team: dict[str, Any]) -> list[dict[str, Any]]:
    return [kr for objective in team["objectives"] for kr in objective["key_results"]]


# --- the positions check-ins keep (files/positions.py) ------------------------------


def check_in(repo: Path, value: str) -> Any:
    return run_okr("-C", str(repo), "checkin", OFFER_RATE, value)


def test_a_check_in_after_a_hand_edit_splices_at_the_new_positions(example_repo: Path) -> None:
    assert check_in(example_repo, "70").exit_code == 0  # keeps the positions of its bytes
    path = example_repo / "2026-Q3" / "hr-admin.yaml"
    path.write_text("# moved down by two lines\n#\n" + path.read_text(encoding="utf-8"))
    git(example_repo, "commit", "-q", "-am", "a comment on top")
    result = check_in(example_repo, "72")
    assert result.exit_code == 0, result
    diff = git(example_repo, "show", "--format=", "-U0", "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert changed == ["-        current: 70", "+        current: 72"]


def test_a_check_in_keeps_the_parse_of_the_bytes_it_wrote(example_repo: Path) -> None:
    from okrcli.files.yaml_strict import load_positioned
    from okrcli.files.yamlsource import decode

    assert check_in(example_repo, "70").exit_code == 0
    raw = (example_repo / "2026-Q3" / "hr-admin.yaml").read_bytes()
    workspace = open_workspace(example_repo)
    kept = PositionsCache(workspace).get("2026-Q3/hr-admin.yaml", raw)
    fresh = load_positioned(decode(raw))
    assert kept is not None
    assert (kept.data, kept.positions) == (fresh.data, fresh.positions)


def test_a_second_check_in_starts_from_the_kept_parse(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrcli.files import writer

    parses: list[int] = []
    real = writer.load_positioned

    def counted(text: str, *, strict: bool = False) -> Any:
        parses.append(len(text))
        return real(text, strict=strict)

    monkeypatch.setattr(writer, "load_positioned", counted)
    assert check_in(example_repo, "70").exit_code == 0
    # The file as it was; a new number in place of the old is proved without a parse
    # (tokenproof), and the first parse's positions are kept for the new bytes.
    assert len(parses) == 1
    parses.clear()
    assert check_in(example_repo, "72").exit_code == 0
    # The file as it was came from the cache; a kept parse is never the short proof's
    # ground (a wrong one is caught by reading back), so the edit is read back once.
    assert len(parses) == 1


@pytest.mark.parametrize("damage", ["shifted", "past the end"])
def test_a_wrong_cached_parse_is_caught_and_read_afresh(
    example_repo: Path, isolated_env: Path, damage: str
) -> None:
    step = 1 if damage == "shifted" else 10_000
    assert check_in(example_repo, "70").exit_code == 0
    poisoned = 0
    for path in cache_files(isolated_env):
        entries = read_entries(path)
        for entry_key, (label, value) in entries.items():
            if isinstance(value, list) and len(value) == 3 and isinstance(value[0], dict):
                data, positions, duplicates = value  # a Positioned: data, [[path, where]], dups
                shifted = [[p, [a + step, b, c + step, d]] for p, (a, b, c, d) in positions]
                entries[entry_key] = (label, [data, shifted, duplicates])
                poisoned += 1
        write_entries(path, entries)
    assert poisoned == 1
    result = check_in(example_repo, "72")
    assert result.exit_code == 0, result
    diff = git(example_repo, "show", "--format=", "-U0", "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert changed == ["-        current: 70", "+        current: 72"]


def test_a_sync_keeps_no_parse_but_a_check_in_after_it_works(example_repo: Path) -> None:
    """A sync writes many files: storing each one's parse and reading it back would cost
    more than parsing it, so it keeps none, and the next check-in parses the file."""
    export = example_repo / "exports" / "hr-metrics.csv"
    export.write_text(export.read_text(encoding="utf-8-sig").replace('"8.5"', '"8"'), "utf-8")
    git(example_repo, "commit", "-q", "-am", "a new export")
    result = run_okr("-C", str(example_repo), "--as-of", "2026-08-15", "sync")
    assert result.exit_code == 0, result
    assert "onboarding-days: 8.5 → 8" in result.stdout
    raw = (example_repo / "2026-Q3" / "hr-admin.yaml").read_bytes()
    assert PositionsCache(open_workspace(example_repo)).get(HR_PATH, raw) is None
    assert check_in(example_repo, "70").exit_code == 0
    diff = git(example_repo, "show", "--format=", "-U0", "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    assert changed == ["-        current: 68", "+        current: 70"]
