"""Email to the privacy address: parsing, triage, classification, email intake and the ops review queue."""
