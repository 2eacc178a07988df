"""Reading a source's data (SPEC §19) and the value a KR's KEY names in it.

A source is a CSV or JSON file inside the OKR root, or what its command wrote (commands.py
runs it). Whatever comes in is refused rather than guessed at when it is not plainly what
it should be: a path that leads out of the OKR root (a symbolic link is followed and
checked), more than 16 MiB (the size is checked first, and no more than that is read),
NUL bytes, text that is not UTF-8, CSV with broken quoting, JSON with NaN or a key given
twice. CSV is read by the standard library's reader, its delimiter (`,`, `;` or a tab, as
Excel writes them by locale) found by `csv.Sniffer`; a BOM, CRLF line ends and quoted
fields are what Excel and HR systems export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrcli.core.model import DataSource
from okrcli.core.scalars import is_number, resolve_plain
from okrcli.files.yamlsource import MAX_BYTES

DELIMITERS = ",;\t"
_SNIFF_CHARS = 65536
_SHOWN_CHARS = 40


class SourceError(Exception):
    """A source, or one key of it, cannot give a value; the message says why and where."""

    def __init__(self, message: str, detail: bytes = b"") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # what a failed command said on its standard error


@dataclass(frozen=True, slots=True)
class Data:
    """One source's data, read once; `raw(key)` is what KEY names there, as read."""

    source: DataSource
    where: str  # for messages: `exports/hr.csv`, `the output of python3 x.py`
    raw: Callable[[str], Any]
    from_csv: bool


def read(root: Path, source: DataSource) -> Data:
    """Read (or run) the source once and parse it; SourceError when that fails."""
    if source.kind == "command":
        from okrcli.files import commands

        where = f"the output of {source.label}"
        try:
            raw = commands.run(source.command, root, float(source.timeout), MAX_BYTES)
        except commands.CommandError as failure:
            raise SourceError(f"{source.label} {failure.message}", failure.stderr) from None
    else:
        assert source.path is not None
        where = source.path
        raw = read_file(root, source.path)
    text = decode(raw, where)
    if source.format == "csv":
        assert source.key is not None and source.value is not None
        table = parse_csv(text, source.key, source.value, where)
        return Data(source, where, table.value, True)
    tree = parse_json(text, where)
    return Data(source, where, lambda key: json_value(tree, key, where), False)


# --- the bytes ------------------------------------------------------------------------------


def read_file(root: Path, path: str) -> bytes:
    """A file's bytes, if it lies inside the OKR root (links followed) and is at most
    MAX_BYTES; a file that grows while read is cut at MAX_BYTES + 1 and refused."""
    inside = root.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(inside):
        raise SourceError(
            f"{path} leads outside the OKR root (to {target}); okr reads sources inside it "
            "only, so copy the file there"
        )
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist; export it there, or fix okr.yaml") from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
        os.close(descriptor)
        raise SourceError(
            _too_large(path) if stat.S_ISREG(info.st_mode) else f"{path} is not a regular file"
        )
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SourceError(_too_large(path))
    return data


def _too_large(where: str) -> str:
    return f"{where} is larger than {MAX_BYTES // (1024 * 1024)} MiB; okr reads no larger source"


def decode(raw: bytes, where: str) -> str:
    """UTF-8 text (a BOM dropped); binary data and other encodings are refused."""
    if b"\0" in raw:
        raise SourceError(f"{where} holds NUL bytes: it is binary data, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{where} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); "
            "export it as UTF-8 (in Excel: CSV UTF-8)"
        ) from None


# --- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvTable:
    where: str
    column: str  # the key column's name, for messages
    rows: dict[str, list[tuple[int, str]]]  # key -> (line, value) of each row with that key

    def value(self, key: str) -> str:
        found = self.rows.get(key)
        if not found:
            import difflib

            close = difflib.get_close_matches(key, list(self.rows), n=1, cutoff=0.6)
            hint = f"; did you mean '{_shorten(close[0])}'?" if close else ""
            raise SourceError(
                f"{self.where} has no row whose {self.column} is '{_shorten(key)}'{hint}"
            )
        if len(found) > 1:
            where = ", ".join(str(line) for line, _ in found)
            raise SourceError(
                f"{self.where} has {len(found)} rows whose {self.column} is '{_shorten(key)}' "
                f"(lines {where}); keep one"
            )
        return found[0][1]


def delimiter(text: str) -> str:
    """`,`, `;` or a tab: sniffed from the header line (where the columns are named), else
    from the start of the file, else a comma."""
    header = text.split("\n", 1)[0]
    for sample in (header, text[:_SNIFF_CHARS]):
        try:
            return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
        except csv.Error:
            continue
    return ","


