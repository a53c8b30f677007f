"""The state machine's steps (the workflow and its ledger) and the payloads that travel between states."""
