"""The names of the columns the filter stage decides with, declared once.

``KEEP_COL`` (bool) and ``REASONS_COL`` (list[str], the drop reasons in filter order) end every table the stage
writes (their names are ``curate.core.schema``'s, which every later stage reads); each filter declares its own
score columns (``Filter.columns``), collected in ``filters.SCORE_COLUMNS``.
"""

from __future__ import annotations

from curate.core import schema as S

KEEP_COL = S.KEEP
REASONS_COL = S.DROP_REASONS
CLUSTER_ID_COL = S.CLUSTER_ID
DUP_KIND_COL = S.DUP_KIND
HAS_SOURCE_COL = "has_source"
PHI_COL = "phi"
PHI_REDACTED_COL = "phi_redacted"
