"""Reading a source (files/sources.py, files/commands.py): real files in a temporary OKR
root and real processes; each refusal says what is wrong and where."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from okrcli.core.model import DataSource
from okrcli.files import commands, sources

PYTHON = sys.executable


def csv_source(path: str = "x.csv") -> DataSource:
    return DataSource("hris", "csv", "csv", path=path, key="metric", value="value")


def json_source(path: str = "x.json") -> DataSource:
    return DataSource("crm", "json", "json", path=path)


def read_csv(root: Path, content: str | bytes) -> sources.Data:
    data = content.encode() if isinstance(content, str) else content
    (root / "x.csv").write_bytes(data)
    return sources.read(root, csv_source())


def failure(call: object, *args: object) -> str:
    assert callable(call)
    with pytest.raises(sources.SourceError) as caught:
        call(*args)
    return caught.value.message


@pytest.mark.parametrize(
    "content",
    [
        "metric,value\noffer-rate,68\n",
        "metric;value\r\noffer-rate;68\r\n",
        "metric\tvalue\noffer-rate\t68\n",
        '\ufeff"metric";"value"\r\n"offer-rate";"68"\r\n',
        " metric , value \n offer-rate , 68 \n",
        'id,metric,label,value\n1,offer-rate,"a, b; c",68\n2,other,"x ""y""",3\n',
        'metric,value\n"offer-rate","68"\n,\n\n',
    ],
    ids=["comma", "semicolon-crlf", "tab", "bom-quoted", "spaces", "quoted-commas", "blank-rows"],
)
def test_csv_in_the_forms_exports_take(tmp_path: Path, content: str) -> None:
    data = read_csv(tmp_path, content)
    assert sources.value(data, "offer-rate", milestone=False) == 68


def test_a_csv_number_is_a_yaml_1_2_number(tmp_path: Path) -> None:
    data = read_csv(tmp_path, "metric,value\na,7.40\nb,1e3\nc,0x1F\nd,-0\ne,+5\n")
    assert [sources.value(data, k, False) for k in "abcde"] == [7.4, 1000.0, 31, 0, 5]
    refused = read_csv(tmp_path, "metric,value\nb,.nan\nc,1e16\nd,12 %\ne,\n")
    assert [failure(sources.value, refused, k, False) for k in "bcde"] == [
        "'b' in x.csv is the text '.nan', not a number",
        "'c' in x.csv is the text '1e16', not a number",
        "'d' in x.csv is the text '12 %', not a number; write the number alone, without %",
        "'e' in x.csv is empty, not a number",
    ]


def test_a_decimal_comma_gets_a_hint(tmp_path: Path) -> None:
    data = read_csv(tmp_path, 'metric;value\na;"7,5"\n')
    assert failure(sources.value, data, "a", False) == (
        "'a' in x.csv is the text '7,5', not a number; write decimals with a point (7.5, not 7,5)"
    )


def test_a_thousands_separator_gets_its_own_hint(tmp_path: Path) -> None:
    data = read_csv(tmp_path, 'metric,value\na,"1,284"\nb,"1,284,000"\nc,"12,5"\n')
    assert failure(sources.value, data, "a", False) == (
        "'a' in x.csv is the text '1,284', not a number; write 1284 if the comma separates "
        "thousands, 1.284 if it is decimal"
    )
    assert failure(sources.value, data, "b", False) == (
        "'b' in x.csv is the text '1,284,000', not a number; write it without the thousands "
        "separators (1284000)"
    )
    assert failure(sources.value, data, "c", False).endswith("(7.5, not 7,5)")


def test_a_row_with_more_fields_than_its_header_is_refused(tmp_path: Path) -> None:
    # An unquoted comma inside a value shifts every cell after it: none can be trusted.
    text = 'metric,name,value\na,Rate (%),7.2\nb,"Cost, per head",9\nc,Cost, per head,9\n'
    assert failure(read_csv, tmp_path, text) == (
        "x.csv line 4 has 4 fields but its header 3; quote a value that holds ',', or fix "
        "the export"
    )
    fewer = read_csv(tmp_path, "metric,name,value\na,Rate,7.2\nb\n")  # missing cells: empty
    assert sources.value(fewer, "a", False) == 7.2


def test_a_milestone_reads_true_or_false(tmp_path: Path) -> None:
    data = read_csv(tmp_path, "metric,value\na,true\nb,FALSE\nc,yes\nd,1\n")
    assert sources.value(data, "a", True) is True
    assert sources.value(data, "b", True) is False
    assert failure(sources.value, data, "c", True) == (
        "'c' in x.csv is the text 'yes', not true or false (for a milestone)"
    )
    assert "is the text '1', not true or false" in failure(sources.value, data, "d", True)


def test_csv_keys_missing_twice_or_columns_wrong(tmp_path: Path) -> None:
    data = read_csv(tmp_path, "metric,value\noffer-rate,1\nofer-rates,2\ndup,1\ndup,2\n")
    assert failure(sources.value, data, "offer-rat", False) == (
        "x.csv has no row whose metric is 'offer-rat'; did you mean 'offer-rate'?"
    )
    assert failure(sources.value, data, "dup", False) == (
        "x.csv has 2 rows whose metric is 'dup' (lines 4, 5); keep one"
    )
    assert failure(read_csv, tmp_path, "name,amount\na,1\n") == (
        "x.csv has no column 'metric' (its header has: name, amount)"
    )
    assert failure(read_csv, tmp_path, "metric,value,value\na,1,2\n") == (
        "x.csv has twice column 'value'; rename one"
    )
    assert failure(read_csv, tmp_path, "") == (
        "x.csv is empty; it needs a header row naming its columns"
    )
    assert failure(read_csv, tmp_path, 'metric,value\n"a"b,1\n').startswith(
        "x.csv is not valid CSV at line 2: "
    )


