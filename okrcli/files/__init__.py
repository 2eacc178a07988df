"""OKR files: reading, checking and writing them (no git)."""
