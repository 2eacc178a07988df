"""The domain, pure: no I/O, no git, no YAML reading."""
