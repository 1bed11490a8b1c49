"""The language of a row: ``en`` (English, the default) or ``es`` (Spanish).

A run's language comes from ``--lang`` / ``lang:`` in a stage's config section; a ``lang`` column (``schema.LANG``)
overrides it per row.  Codes are read loosely (``es``, ``es-MX``, ``es_ES``, ``spa``, ``spanish``, ``español``;
``en``, ``en-US``, ``eng``, ``english``) and written as the two-letter code.  Anything else is a usage error
naming the value, so a typo never silently gets English scores.
"""

from __future__ import annotations

import polars as pl

from curate.core.errors import UsageError

LANG = "lang"
LANGUAGES = ("en", "es")
DEFAULT = "en"
_ALIASES = {"en": "en", "eng": "en", "english": "en", "inglés": "en", "ingles": "en",
            "es": "es", "spa": "es", "spanish": "es", "español": "es", "espanol": "es", "castellano": "es"}


def normalize(code: object, where: str = "lang") -> str:
    """``"es-MX"`` -> ``"es"``; ``None`` -> ``DEFAULT``; a code of no supported language raises ``UsageError``
    naming ``where``."""
    if code is None:
        return DEFAULT
    text = str(code).strip().lower()
    base = text.replace("_", "-").split("-")[0]
    if text in _ALIASES:
        return _ALIASES[text]
    if base in _ALIASES:
        return _ALIASES[base]
    raise UsageError(f"{where}: unsupported language {code!r} (supported: {', '.join(LANGUAGES)})")


def check(code: str | None) -> str | None:
    """For a config's ``__post_init__``: the normalized code (``None`` stays: the run's language, else English), or
    ``ValueError`` with the supported ones."""
    if code is None:
        return None
    try:
        return normalize(code)
    except UsageError:
        raise ValueError(f"must be one of {', '.join(LANGUAGES)} (or a regional code such as es-MX), got {code!r}") from None


def row_langs(df: pl.DataFrame, default: str = DEFAULT) -> pl.Series:
    """Each row's language (``en`` / ``es``): the ``lang`` column where it is set, else ``default``.  A value of
    no supported language is a ``UsageError`` naming it and its first row."""
    default = normalize(default)
    if LANG not in df.columns:
        return pl.Series(LANG, [default] * df.height, dtype=pl.Utf8)
    raw = df[LANG].cast(pl.Utf8)
    blank = raw.is_null() | (raw.str.strip_chars() == "")
    mapping = {}
    for value in raw.filter(~blank).unique().to_list():
        try:
            mapping[value] = normalize(value)
        except UsageError:
            row = int((raw == value).arg_true()[0])
            raise UsageError(f"input: column {LANG!r}, row {row}: unsupported language {value!r} "
                             f"(supported: {', '.join(LANGUAGES)})") from None
    out = raw.replace_strict(mapping, default=default, return_dtype=pl.Utf8) if mapping else pl.Series([default] * df.height)
    return out.set(blank, default).alias(LANG) if blank.any() else out.alias(LANG)


def mask(df: pl.DataFrame, lang: str, default: str = DEFAULT) -> pl.Series:
    """Rows whose language is ``lang``."""
    return row_langs(df, default) == lang


def any_lang(df: pl.DataFrame, lang: str, default: str = DEFAULT) -> bool:
    """Whether any row is in ``lang`` (cheap when there is no ``lang`` column)."""
    if LANG not in df.columns:
        return normalize(default) == lang
    return bool(mask(df, lang, default).any())


def dominant(df: pl.DataFrame, default: str = DEFAULT) -> list[str]:
    """The languages of a table's rows, most rows first (for a dataset card's ``language`` tag)."""
    if df.height == 0:
        return [normalize(default)]
    counts = row_langs(df, default).value_counts(sort=True)
    return counts[LANG].to_list()