def test_json_dot_paths_and_list_indexes(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(
        '{"regions": {"east": {"customers": 120}}, "teams": [{"size": 7}], "on": true, '
        '"big": 1e300, "text": "5", "none": null}'
    )
    data = sources.read(tmp_path, json_source())
    assert sources.value(data, "regions.east.customers", False) == 120
    assert sources.value(data, "teams.0.size", False) == 7
    assert sources.value(data, "on", True) is True
    assert failure(sources.value, data, "teams.1.size", False) == (
        "x.json has no '1' under 'teams'"
    )
    assert failure(sources.value, data, "west", False) == "x.json has no 'west' at its top"
    assert failure(sources.value, data, "regions", False) == (
        "'regions' in x.json is an object, not a number"
    )
    assert failure(sources.value, data, "big", False) == (
        "'big' in x.json is 1e+300 (out of range), not a number"
    )
    assert failure(sources.value, data, "text", False) == (
        "'text' in x.json is the text '5', not a number"
    )
    assert failure(sources.value, data, "none", True) == (
        "'none' in x.json is null, not true or false"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": NaN}', "x.json holds NaN, which is not a number in JSON"),
        ('{"a": 1, "a": 2}', "x.json has the key 'a' twice in one object"),
        ('{"a": 1,}', "x.json is not valid JSON: Expecting property name enclosed in double "
         "quotes at line 1 column 9"),
        ("[" * 100000 + "]" * 100000, "x.json is nested too deeply to read"),
    ],
    ids=["nan", "duplicate", "syntax", "deep"],
)  # fmt: skip
def test_json_that_is_not_plainly_json_is_refused(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "x.json").write_text(content)
    assert failure(sources.read, tmp_path, json_source()) == message


def test_only_regular_files_inside_the_root_are_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "exports").mkdir(parents=True)
    assert failure(sources.read_file, root, "exports/none.csv") == (
        "exports/none.csv does not exist; export it there, or fix okr.yaml"
    )
    assert failure(sources.read_file, root, "exports") == "exports is not a regular file"
    os.mkfifo(root / "exports/pipe.csv")  # opening must not wait for a writer
    assert failure(sources.read_file, root, "exports/pipe.csv") == (
        "exports/pipe.csv is not a regular file"
    )
    (tmp_path / "outside.csv").write_text("x")
    (root / "exports/dir-link").symlink_to(tmp_path)
    assert failure(sources.read_file, root, "exports/dir-link/outside.csv").startswith(
        "exports/dir-link/outside.csv leads outside the OKR root"
    )
    # The root itself may be reached through a link (a checkout under a linked folder).
    (tmp_path / "linked").symlink_to(root)
    (root / "exports/in.csv").write_text("fine")
    assert sources.read_file(tmp_path / "linked", "exports/in.csv") == b"fine"


def running(pid: int) -> bool:
    """Whether a process runs (a zombie does not: it is dead, waiting for its parent)."""
    for _ in range(100):  # SIGKILL is delivered at once, but let the kernel get there
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        if state in ("Z", "X"):
            return False
        time.sleep(0.05)
    return True


# --- commands -------------------------------------------------------------------------------


def test_a_command_that_is_not_there_or_not_runnable(tmp_path: Path) -> None:
    with pytest.raises(commands.CommandError) as caught:
        commands.run(["no-such-program-okr"], tmp_path, 5, 100)
    assert caught.value.message == (
        "no-such-program-okr was not found (not installed, or not on PATH)"
    )
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho 1\n")
    script.chmod(0o644)
    with pytest.raises(commands.CommandError) as caught:
        commands.run(["./script.sh"], tmp_path, 5, 100)
    assert caught.value.message == "./script.sh cannot be run (permission denied)"


def test_a_command_killed_by_a_signal_says_so(tmp_path: Path) -> None:
    with pytest.raises(commands.CommandError) as caught:
        commands.run([PYTHON, "-c", "import os; os.kill(os.getpid(), 9)"], tmp_path, 5, 100)
    assert caught.value.message == "was stopped by signal 9"


def test_a_command_keeps_the_end_of_its_standard_error(tmp_path: Path) -> None:
    code = "import sys; sys.stderr.write('x' * 10000 + 'the end'); sys.exit(1)"
    with pytest.raises(commands.CommandError) as caught:
        commands.run([PYTHON, "-c", code], tmp_path, 5, 100)
    assert len(caught.value.stderr) == commands.STDERR_KEPT
    assert caught.value.stderr.endswith(b"the end")


def test_a_command_output_is_read_whole_up_to_the_cap(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('7' * 100)"
    assert commands.run([PYTHON, "-c", code], tmp_path, 5, 100) == b"7" * 100
    with pytest.raises(commands.CommandError):
        commands.run([PYTHON, "-c", code + "; sys.stdout.write('8')"], tmp_path, 5, 100)


def test_a_command_that_exits_but_leaves_a_child_is_cleaned_up(tmp_path: Path) -> None:
    """The command exits 0 after starting a child that closed its output: the output is
    used, and the child, left in the command's process group, is killed."""
    code = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "open('child', 'w').write(str(child.pid))\n"
        "print(7)\n"
    )
    assert commands.run([PYTHON, "-c", code], tmp_path, 20, 100) == b"7\n"
    assert not running(int((tmp_path / "child").read_text()))
