"""What every stage shares: the table schema, input / output, errors, the config machinery, manifests, loopback
networking, plots, output-folder rules, the CLI helpers and the built-in model's locator.

Nothing here imports a stage (``rewrite``, ``filters``, ``curate.review``, ``curate.publish``, ``align``) or the app
(``curate.app``).
"""
