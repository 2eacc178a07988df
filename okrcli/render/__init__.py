"""Terminal tables and trees, markdown, csv and json: strings or renderables, no I/O."""
