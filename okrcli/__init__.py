"""okr: OKRs as plain YAML in a git repository."""

__version__ = "0.1.0"
