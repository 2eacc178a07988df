"""git, and what it knows about the past: the only layer that runs git."""
