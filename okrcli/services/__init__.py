"""One module per command's work: plain data in, plain data out."""
