"""privacy-ops: the ops team's command line, an HTTP client of the ops API (kept out of the layer)."""
