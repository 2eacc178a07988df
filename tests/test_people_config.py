"""`people:` in okr.yaml (SPEC §18): what it declares, its E012 findings with positions,
and the rule that turns a commit's git identity into a person."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_okr

from okrcli.core.model import Person
from okrcli.core.people import identities
from okrcli.files.workspace import open_workspace


def validate(root: Path) -> list[str]:
    result = run_okr("-C", str(root), "validate")
    return [line for line in result.stdout.splitlines() if line.startswith("okr.yaml")]


def test_people_are_read_into_the_config(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Acme\n"
        "people:\n"
        "  王芳: {email: [wang.fang@acme.example, WF@home.example]}\n"
        "  李雷:\n"
        "    email: li.lei@acme.example   # one address needs no list\n"
        "  韩梅梅:\n"
        "  Tom Becker: {}\n",
        encoding="utf-8",
    )
    assert validate(okr_dir) == []
    config = open_workspace(okr_dir).config
    assert config is not None
    assert config.people == (
        Person("王芳", ("wang.fang@acme.example", "WF@home.example")),
        Person("李雷", ("li.lei@acme.example",)),
        Person("韩梅梅", ()),
        Person("Tom Becker", ()),
    )


def test_people_problems_are_e012_at_their_positions(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Acme\n"
        "people:\n"
        "  王芳:\n"
        "    email: [wang.fang@acme.example, 3, wang]\n"
        "  李雷:\n"
        "    emial: li@acme.example\n"
        '  " ": {}\n'
        "  Tom: tom@acme.example\n"
        "  Ann: {email: [ann@acme.example]}\n"
        "  Bob: {email: [bob@acme.example, ANN@acme.example]}\n",
        encoding="utf-8",
    )
    assert validate(okr_dir) == [
        "okr.yaml:4:37: error[E012]: okr.yaml: 'email' entries must be text, not 3",
        "okr.yaml:6:5: error[E012]: okr.yaml: unknown key 'emial'; did you mean 'email'?",
        "okr.yaml:7:3: error[E012]: okr.yaml: a person's name must not be blank; write the name",
        "okr.yaml:8:8: error[E012]: okr.yaml: person 'Tom' must be a mapping of their git "
        "emails, like {email: [tom@acme.example]}, not the text 'tom@acme.example'",
        "okr.yaml:10:35: error[E012]: okr.yaml: email 'ANN@acme.example' is listed for Ann "
        "already; an email belongs to one person, so remove it from one of them",
    ]


def test_an_entry_that_is_no_email_address_is_pointed_at(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text(
        "organization: Acme\npeople:\n  王芳:\n    email:\n      - wang.fang@acme.example\n"
        "      - wang fang@acme\n",
        encoding="utf-8",
    )
    result = run_okr("-C", str(okr_dir), "validate", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "path": "okr.yaml",
            "line": 6,
            "col": 9,
            "severity": "error",
            "code": "E012",
            "message": "okr.yaml: 'email' entries must be email addresses like "
            "wang.fang@acme.com, not the text 'wang fang@acme'",
        }
    ]


def test_people_that_is_not_a_mapping(okr_dir: Path) -> None:
    (okr_dir / "okr.yaml").write_text("organization: Acme\npeople: [王芳]\n", encoding="utf-8")
    assert validate(okr_dir) == [
        "okr.yaml:2:9: error[E012]: okr.yaml: 'people' must be a mapping of keys, not a list"
    ]


def test_a_commit_author_is_the_person_of_their_email_else_their_name() -> None:
    people = identities(
        [Person("王芳", ("wang.fang@acme.example", "WF@Home.example")), Person("Ann Smith")]
    )
    assert people.person("Fang Wang", "wf@home.EXAMPLE") == "王芳"  # email, any case
    assert people.person("Ann Smith", "ann@elsewhere.example") == "Ann Smith"  # by name
    assert people.person("Bob", "bob@example.com") == "Bob"  # git's name
    # The email wins over a name that is another person's.
    assert people.person("Ann Smith", "wang.fang@acme.example") == "王芳"
