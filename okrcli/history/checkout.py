"""The working tree as git sees it: the files a sparse checkout leaves out come from the index.

`git sparse-checkout` leaves files of the index out of the working tree (they are marked
skip-worktree) and treats them as unchanged; okr does the same. A team file left out is
read as the index holds it, so the scorecard keeps its team and `okr diff` does not call
its KRs removed. Every file that is in the working tree is read from there.
"""

from __future__ import annotations

from pathlib import Path

from okrcli.files.workspace import Source, WorkTreeSource, is_team_file_name
from okrcli.files.yamlsource import MAX_BYTES
from okrcli.history import gitread


class CheckoutSource(WorkTreeSource):
    """The working tree under `root`, plus the files a sparse checkout left out of it."""

    def __init__(self, root: Path, skipped: dict[str, str]) -> None:
        super().__init__(root)
        self.skipped = skipped  # path under the root -> blob id in the index
        self._blobs: dict[str, bytes] = {}

    def not_checked_out(self, path: str) -> bool:
        """Whether `path` is read from the index because the working tree leaves it out."""
        return path in self.skipped and not (self.root / path).exists()

    def read(self, path: str) -> bytes | None:
        if not self.not_checked_out(path):
            return super().read(path)
        oid = self.skipped[path]
        if oid not in self._blobs:
            self._blobs.update(gitread.read_blobs_within(self.root, [oid], MAX_BYTES))
        return self._blobs.get(oid)

    def folders(self) -> list[str]:
        left_out = {path.split("/", 1)[0] for path in self.skipped if "/" in path}
        return sorted(set(super().folders()) | left_out)

    def files(self, folder: str) -> list[str]:
        present = super().files(folder) if (self.root / folder).is_dir() else []
        prefix = f"{folder}/"
        left_out = {
            path[len(prefix) :]
            for path in self.skipped
            if path.startswith(prefix) and "/" not in path[len(prefix) :]
        }
        # The loader reads every team file next: fetch those from the index in one batch.
        wanted = [
            self.skipped[prefix + name]
            for name in sorted(left_out)
            if is_team_file_name(name) and self.not_checked_out(prefix + name)
        ]
        self._blobs.update(gitread.read_blobs_within(self.root, wanted, MAX_BYTES))
        return sorted(set(present) | left_out)


def work_tree(root: Path) -> Source:
    """The source for the working tree under `root`: plain unless a sparse checkout
    leaves some of its files out (one `git ls-files` says)."""
    skipped = {
        path: oid
        for path, oid in gitread.skipped_files(root).items()
        if path.count("/") <= 1  # okr.yaml, and files directly in a folder under the root
    }
    return CheckoutSource(root, skipped) if skipped else WorkTreeSource(root)


def work_tree_of(root: Path, located: tuple[Path, Path] | None) -> Source:
    """work_tree for a caller that has the work tree's top and git directory (None: not in
    git): git is asked only where a sparse checkout is set up, so a check-in pays no git
    process for it."""
    if located is None or not gitread.sparse_checkout(located[1]):
        return WorkTreeSource(root)
    return work_tree(root)
