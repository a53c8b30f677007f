"""Access and portability: the export service and the redaction of text and audio."""
