"""The cache is data, never code, and only the user's own (README "Security").

Whatever a cache file holds (a pickle that would run code, truncated or damaged bytes, an
entry of the wrong shape, huge numbers, deep nesting), okr runs nothing, does not crash and
prints what it prints without a cache; the damaged entry is read afresh and replaced. A
cache folder or file that others can write, that belongs to someone else, or that is a link,
a FIFO or a device is not used. A relative XDG_CACHE_HOME is ignored, so a repository can
never ship a cache. Most tests run the installed `okr` as a subprocess.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrcli.files import cache
from tests.conftest import git, run_okr

AS_OF = ("--as-of", "2026-08-15")
CYCLE = "2026-Q3"
OFFER_RATE = "hr-admin/talent/offer-rate"
COMMANDS = {
    "validate": ("validate",),
    "scorecard": ("scorecard",),
    "json": ("scorecard", "--format", "json"),
    "log": ("log", "--format", "json"),
}


def okr(
    repo: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed okr as a process, in the repository."""
    script = Path(sys.executable).parent / "okr"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "okrcli"]
    return subprocess.run(
        [*command, *AS_OF, *args],
        cwd=repo,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cache_folder(home: Path) -> Path:
    return home / ".cache" / "okr"


def cache_files(home: Path) -> list[Path]:
    folder = cache_folder(home)
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def outputs(repo: Path, *extra: str) -> dict[str, tuple[int, str]]:
    found = {}
    for name, args in COMMANDS.items():
        result = run_okr("-C", str(repo), *AS_OF, *extra, *args)
        found[name] = (result.exit_code, result.stdout)
    return found


def uncached(repo: Path) -> dict[str, tuple[int, str]]:
    return outputs(repo, "--no-cache")


def poisoned_values(home: Path) -> None:
    """Well-formed entries saying offer-rate is at 99: read, they show in the output."""
    for path in cache_files(home):
        entries = cache.decode_file(path.read_bytes())
        for entry_key, (label, field) in list(entries.items()):
            value = cache.decode_value(field)
            if label == "2026-Q3/hr-admin.yaml" and isinstance(value, list) and value[0]:
                ids, currents = value[0][5][0], value[0][5][6]
                currents[ids.index("offer-rate")] = 99
                entries[entry_key] = (label, cache.encode_value(value))
            elif label == "2026-Q3/hr-admin.yaml" and isinstance(value, str):
                del entries[entry_key]  # the scorecard's rows: rebuilt from the teams
        path.write_bytes(cache.encode_file(entries))


def offer_rate(repo: Path, env: dict[str, str] | None = None) -> Any:
    result = okr(repo, "scorecard", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    for team in json.loads(result.stdout)["teams"]:
        for objective in team["objectives"]:
            for kr in objective["key_results"]:
                if kr["address"] == OFFER_RATE:
                    return kr["current"]
    raise AssertionError("no offer-rate")


# --- nothing in a cache file is code ----------------------------------------------------


class _Payload:
    """Unpickled, this creates the marker file: proof that a cache file ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


def test_a_pickle_planted_in_the_cache_runs_nothing(
    example_repo: Path, isolated_env: Path, tmp_path: Path
) -> None:
    expected = uncached(example_repo)
    assert okr(example_repo, "checkin", OFFER_RATE, "70").returncode == 0  # positions too
    git(example_repo, "reset", "-q", "--hard", "HEAD~1")
    for args in COMMANDS.values():
        assert okr(example_repo, *args).returncode in (0, 1)
    marker = tmp_path / "ran-code"
    payload = pickle.dumps((3, "0", _Payload(marker)))
    planted = cache_files(isolated_env)
    assert len(planted) >= 4  # files, scorecard rows, history, a check-in's positions
    for path in planted:
        path.write_bytes(payload)
        path.with_suffix(".pickle").write_bytes(payload)  # the names older versions used
    for name, args in COMMANDS.items():
        result = okr(example_repo, *args)
        assert (result.returncode, result.stdout) == expected[name], name
        assert not marker.exists(), f"okr {name} ran code from the cache"
    assert okr(example_repo, "checkin", OFFER_RATE, "71").returncode == 0
    assert not marker.exists()


# --- damaged files -----------------------------------------------------------------------

DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated in the header": lambda data: data[:20],
    "truncated mid-body": lambda data: data[: len(data) // 2],
    "last byte gone": lambda data: data[:-1],
    "one byte flipped": lambda data: data[:-10] + bytes([data[-10] ^ 0x20]) + data[-9:],
    "another format": lambda data: data.replace(b"okr-cache 3 ", b"okr-cache 9 ", 1),
    "no header": lambda data: data[data.index(b"\n") + 1 :],
    "garbage": lambda data: os.urandom(4096),
    "NUL bytes": lambda data: b"\0" * 65536,
    "JSON, not a cache file": lambda data: json.dumps({"format": 3}).encode(),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_cache_file_is_a_miss_and_is_rebuilt(
    example_repo: Path, isolated_env: Path, damage: str
) -> None:
    expected = uncached(example_repo)
    outputs(example_repo)
    for path in cache_files(isolated_env):
        path.write_bytes(DAMAGE[damage](path.read_bytes()))
    assert outputs(example_repo) == expected
    for path in cache_files(isolated_env):
        assert cache.decode_file(path.read_bytes()), f"{path.name} was not rebuilt"
    assert outputs(example_repo) == expected


# --- hostile entries: well-formed files whose entries have the wrong shape -------------------
#
# Each mutation makes an entry that okr could never have written (a value of a type or range
# its field never holds, a record of the wrong length, nesting beyond any file, a reference
# to nothing …). Such an entry must be a miss: the output is exactly the uncached output, and
# the entry is replaced. (An entry of the right shape but false content changes the output by
# design: see test_cache.py's poisoned entries; only the user can write one, see below.)

Mutation = Callable[[Any], Any]


def _team(value: Any) -> list[Any] | None:
    is_result = isinstance(value, list) and len(value) == 4 and isinstance(value[0], list)
    return value[0] if is_result and len(value[0]) == 8 else None


def _set_column(index: int, bad: Any) -> Mutation:
    """The last KR's field `index` set to `bad` (`...`: the column one value short)."""

    def mutate(value: Any) -> Any:
        team = _team(value)
        if team is None or not team[5][index]:
            return None
        if bad is ...:
            team[5][index].pop()
        else:
            team[5][index][-1] = bad
        return value

    return mutate


def _config_part(index: int, bad: Any) -> Mutation:
    def mutate(value: Any) -> Any:
        is_config = isinstance(value, list) and len(value) == 3 and isinstance(value[0], list)
        if not is_config or len(value[0]) != 8:
            return None
        value[0][index] = bad
        return value

    return mutate


def _team_part(index: int, bad: Any) -> Mutation:
    def mutate(value: Any) -> Any:
        team = _team(value)
        if team is None:
            return None
        team[index] = bad
        return value

    return mutate


def _objective_part(index: int, bad: Any) -> Mutation:
    def mutate(value: Any) -> Any:
        team = _team(value)
        if team is None or not team[4]:
            return None
        team[4][0][index] = bad
        return value

    return mutate


def _result_part(index: int, bad: Any) -> Mutation:
    def mutate(value: Any) -> Any:
        if not (isinstance(value, list) and len(value) == 4):
            return None
        value[index] = bad
        return value

    return mutate


def _snapshot(mutate_fields: Callable[[list[Any]], Any]) -> Mutation:
    def mutate(value: Any) -> Any:
        is_entry = isinstance(value, list) and len(value) == 2 and isinstance(value[0], dict)
        if not is_entry or not value[0]:
            return None
        mutate_fields(value)
        return value

    return mutate


def _fragment(mutate_text: Callable[[str], str]) -> Mutation:
    def mutate(value: Any) -> Any:
        return mutate_text(value) if isinstance(value, str) else None

    return mutate


def _last_snapshot_fields(value: list[Any], bad: Any) -> None:
    value[0][list(value[0])[-1]] = bad


DEEP = 100_000  # far beyond any recursion limit
HUGE = 10**30
# Entries whose raw text is written as it is (not valid JSON, or JSON Python cannot read).
RAW_FIELDS = {
    "unclosed": b"[[",
    "deep nesting": b"[" * DEEP + b"]" * DEEP,
    "NaN": b"[NaN,[],[],null]",
    "Infinity": b"[[1e999],[],[],null]",
    "a 5000-digit number": b"[" + b"9" * 5000 + b"]",
    "trailing text": b"[null,[],[],null] and more",
    "lone surrogate escape": b'["\\udc80"]',
}
MUTATIONS: dict[str, Mutation] = {
    # The team's KR columns: wrong types, huge or non-finite numbers, out-of-range fields.
    "current is text": _set_column(6, "68"),
    "current is a boolean": _set_column(6, True),
    "current is huge": _set_column(6, HUGE),
    "current beyond 1e15": _set_column(6, 1.5e15),
    "target is a list": _set_column(5, [90]),
    "weight is zero": _set_column(9, 0),
    "weight is negative": _set_column(9, -1),
    "weight is missing": _set_column(9, None),
    "confidence above 1": _set_column(8, 1.5),
    "score below 0": _set_column(10, -0.1),
    "done is a number": _set_column(7, 1),
    "KR id has an escape": _set_column(0, "\x1b[2Joffer-rate"),
    "KR id is upper-case": _set_column(0, "Offer-Rate"),
    "title is blank": _set_column(1, "   "),
    "owner is a number": _set_column(2, HUGE),
    "a column is short": _set_column(3, ...),
    "no columns": _team_part(5, None),
    "objective count too large": _objective_part(5, HUGE),
    "objective count negative": _objective_part(5, -1),
    "objective kind unknown": _objective_part(3, "mandatory"),
    "objective aligns not text": _objective_part(4, [1, 2]),
    "objective id has a slash": _objective_part(0, "a/b"),
    "team id has an escape": _team_part(0, "\x1b]0;owned\x07"),
    "team closed on no day": _team_part(6, "2026-02-30"),
    "team closed is a number": _team_part(6, 20260930),
    "team retro blank": _team_part(7, "  "),
    "objective carried from nowhere": _objective_part(6, "nowhere"),
    "objective retro blank": _objective_part(7, ""),
    "KR source without a key": _set_column(12, "hris:"),
    "KR retro blank": _set_column(11, " \n "),
    "team is a mapping": _result_part(0, {"id": "hr-admin"}),
    "diagnostic line is huge": _result_part(1, [["x.yaml", HUGE, 1, "error", "E001", "m"]]),
    "diagnostic message has an escape": _result_part(
        1, [["x.yaml", 1, 1, "error", "E001", "\x1b[31mred"]]
    ),
    "diagnostic severity unknown": _result_part(1, [["x.yaml", 1, 1, "fatal", "E001", "m"]]),
    "alignment index negative": _result_part(2, [[-1, None, "talent", "company/growth"]]),
    "objective ids not text": _result_part(3, [1, 2, 3]),
    "result too long": lambda v: [*v, None] if isinstance(v, list) and len(v) == 4 else None,
    # okr.yaml's entry: thresholds and limits out of range, a cycle that ends first.
    "on_track above 1": _config_part(2, 1.5),
    "max_objectives zero": _config_part(4, 0),
    "max_key_results a boolean": _config_part(5, True),
    "a cycle ending before it starts": _config_part(1, [["2026-Q3", "2026-09-30", "2026-07-01"]]),
    "a cycle date that is no date": _config_part(1, [["2026-Q3", "2026-02-30", "2026-09-30"]]),
    "organization missing": _config_part(0, None),
    "a person's email is no email": _config_part(7, [["王芳", ["wang fang"]]]),
    "a person without a name": _config_part(7, [[None, []]]),
    # History: a snapshot whose fields are not a mapping, or refer to nothing.
    "snapshot fields a list": _snapshot(lambda v: _last_snapshot_fields(v, [1])),
    "snapshot shares without a base": _snapshot(
        lambda v: (_last_snapshot_fields(v, 0), v.__setitem__(1, None))
    ),
    "snapshot based on nothing": _snapshot(
        lambda v: (_last_snapshot_fields(v, 0), v.__setitem__(1, "f" * 40))
    ),
    "snapshot value nested too deep": _snapshot(
        lambda v: _last_snapshot_fields(v, {"current": json.loads("[" * 80 + "]" * 80)})
    ),
    "snapshot shares with 1": _snapshot(lambda v: _last_snapshot_fields(v, 1)),
    # The scorecard's rows: progress that is no fraction, a row that is no JSON object.
    "row progress above 1": _fragment(lambda t: "[2.0]" + t[t.index("]") + 1 :]),
    "row progress is text": _fragment(lambda t: '["0.5"]' + t[t.index("]") + 1 :]),
    "row cut short": _fragment(lambda t: t[: len(t) // 2]),
    "row is no object": _fragment(lambda t: t[: t.index("]") + 1] + "[1,2]"),
    "row without progress": _fragment(lambda t: t[t.index("]") + 1 :]),
}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """The example repository with a short history, its warm cache (HOME with .cache) and
    the outputs without a cache; made once, each test below works on copies."""
    from tests.conftest import EXAMPLE

    base = tmp_path_factory.mktemp("hostile")
    repo, home = base / "acme", base / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env |= {"GIT_CONFIG_GLOBAL": str(home / ".gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    (home / ".gitconfig").write_text(
        "[user]\n\tname = T\n\temail = t@example.com\n[init]\n\tdefaultBranch = main\n",
        encoding="utf-8",
    )
    shutil.copytree(EXAMPLE, repo)
    team = repo / "2026-Q3" / "hr-admin.yaml"
    # An okr.yaml with sources is never cached (see test_sources_never_come_from_the_cache):
    # without them, okr.yaml's own entry is in the cache to be damaged too.
    config = repo / "okr.yaml"
    kept = [line for line in config.read_text("utf-8").splitlines(True) if "hris" not in line]
    config.write_text("".join(line for line in kept if not line.startswith("sources:")), "utf-8")
    text = team.read_text(encoding="utf-8")
    team.write_text("".join(x for x in text.splitlines(True) if "source: hris" not in x), "utf-8")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "Import OKRs")):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    for old, new in (("68", "70"), ("70", "73")):  # versions stored against the one before
        text = team.read_text(encoding="utf-8")
        team.write_text(text.replace(f"current: {old}\n", f"current: {new}\n", 1), "utf-8")
        commit = ["git", "commit", "-qam", f"offer rate {new}"]
        subprocess.run(commit, cwd=repo, env=env, check=True)
    expected = _run_all(repo, {"HOME": str(home), "OKR_NO_CACHE": "1"})
    _run_all(repo, {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")})
    return repo, home, expected


def _run_all(repo: Path, env: dict[str, str], names: tuple[str, ...] = tuple(COMMANDS)) -> Any:
    found = {}
    for name in names:
        result = run_okr("-C", str(repo), *AS_OF, *COMMANDS[name], env=env)
        found[name] = (result.exit_code, result.stdout)
    return found


def _copy(warm: tuple[Path, Path, Any], tmp: Path) -> tuple[Path, Path, dict[str, str]]:
    """The warm repository (as it is: cache keys name its path; the commands here write
    nothing to it) with a copy of its warm cache of its own."""
    home = tmp / "home"
    shutil.copytree(warm[1], home, symlinks=True)
    return warm[0], home, {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}


def _store_of(repo: Path, path: Path) -> tuple[str, ...]:
    """The commands that read the store in this cache file."""
    top = repo.resolve()
    names = {
        cache.Store(f"files\0{top}").name: ("validate", "scorecard"),
        cache.Store(f"scorecard\0{top}").name: ("json",),
        cache.Store(f"history\0{top}\0{CYCLE}").name: ("log",),
    }
    return names[path.name]


def _replace_entry(path: Path, entry_key: str, field: bytes) -> None:
    entries = cache.decode_file(path.read_bytes())
    entries[entry_key] = (entries[entry_key][0], field)
    path.write_bytes(cache.encode_file(entries))  # a file okr would accept as its own


CORPUS = sorted(MUTATIONS) + [f"raw: {name}" for name in RAW_FIELDS]


@pytest.mark.parametrize("mutation", CORPUS)
def test_a_hostile_entry_is_a_miss_and_is_replaced(
    warm: tuple[Path, Path, Any], tmp_path: Path, mutation: str
) -> None:
    repo, home, env = _copy(warm, tmp_path)
    hits = []
    for path in cache_files(home):
        for entry_key, (_, field) in cache.decode_file(path.read_bytes()).items():
            if mutation.startswith("raw: "):
                if not field.startswith(b"'"):
                    hits.append((path, entry_key, RAW_FIELDS[mutation[5:]]))
                continue
            changed = MUTATIONS[mutation](cache.decode_value(field))
            if changed is not None:
                hits.append((path, entry_key, cache.encode_value(changed)))
    assert hits, f"{mutation} applies to no entry"
    for path, entry_key, bad in hits:  # every entry it applies to, all at once
        _replace_entry(path, entry_key, bad)
    readers = tuple(sorted({name for path, _, _ in hits for name in _store_of(repo, path)}))
    assert _run_all(repo, env, readers) == {name: warm[2][name] for name in readers}
    for path, entry_key, bad in hits:
        after = cache.decode_file(path.read_bytes()).get(entry_key)
        assert after is None or after[1] != bad, "the damaged entry was not replaced"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(junk=st.binary(max_size=2048), whole=st.booleans())
def test_random_bytes_in_the_cache_change_nothing(
    warm: tuple[Path, Path, Any],
    tmp_path_factory: pytest.TempPathFactory,
    junk: bytes,
    whole: bool,
) -> None:
    """Random bytes as a whole cache file, or as one entry of an otherwise valid file."""
    repo, home, env = _copy(warm, tmp_path_factory.mktemp("junk"))
    path = home / ".cache" / "okr" / cache.Store(f"files\0{repo.resolve()}").name
    if whole:
        path.write_bytes(junk)
    else:
        entries = cache.decode_file(path.read_bytes())
        _replace_entry(path, next(k for k, (label, _) in entries.items() if label), junk)
    names = ("validate", "scorecard")
    assert _run_all(repo, env, names) == {name: warm[2][name] for name in names}


def test_a_team_of_every_field_goes_through_the_cache_unchanged() -> None:
    import datetime as dt
    from dataclasses import fields

    from okrcli.core.model import KeyResult, Objective, Team
    from okrcli.files import codec

    assert len(codec._COLUMNS) == len(fields(KeyResult))  # a column for every field
    krs = (
        KeyResult("a", "A", "王芳", "%", 60, 75, 68.5, None, 0.7, 2, 0.5, "learned", "hris:a"),
        KeyResult("b", "B", done=True),
    )
    team = Team(
        "hr-admin",
        "2026-Q3/hr-admin.yaml",
        (Objective("o", "O", krs, "Li", "committed", ("company/x",), "2026-Q2/hr/o", "r"),),
        "HR",
        "Wang",
        dt.date(2026, 9, 30),
        "a retro",
    )
    written = cache.encode_value(codec.encode_team(team))
    assert codec.checked(codec.decode_team)(cache.decode_value(written)) == team


def test_the_cache_checks_emails_as_okr_yaml_does() -> None:
    from okrcli.files import codec, schema

    assert codec._EMAIL.pattern == schema.EMAIL_PATTERN + r"\Z"


def test_a_loop_of_versions_in_the_history_cache_is_a_miss(
    warm: tuple[Path, Path, Any], tmp_path: Path
) -> None:
    """Snapshots stored against each other (A on B, B on A) are no snapshots at all."""
    from okrcli.history import snapshot_codec

    repo, home, env = _copy(warm, tmp_path)
    path = next(p for p in cache_files(home) if _store_of(repo, p) == ("log",))
    entries = cache.decode_file(path.read_bytes())
    values = {k: cache.decode_value(f) for k, (_, f) in entries.items()}
    based = [k for k, value in values.items() if value[1] is not None]
    assert based, "the history cache stores versions against the one before"
    oids = git(repo, "rev-list", "--objects", "--all").split()
    oid_of = {snapshot_codec.key(oid): oid for oid in oids}
    looped = 0
    for entry_key in based:
        base_key = snapshot_codec.key(values[entry_key][1])
        if base_key in values and values[base_key][0]:  # point the base back at this one
            shared = dict.fromkeys(values[base_key][0], 0)
            entries[base_key] = (None, cache.encode_value([shared, oid_of[entry_key]]))
            looped += 1
    assert looped
    path.write_bytes(cache.encode_file(entries))
    assert _run_all(repo, env, ("log",)) == {"log": warm[2]["log"]}


def test_history_versions_go_through_the_cache_with_their_sharing() -> None:
    """A version is stored against the one before: only its changed KRs where it has the
    same addresses in the same order, else every address with 0 where shared. Read back
    in either form, an unchanged KR is the base's very dict; an entry naming an address
    its base lacks is a miss."""
    from okrcli.history import snapshot_codec as codec_

    base = {"": {"owner": "Li"}, "o": {"title": "O"}, "o/a": {"current": 1}, "o/b": {"x": 2}}
    checked_in = {**base, "o/a": {"current": 3}}
    renamed = {"": base[""], "o": base["o"], "o/c": {"current": 3}, "o/b": base["o/b"]}
    store = cache.Store("test-history")
    versions = {"C": (checked_in, 3), "R": (renamed, 2)}
    for oid, (version, length) in versions.items():
        entry = codec_.encode(version, "B", base)
        assert len(entry) == length
        store.put(codec_.key(oid), entry)
    store.put(codec_.key("X"), [{"o/zz": {"current": 1}}, "B", 1])  # an address B lacks
    bad = ([{"o/a": 0}, "B", 1], [{"o/a": {}}, "B", 2], [{}, None, 1])  # 0, marker, base
    for oid, entry in zip("YZW", bad, strict=True):
        store.put(codec_.key(oid), entry)
    store.save()
    store = cache.Store("test-history")  # read back from the file
    for oid, (version, _) in versions.items():
        known: dict[str, Any] = {"B": base}
        assert codec_.load(store, oid, known, ())
        assert known[oid] == version and list(known[oid]) == list(version)
        assert all(known[oid][k] is base[k] for k in version if version[k] is base.get(k))
    assert len(json.dumps(codec_.encode(checked_in, "B", base))) < len(json.dumps(checked_in))
    for oid in "XYZW":
        assert not codec_.load(store, oid, {"B": base}, ())


# --- where the cache lives, and whose it is --------------------------------------------------


def test_cache_files_are_private(example_repo: Path, isolated_env: Path) -> None:
    assert okr(example_repo, "validate").returncode == 0
    folder = cache_folder(isolated_env)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert cache_files(isolated_env)
    for path in cache_files(isolated_env):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert git(example_repo, "status", "--porcelain", "--ignored") == ""


@pytest.mark.parametrize("relative", [".cache", ".", "cache/here"])
def test_a_relative_xdg_cache_home_is_ignored(
    example_repo: Path, isolated_env: Path, relative: str
) -> None:
    result = okr(example_repo, "scorecard", env={"XDG_CACHE_HOME": relative})
    assert result.returncode == 0, result.stderr
    assert git(example_repo, "status", "--porcelain", "--ignored") == ""  # nothing in the tree
    assert cache_files(isolated_env), "the cache went to ~/.cache/okr instead"


def test_cache_files_a_repository_ships_are_never_read(
    example_repo: Path, isolated_env: Path
) -> None:
    """A clone that carries `.cache/okr/…` (made to match this very repository) changes
    nothing, even run with XDG_CACHE_HOME=.cache."""
    assert offer_rate(example_repo) == 68
    poisoned_values(isolated_env)
    assert offer_rate(example_repo) == 99  # the poisoned files are read where they belong
    shipped = example_repo / ".cache" / "okr"
    shutil.copytree(cache_folder(isolated_env), shipped)
    shutil.rmtree(cache_folder(isolated_env))
    assert offer_rate(example_repo, env={"XDG_CACHE_HOME": ".cache"}) == 68


def _poisoned_warm_cache(repo: Path, home: Path) -> None:
    assert offer_rate(repo) == 68
    poisoned_values(home)
    assert offer_rate(repo) == 99  # read while the cache is the user's alone: the test can fail


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777], ids=["world", "group", "sticky /tmp"])
def test_a_cache_folder_others_can_write_is_not_used(
    example_repo: Path, isolated_env: Path, mode: int
) -> None:
    _poisoned_warm_cache(example_repo, isolated_env)
    folder = cache_folder(isolated_env)
    folder.chmod(mode)
    before = {p.name: p.read_bytes() for p in cache_files(isolated_env)}
    result = okr(example_repo, "scorecard", "--format", "json")
    assert result.returncode == 0
    assert [line for line in result.stderr.splitlines() if "not using the cache" in line] == [
        f"okr: not using the cache {folder}: others can write to it; remove it or make it "
        "yours alone (chmod go-w)"
    ]
    assert offer_rate(example_repo) == 68
    assert {p.name: p.read_bytes() for p in cache_files(isolated_env)} == before  # untouched


def test_a_cache_file_others_can_write_is_not_used(example_repo: Path, isolated_env: Path) -> None:
    _poisoned_warm_cache(example_repo, isolated_env)
    for path in cache_files(isolated_env):
        path.chmod(0o666)
    result = okr(example_repo, "validate")
    assert result.returncode == 0
    assert len(re.findall("not using the cache", result.stderr)) == 1  # said once
    assert offer_rate(example_repo) == 68
    for path in cache_files(isolated_env):  # replaced by files of the user's own
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="making a file another user's needs root")
@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_cache_of_another_user_is_not_used(
    example_repo: Path, isolated_env: Path, what: str
) -> None:
    _poisoned_warm_cache(example_repo, isolated_env)
    targets = [cache_folder(isolated_env)] if what == "folder" else cache_files(isolated_env)
    for path in targets:
        os.chown(path, 12345, 12345)
    result = okr(example_repo, "validate")
    assert "belongs to another user" in result.stderr
    assert offer_rate(example_repo) == 68


def test_a_cache_folder_that_is_a_link_is_not_used(
    example_repo: Path, isolated_env: Path, tmp_path: Path
) -> None:
    _poisoned_warm_cache(example_repo, isolated_env)
    elsewhere = tmp_path / "elsewhere"
    cache_folder(isolated_env).rename(elsewhere)
    cache_folder(isolated_env).symlink_to(elsewhere)
    result = okr(example_repo, "validate")
    assert "is a symbolic link" in result.stderr
    assert offer_rate(example_repo) == 68


def test_a_cache_file_that_is_a_link_is_not_followed(
    example_repo: Path, isolated_env: Path, tmp_path: Path
) -> None:
    _poisoned_warm_cache(example_repo, isolated_env)
    for path in cache_files(isolated_env):
        target = tmp_path / path.name
        path.rename(target)
        path.symlink_to(target)
    assert offer_rate(example_repo) == 68
    for path in cache_files(isolated_env):
        assert not path.is_symlink()  # replaced by a file of its own; the target untouched


def test_a_fifo_in_place_of_a_cache_file_does_not_hang(
    example_repo: Path, isolated_env: Path
) -> None:
    expected = uncached(example_repo)
    outputs(example_repo)
    for path in cache_files(isolated_env):
        path.unlink()
        os.mkfifo(path)
    for name, args in COMMANDS.items():
        result = okr(example_repo, *args, timeout=30)  # before: blocked on open() forever
        assert (result.returncode, result.stdout) == expected[name]
    assert "not a regular file" in okr(example_repo, "validate").stderr or all(
        stat.S_ISREG(p.stat().st_mode) for p in cache_files(isolated_env)
    )


def test_no_cache_place_at_all_only_costs_speed(example_repo: Path, tmp_path: Path) -> None:
    """With HOME relative and XDG_CACHE_HOME unset there is nowhere safe: no cache."""
    env = {**os.environ, "HOME": "relative-home"}
    del env["XDG_CACHE_HOME"]
    script = Path(sys.executable).parent / "okr"
    done = subprocess.run(
        [str(script), *AS_OF, "validate"], cwd=example_repo, env=env, capture_output=True
    )
    assert done.returncode == 0
    assert git(example_repo, "status", "--porcelain", "--ignored") == ""


# --- what okr sync runs comes from okr.yaml, never from the cache ---------------------------


def test_sources_never_come_from_the_cache(tmp_path: Path) -> None:
    """A well-formed entry for okr.yaml naming another command (one that only a cache
    could make okr run) is refused: an okr.yaml that declares sources is read afresh by
    every run, and a cached okr.yaml entry never holds sources."""
    from okrcli.files import codec, workspace
    from okrcli.files.workspace import git_blob_id
    from tests.conftest import commit

    root = tmp_path / "okrs"
    (root / "2026-Q3").mkdir(parents=True)
    declared, planted = tmp_path / "declared-ran", tmp_path / "planted-ran"
    probe = f"open({str(declared)!r}, 'w').close(); print('{{\"n\": 3}}')"
    (root / "okr.yaml").write_text(
        "organization: Acme\nsources:\n"
        f"  probe: {{command: [{sys.executable}, -c, {json.dumps(probe)}], format: json}}\n",
        encoding="utf-8",
    )
    (root / "2026-Q3" / "team.yaml").write_text(
        "objectives:\n  - id: o\n    title: Grow 2\n    key_results:\n"
        "      - id: k\n        title: Count from 1 to 5\n        baseline: 1\n"
        "        target: 5\n        source: probe:n\n",
        encoding="utf-8",
    )
    git(root, "init", "-q")
    commit(root, "OKRs")
    assert okr(root, "sync", "--dry-run").returncode == 0
    assert declared.exists()
    declared.unlink()
    store = cache.Store(f"files\0{root.resolve()}")
    assert store.path is not None and store.path.exists()
    entries = cache.decode_file(store.path.read_bytes())
    assert all(label != "okr.yaml" for label, _ in entries.values())  # okr.yaml not cached
    # What a forger would write: okr.yaml's entry, its config naming another command.
    raw = (root / "okr.yaml").read_bytes()
    config_key = cache.key(workspace._CONFIG_FORMAT, "okr.yaml", git_blob_id(raw))
    other = f"open({str(planted)!r}, 'w').close(); print('{{\"n\": 4}}')"
    forged = [
        ["Acme", [], 0.1, 0.25, 5, 5, [], [], [["probe", "command", "json", None,
         [sys.executable, "-c", other], None, None, 30]]],
        [],
        [],
    ]  # fmt: skip
    entries[config_key] = ("okr.yaml", cache.encode_value(forged))
    store.path.write_bytes(cache.encode_file(entries))
    result = okr(root, "sync", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert declared.exists() and not planted.exists()
    assert codec.checked(codec.decode_config)(forged[0]) is None
