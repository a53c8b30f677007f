"""Correction (GDPR Art. 16, CCPA 7023): changes applied to the records the data map marks correctable."""
