"""Everything that talks to AWS. Each adapter takes its clients and resource names in its
constructor: no module-level clients, no I/O at import."""
