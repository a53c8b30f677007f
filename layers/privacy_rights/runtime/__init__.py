"""Handler glue: composition root, settings, observability, API and task set-up, HTTP error map."""
