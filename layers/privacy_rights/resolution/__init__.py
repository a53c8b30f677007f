"""Subject resolution: what the platform holds about a person, where, and who controls it."""
