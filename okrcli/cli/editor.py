"""`okr schema` (SPEC §20): the JSON Schema of the files, for editors and check-jsonschema."""

import sys
from enum import StrEnum
from typing import Annotated

import typer

from okrcli.cli.common import options_of


class SchemaKind(StrEnum):
    team = "team"
    config = "config"


def schema(
    ctx: typer.Context,
    kind: Annotated[
        SchemaKind | None,
        typer.Argument(help="team (a team file) or config (okr.yaml).", show_default=False),
    ] = None,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Write both schemas into the OKR root's .okr/ folder, where the files' "
            "yaml-language-server comments point.",
        ),
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a team file or of okr.yaml.

    It is generated from the same declaration validation uses. Editors with the YAML
    language server check files as you type once a file starts with
    '# yaml-language-server: $schema=../.okr/team.schema.json' (okr init writes that line
    and the schema files); 'okr schema --write' refreshes them after an upgrade.

    Example: okr schema team > team.schema.json
    """
    from okrcli.core.errors import UsageError
    from okrcli.core.text import inert
    from okrcli.files import scaffold, schema_json
    from okrcli.files.workspace import find_root

    if write:
        if kind is not None:
            raise UsageError("--write writes both schemas; drop the KIND, or drop --write")
        root = find_root(options_of(ctx).start)
        for written in scaffold.write_schemas(root):
            print(f"wrote {inert(written)}")
        return
    if kind is None:
        raise UsageError("give KIND: 'okr schema team' or 'okr schema config' (or --write)")
    sys.stdout.write(schema_json.text(kind.value))
