"""The application: the ``curate`` and ``align`` console scripts (one module per stage's commands), the combined
config (``curate.app.config``) and the pipeline (``curate run``).  The only code that imports every stage."""
