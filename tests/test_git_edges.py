"""What git can do to a repository that okr must read right: folders named like pathspecs,
sparse checkouts, replace refs, and revisions written as git's message search."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, commit, edit, git, run_okr

HR = "2026-Q3/hr-admin.yaml"
SALES = "2026-Q3/sales.yaml"


def okr_json(root: Path, *args: str) -> Any:
    result = run_okr("-C", str(root), *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


# --- point: a folder named like a pathspec --------------------------------------------------


@pytest.mark.parametrize("name", [":(top)okrs", ":!okrs", ":/okrs", "*", "[o]krs"])
def test_a_folder_named_like_a_pathspec_is_a_folder(tmp_path: Path, name: str) -> None:
    """git reads `:(top)x`, `:!x` and `:/x` as pathspec magic and `*` as a glob; okr
    passes real file names, so they must reach git literally (check-in, log, stale)."""
    repo = tmp_path / "repo"
    root = repo / name
    shutil.copytree(EXAMPLE, root)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    result = run_okr("-C", str(root), "checkin", "offer-rate", "70", "-m", "two offers")
    assert result.exit_code == 0, result
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [f"{name}/{HR}"]
    (entry,) = okr_json(root, "log")
    assert (entry["address"], entry["old"], entry["new"]) == ("hr-admin/talent/offer-rate", 68, 70)
    stale = okr_json(root, "--as-of", "2026-12-01", "stale")
    assert "hr-admin/talent/offer-rate" in [row["address"] for row in stale]


@pytest.mark.parametrize(
    "variable", ["GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS"]
)
def test_the_users_pathspec_settings_do_not_change_what_okr_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """GIT_GLOB_PATHSPECS cannot be combined with literal pathspecs (git refuses), and
    case folding would let `HR-admin.yaml` stand for `hr-admin.yaml`."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    monkeypatch.setenv(variable, "1")
    result = run_okr("-C", str(repo), "checkin", "offer-rate", "70")
    assert result.exit_code == 0, result
    assert len(okr_json(repo, "log")) == 1


# --- point: a sparse checkout ---------------------------------------------------------------


