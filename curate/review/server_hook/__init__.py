"""Files run by the Argilla server's own Python (see ``curate_argilla_hook.py``); nothing here is imported by the toolkit."""
