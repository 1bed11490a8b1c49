"""empathy-curate: clinical QA -> supportive / prescriptive preference pairs.

Layers, one way: ``curate.core`` (shared schema, I/O, errors, config machinery) <- the stages, each a folder:
``rewrite`` (LLM rewrites), ``filters`` (scores + keep/drop), ``curate.review`` (Argilla), ``curate.publish``
(HF dataset), ``align`` (DPO + eval) <- ``curate.app`` (the CLIs, the combined config, the pipeline).
"""

__version__ = "0.1.0"