@pytest.fixture
def sparse(tmp_path: Path) -> Path:
    """The example under okrs/ with a 2026-Q4 copy of the company file, committed, then
    checked out sparsely: sales.yaml (non-cone patterns) is left out of the working tree."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "okrs")
    (repo / "okrs" / "2026-Q4").mkdir()
    shutil.copy(repo / "okrs" / "2026-Q3" / "company.yaml", repo / "okrs" / "2026-Q4")
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    return repo


def teams(root: Path, *args: str) -> list[str]:
    card = okr_json(root, *args, "scorecard")
    return [team["team"] for team in card["teams"]]


def test_a_file_a_sparse_checkout_leaves_out_is_read_from_the_index(sparse: Path) -> None:
    root = sparse / "okrs"
    kept = ["/okrs/okr.yaml", "/okrs/2026-Q3/company.yaml", "/okrs/2026-Q3/hr-admin.yaml"]
    git(sparse, "sparse-checkout", "set", "--no-cone", *kept)
    assert not (root / SALES).exists()
    assert okr_json(root, "--cycle", "2026-Q3", "diff")["changes"] == []
    assert teams(root, "--cycle", "2026-Q3") == ["company", "hr-admin", "sales"]
    assert okr_json(root, "--cycle", "2026-Q3", "validate") == []
    edit(root, HR, "current: 68", "current: 70")
    changes = okr_json(root, "--cycle", "2026-Q3", "diff")["changes"]
    assert [change["address"] for change in changes] == ["hr-admin/talent/offer-rate"]
    # A check-in of a KR of the file left out cannot write it: it says why, and writes nothing.
    result = run_okr("-C", str(root), "--cycle", "2026-Q3", "checkin", "new-customers", "10")
    assert result.exit_code == 1
    assert result.stderr == (
        "okr: 2026-Q3/sales.yaml is not checked out (the sparse checkout leaves it out), so it "
        "cannot be written; add its folder with 'git sparse-checkout add okrs/2026-Q3' at the "
        "top of the repository, then check in\n"
    )
    assert not (root / SALES).exists()
    assert git(sparse, "status", "--porcelain") == f" M okrs/{HR}\n"


def test_a_cycle_a_sparse_checkout_leaves_out_is_still_a_cycle(sparse: Path) -> None:
    root = sparse / "okrs"
    git(sparse, "sparse-checkout", "set", "--cone", "okrs/2026-Q4")
    assert not (root / "2026-Q3").exists() and (root / "okr.yaml").exists()
    assert teams(root, "--cycle", "2026-Q3") == ["company", "hr-admin", "sales"]
    assert okr_json(root, "--cycle", "2026-Q3", "diff")["changes"] == []
    assert okr_json(root, "--cycle", "2026-Q3", "tree")[0]["address"] == "company/growth"
    assert teams(root, "--cycle", "2026-Q4") == ["company"]


# --- point: --at ':/TEXT', git's message search ---------------------------------------------


def test_at_a_message_search_reads_the_commit_it_finds(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "Offer rate to 70", "2026-07-08T09:00:00+00:00")
    edit(repo, HR, "current: 70", "current: 74")
    commit(repo, "Offer rate to 74", "2026-07-15T09:00:00+00:00")

    def offer_rate(*at: str) -> Any:
        card = okr_json(repo, *at, "scorecard", "--team", "hr-admin")
        return card["as_of"], card["teams"][0]["objectives"][0]["key_results"][0]["current"]

    assert offer_rate("--at", ":/Import") == ("2026-07-01", 68)
    assert offer_rate("--at", ":/rate to 70") == ("2026-07-08", 70)
    assert offer_rate("--at", ":/rate to 7[4]") == ("2026-07-15", 74)
    changes = okr_json(repo, "diff", ":/Import", ":/to 74")["changes"]
    assert [(c["address"], c["fields"]) for c in changes] == [
        ("hr-admin/talent/offer-rate", {"current": [68, 74]})
    ]
    missing = run_okr("-C", str(repo), "--at", ":/no such message", "tree")
    assert missing.exit_code == 1
    assert "--at ':/no such message' names no commit" in missing.stderr


# --- point: replace refs --------------------------------------------------------------------


def test_replace_refs_never_leave_a_stale_history(tmp_path: Path) -> None:
    """`git replace OLD NEW` makes git read NEW's content under OLD's id, and `git replace
    -d` brings OLD's back: a cache keyed by OLD's id alone would keep whichever it saw
    first (log, diff and --at read the same ids)."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    first = commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    edit(repo, HR, "current: 68", "current: 70")
    commit(repo, "Offer rate to 70", "2026-07-08T09:00:00+00:00")
    original = git(repo, "rev-parse", f"HEAD:{HR}").strip()
    stand_in = (repo / HR).read_text(encoding="utf-8").replace("current: 70", "current: 99")
    replacement = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo, input=stand_in, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip

    def seen() -> tuple[Any, ...]:
        (entry,) = okr_json(repo, "log")
        (change,) = okr_json(repo, "diff", first, "HEAD")["changes"]
        card = okr_json(repo, "--at", "HEAD", "scorecard", "--team", "hr-admin")
        at = card["teams"][0]["objectives"][0]["key_results"][0]["current"]
        return entry["new"], change["fields"]["current"][1], at

    assert seen() == (70, 70, 70)  # every cache is warm with the original now
    git(repo, "replace", original, replacement)
    assert seen() == (99, 99, 99)
    git(repo, "replace", "-d", original)
    assert seen() == (70, 70, 70)
    git(repo, "replace", original, replacement)
    assert seen() == (99, 99, 99)


