"""The typer app and one thin module per command family."""
