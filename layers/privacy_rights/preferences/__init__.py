"""Opt-outs, objections, restriction and suppression, and the "may I process?" check."""