# --- point: the history's log started before the files are read ------------------------------


def test_a_log_started_early_reads_what_the_log_read_at_once_reads(tmp_path: Path) -> None:
    """people, person and digest start `git log` before reading the cycle's files: the
    commits it lists, and the error a failing log raises, are changes_log's own."""
    from okrcli.history import gitread, gitrepo

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    edit(repo, HR, "current: 68", "current: 70")
    head = commit(repo, "Offer rate to 70\n\nOKR-Value: 70", "2026-07-08T09:00:00+02:00")
    with gitread.BackgroundLog(repo, head, "2026-Q3", full_history=True) as log:
        early = log.result()
    assert early == gitread.changes_log(repo, head, "2026-Q3", full_history=True)
    assert [c.message for c in early] == ["Import OKRs", "Offer rate to 70\n\nOKR-Value: 70"]
    with pytest.raises(gitrepo.GitError) as at_once:
        gitread.changes_log(repo, "0" * 40, "2026-Q3")
    with pytest.raises(gitrepo.GitError) as started:
        gitread.BackgroundLog(repo, "0" * 40, "2026-Q3").result()
    assert str(started.value) == str(at_once.value) != ""
    stopped = gitread.BackgroundLog(repo, head, "2026-Q3")
    stopped.close()  # a command that failed meanwhile; asked after all, it reads at once
    assert stopped.result() == gitread.changes_log(repo, head, "2026-Q3")


def test_a_log_read_while_git_writes_it_is_the_log_read_at_the_end(tmp_path: Path) -> None:
    """A warm history read parses the commits git has listed while it lists the rest:
    cut after any NUL git wrote, the commits read so far and those of the rest are the
    log's, also where a message looks like a commit or a file change."""
    from okrcli.history import gitlog, gitread, gitrepo

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    odd = ["\x1eabc", ":100644 100644 " + "1" * 40 + " " + "2" * 40 + " M", "plain"]
    for number, message in enumerate(odd * 2):
        edit(repo, HR, f"current: {68 + number}", f"current: {69 + number}")
        (repo / SALES).write_text((repo / SALES).read_text() + f"# {number}\n")
        commit(repo, message, "2026-07-08T09:00:00+00:00")
    (repo / SALES).unlink()
    head = commit(repo, "no more sales", "2026-07-09T09:00:00+00:00")
    out = gitrepo.run(gitlog.changes_log_args(head, "2026-Q3", False), cwd=repo)
    text = gitrepo._text(out)
    whole = gitlog.parse_changes_log(text)
    assert len(whole) == 8 and whole == gitread.changes_log(repo, head, "2026-Q3")
    for cut in (i + 1 for i, char in enumerate(text) if char == "\0"):
        tokens = text[:cut].split("\0")[:-1]
        first, used = gitlog.parse_tokens(tokens, final=False)
        taken = sum(map(len, tokens[:used])) + used
        assert first + gitlog.parse_changes_log(text[taken:]) == whole, cut
    handed: list[gitlog.LogCommit] = []
    with gitread.BackgroundLog(repo, head, "2026-Q3") as log:
        assert log.result(handed.extend) == whole
    assert handed == whole[: len(handed)]


def test_a_files_error_comes_before_the_history_in_git_or_out_of_it(tmp_path: Path) -> None:
    """The history is looked for before the cycle's files are read, but an invalid file is
    still what the people commands say first, as they did when they read it first."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / "2026-Q3" / "broken.yaml").write_text("objectives: [\n", encoding="utf-8")
    outside = run_okr("-C", str(repo), "people")
    git(repo, "init", "-q")
    commit(repo, "Import OKRs", "2026-07-01T09:00:00+00:00")
    for result in (outside, run_okr("-C", str(repo), "digest")):
        assert result.exit_code == 1
        assert "2026-Q3 has 1 error(s); fix them first" in result.stderr, result
        assert "needs git" not in result.stderr
