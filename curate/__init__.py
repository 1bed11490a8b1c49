"""empathy-curate: clinical QA -> supportive / prescriptive preference pairs.

Stages (each a folder): ``rewrite`` (LLM rewrites), ``filters`` (scores + keep/drop),
``curate.review`` (Argilla), ``curate.publish`` (HF dataset), ``align`` (DPO + eval).
"""

__version__ = "0.1.0"