def parse_csv(text: str, key_column: str, value_column: str, where: str) -> CsvTable:
    """Every row's key and value: the columns named in the first row (the header)."""
    # Only the delimiter is sniffed: Excel's quoting (doubled quotes) is the standard's,
    # and the Sniffer guesses that part wrong on small files.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SourceError(f"{where} is empty; it needs a header row naming its columns")
        names = [name.strip() for name in header]
        at: dict[str, int] = {}
        for wanted in (key_column, value_column):
            if names.count(wanted) != 1:
                listed = ", ".join(_shorten(name) for name in names)
                how = "twice" if names.count(wanted) else "no"
                raise SourceError(
                    f"{where} has {how} column '{wanted}'"
                    + (f" (its header has: {listed})" if how == "no" else "; rename one")
                )
            at[wanted] = names.index(wanted)
        rows: dict[str, list[tuple[int, str]]] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) > len(names):
                # A cell too many shifts every cell after it: no column of the row can be
                # trusted (a value holding the separator, unquoted, does this).
                raise SourceError(
                    f"{where} line {reader.line_num} has {len(row)} fields but its header "
                    f"{len(names)}; quote a value that holds '{reader.dialect.delimiter}', "
                    "or fix the export"
                )
            key = row[at[key_column]].strip() if at[key_column] < len(row) else ""
            value = row[at[value_column]].strip() if at[value_column] < len(row) else ""
            rows.setdefault(key, []).append((reader.line_num, value))
    except csv.Error as exc:
        raise SourceError(f"{where} is not valid CSV at line {reader.line_num}: {exc}") from None
    return CsvTable(where, key_column, rows)


# --- JSON -----------------------------------------------------------------------------------


def parse_json(text: str, where: str) -> Any:
    def no_constant(name: str) -> Any:
        raise SourceError(f"{where} holds {name}, which is not a number in JSON")

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise SourceError(f"{where} has the key '{_shorten(key)}' twice in one object")
            found[key] = value
        return found

    try:
        return json.loads(text, parse_constant=no_constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{where} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise SourceError(f"{where} is nested too deeply to read") from None


def json_value(tree: Any, path: str, where: str) -> Any:
    """The value at a dot path: `regions.east.customers`; a part that is a whole number
    indexes a list (`teams.0.size`)."""
    node = tree
    walked: list[str] = []
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdecimal() and int(part) < len(node):
            node = node[int(part)]
        else:
            inside = f"under '{'.'.join(walked)}'" if walked else "at its top"
            raise SourceError(f"{where} has no '{_shorten(part)}' {inside}")
        walked.append(part)
    return node


# --- the value ------------------------------------------------------------------------------


def value(data: Data, key: str, milestone: bool) -> int | float | bool:
    """The value KEY names, as the KR needs it: a number, or true/false for a milestone."""
    raw = data.raw(key)
    found = resolve_plain(raw.strip()) if data.from_csv and isinstance(raw, str) else raw
    if milestone:
        if isinstance(found, bool):
            return found
        wanted = "true or false" + (" (for a milestone)" if data.from_csv else "")
        raise SourceError(f"'{_shorten(key)}' in {data.where} is {_what(raw)}, not {wanted}")
    if is_number(found):
        return found
    hint = _number_hint(raw) if data.from_csv else ""
    raise SourceError(f"'{_shorten(key)}' in {data.where} is {_what(raw)}, not a number{hint}")


_THOUSANDS = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _number_hint(raw: Any) -> str:
    written = str(raw).strip()
    if written.endswith("%") and is_number(resolve_plain(written[:-1].strip())):
        return "; write the number alone, without %"
    if _THOUSANDS.fullmatch(written):
        plain = written.replace(",", "")
        if written.count(",") == 1 and is_number(resolve_plain(written.replace(",", "."))):
            decimal = written.replace(",", ".")
            return f"; write {plain} if the comma separates thousands, {decimal} if it is decimal"
        return f"; write it without the thousands separators ({plain})"
    if is_number(resolve_plain(written.replace(",", ".", 1))):
        return "; write decimals with a point (7.5, not 7,5)"
    return ""


def _what(raw: Any) -> str:
    if isinstance(raw, bool):
        return f"the boolean {str(raw).lower()}"
    if isinstance(raw, str):
        return f"the text '{_shorten(raw)}'" if raw.strip() else "empty"
    if raw is None:
        return "null"
    if isinstance(raw, dict):
        return "an object"
    if isinstance(raw, list):
        return "a list"
    return _shorten(repr(raw)) + (" (out of range)" if isinstance(raw, int | float) else "")


def _shorten(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
