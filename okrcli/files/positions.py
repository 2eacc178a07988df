"""The positions of each team file as a check-in on this machine last wrote it, kept so that
the next check-in of the same bytes splices without parsing them first."""

from __future__ import annotations

from okrcli.core.model import layout
from okrcli.files import cache, codec
from okrcli.files.workspace import Workspace
from okrcli.files.yamlsource import Positioned


class PositionsCache:
    """The positioned parse of each team file as a check-in on this machine last wrote it,
    by content: the next check-in of the same file splices without parsing it first (a
    file changed since, by a pull or by hand, is parsed as usual).

    One small store per file, read by check-ins only: no other command reads positions,
    and a check-in reads only its own files'.
    """

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._stores: dict[str, cache.Store] = {}

    def _store(self, path: str) -> cache.Store:
        if path not in self._stores:
            self._stores[path] = cache.Store(f"positions\0{self._workspace.root}\0{path}")
        return self._stores[path]

    def _key(self, path: str, raw: bytes) -> str:
        return cache.key(_POSITIONS_FORMAT, path, self._workspace.source.blob_id(path, raw))

    def get(self, path: str, raw: bytes) -> Positioned | None:
        return _decode_positioned(self._store(path).get(self._key(path, raw)))

    def put(self, path: str, raw: bytes, positioned: Positioned) -> None:
        self._store(path).put(self._key(path, raw), codec.encode_positioned(positioned), label=path)

    def save(self) -> None:
        for store in self._stores.values():
            store.save()


_POSITIONS_FORMAT = "positions-2" + layout(Positioned)
_decode_positioned = codec.checked(codec.decode_positioned)
