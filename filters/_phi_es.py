"""PHI in Spanish text: the rules ``filters.phi`` adds for Spanish rows, as typed spans of the same kinds.

* ``PHONE``: Spanish numbers (``612 345 678``, ``91 123 45 67``, ``+34 612 34 56 78``), Mexican and other Latin
  American numbers (``55 1234 5678``, ``+52 1 55 1234 5678``, ``(11) 4567-8901``); not a public line: a toll-free /
  shared-cost number (Spain ``900`` / ``800`` / ``901`` / ``902``, Mexico ``800``, ``01 800``) or one the sentence
  gives as a helpline's, association's, ministry's or service's ("línea de ayuda", "teléfono de la Asociación", "el
  112").
* ``DATE_OF_BIRTH``: a date after "fecha de nacimiento", "nacido / nacida el", "nació el", "F. nac.", written
  ``12/03/1945``, ``12-03-45`` or ``3 de marzo de 1945``.
* ``ID_NUMBER``: DNI (8 digits + letter, ``12345678Z``), NIE (``X1234567L``), CURP (18 characters, ``GOML450312HDFRRS09``),
  RFC, and a number after "DNI", "NIE", "NIF", "CURP", "RUT", "pasaporte", "número de la seguridad social", "NSS",
  "tarjeta sanitaria", "CIP", "afiliación".
* ``RECORD_NUMBER``: a number after "historia clínica", "número de historia", "expediente", "NHC", "nº de paciente".
* ``NAME``: a capitalized name after a kinship or role word ("mi madre, Carmen López", "mi esposo Juan", "la señora
  Martínez", "el paciente José Ruiz", "me llamo Ana Torres", "firmado: Luis").
* ``ADDRESS``: a street with a number ("Calle Mayor 12, 3º B", "C/ Alcalá 45", "Avenida Juárez 120", "Av. de la
  Constitución, 8", "Paseo de Gracia 21"), and a Spanish / Mexican postal code after "C.P." / "CP".
"""

from __future__ import annotations

import re

from filters.phi import Span

_U = "A-ZÁÉÍÓÚÜÑ"
_L = "a-záéíóúüñ"
_NAME_WORD = rf"[{_U}][{_L}]+(?:-[{_U}][{_L}]+)?"
_PARTICLE = r"(?:de la|de los|del|de|y)"
_FULL_NAME = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,3}}"

_KIN = (r"(?:mi|mis|nuestr[oa]|su|tu)\s+(?:madre|padre|mama|mamá|papa|papá|esposo|esposa|marido|mujer|pareja|hijo|hija|"
        r"abuelo|abuela|abuelita|abuelito|hermano|hermana|tío|tio|tía|tia|suegro|suegra|nieto|nieta|cuñado|cuñada|primo|"
        r"prima|vecino|vecina|cuidador|cuidadora|paciente)|\b(?:el|la)\s+(?:señor|señora|señorita|paciente|residente|"
        r"usuario|usuaria|enfermo|enferma)|\b(?:don|doña|sr\.|sra\.|srta\.|dr\.|dra\.)|\bme llamo|\bse llama|\bsoy|"
        r"\bfirmado:?|\batentamente,?|\bun saludo,?|\bsaludos,?|\bpaciente:")
_NAME_RX = re.compile(rf"(?i:\b(?:{_KIN}))\s*,?\s+(?P<name>{_FULL_NAME})")
# words after a kin word that are not names (sentence words written in capitals at a sentence start are rare here)
_NOT_NAMES = {"Alzheimer", "Parkinson", "Dios", "Usted", "Ud", "El", "La", "Los", "Las", "Un", "Una", "Que", "No", "Sí",
              "Si", "Y", "Pero", "Cuando", "Dr", "Dra", "Hospital", "Centro", "Asociación", "Fundación", "Instituto",
              "Ministerio", "Servicio", "Seguridad", "Social", "Lunes", "Martes", "Miércoles", "Jueves", "Viernes",
              "Sábado", "Domingo", "Navidad", "Demencia", "Diabetes"}

_MONTHS = r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre)"
_DATE = rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{1,2}}\s+de\s+{_MONTHS}(?:\s+de(?:l)?\s+\d{{4}})?)"
_DOB_RX = re.compile(rf"(?i)\b(?:fecha de nacimiento|f\.\s?(?:de\s)?nac\.?|nacid[oa]s?\s+(?:el|en)|naci[oó]\s+(?:el|en)|"
                     rf"nacimiento)\s*:?\s*(?:el\s+)?(?P<d>{_DATE}|\d{{4}})")

_DNI = r"\b\d{8}[-\s]?[A-HJ-NP-TV-Z]\b"
_NIE = r"\b[XYZ][-\s]?\d{7}[-\s]?[A-HJ-NP-TV-Z]\b"
_CURP = r"\b[A-Z][AEIOUX][A-Z]{2}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[HM][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z\d]\d\b"
_RFC = r"\b[A-ZÑ&]{4}\d{6}[A-Z\d]{3}\b"
_ID_RX = re.compile("|".join([_DNI, _NIE, _CURP, _RFC]))
_ID_CUE = re.compile(r"(?i)\b(?:dni|nie|nif|curp|rut|rfc|pasaporte|n[uú]mero de (?:la )?seguridad social|nss|n[uú]mero de "
                     r"afiliaci[oó]n|afiliaci[oó]n|tarjeta sanitaria|cip|n[uú]mero de (?:p[oó]liza|asegurado))\b"
                     r"(?:\s+(?:n[uú]mero|n[º°o]\.?))?\s*:?\s*(?P<n>[A-Z0-9][A-Z0-9./-]{4,}[A-Z0-9])")
_RECORD_CUE = re.compile(r"(?i)\b(?:historia cl[ií]nica|n[uú]mero de historia|nhc|expediente|n[º°]\s*de\s*paciente|"
                         r"n[uú]mero de paciente|n[uú]mero de registro)\b(?:\s+(?:n[uú]mero|n[º°o]\.?))?\s*:?\s*"
                         r"(?P<n>[A-Z0-9][A-Z0-9./-]{3,}[0-9])")

_PHONE_RX = re.compile(
    r"(?<![\d+])(?P<p>(?:\+34[ .-]?)?[6789]\d{2}[ .-]?\d{3}[ .-]?\d{3}|(?:\+34[ .-]?)?[6789]\d[ .-]\d{3}[ .-]\d{2}[ .-]\d{2}|"
    r"(?:\+34[ .-]?)?[6789]\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|(?:\+52[ .-]?(?:1[ .-]?)?)?\(?\d{2,3}\)?[ .-]?\d{4}[ .-]\d{4}|"
    r"\+\d{2,3}[ .-]?\(?\d{1,3}\)?[ .-]?\d{3,4}[ .-]?\d{4})(?!\d)")
_PUBLIC_PHONE = re.compile(r"^(?:\+34[ .-]?)?(?:900|800|901|902|016|112)|^(?:01[ .-]?)?800")
_PUBLIC_CONTEXT = re.compile(r"(?i)(?:l[ií]nea|tel[eé]fono|n[uú]mero)\s+(?:de\s+)?(?:ayuda|atenci[oó]n|informaci[oó]n|"
                             r"gratuit[oa]|de la asociaci[oó]n|del ministerio|del servicio|de emergencias|de guardia)|"
                             r"asociaci[oó]n|fundaci[oó]n|ministerio|instituto|servicio|ayuntamiento|centro de salud|"
                             r"hospital|cl[ií]nica|helpline|gratuito")

_STREET = (r"(?:calle|c/|avenida|avda\.?|av\.|paseo|plaza|pza\.?|camino|carretera|ronda|traves[ií]a|calzada|"
           r"boulevard|bulevar|privada|cerrada|colonia|col\.)")
_ADDRESS_RX = re.compile(rf"(?i)\b{_STREET}\s*(?:de\s+(?:la\s+|los\s+|las\s+)?)?[{_U}{_L}]*[{_U}][\w.ÁÉÍÓÚÜÑáéíóúüñ' -]{{0,40}}?"
                         rf",?\s+(?:n[º°o]\.?\s*)?\d{{1,5}}(?:\s*,?\s*\d{{1,2}}\s*[º°ªo]?\s*[A-Z]?\b)?")
_POSTAL_RX = re.compile(r"(?i)\b(?:c\.\s?p\.|cp|c[oó]digo postal)\s*:?\s*(?P<n>\d{5})\b")


def _public_context(text: str, start: int, reach: int = 60) -> bool:
    """A helpline / organization named before ``start`` in the same sentence."""
    before = re.split(r"[.!?;]\s", text[max(0, start - reach):start])[-1]
    return bool(_PUBLIC_CONTEXT.search(before))


def _public_phone(text: str, start: int, number: str) -> bool:
    if _PUBLIC_PHONE.match(number.strip("() ")):
        return True
    return _public_context(text, start)


def spans(text: str | None) -> list[Span]:
    """Typed PHI spans of the Spanish rules in ``text`` (may overlap those of ``filters.phi``: the caller merges)."""
    if not text:
        return []
    out: list[Span] = []
    for m in _NAME_RX.finditer(text):
        words = m.group("name").split()
        while words and words[-1] in ("de", "del", "la", "los", "y"):
            words.pop()
        if not words or words[0] in _NOT_NAMES or words[0].lower() in ("de", "del"):
            continue
        name = " ".join(words)
        s = m.start("name")
        out.append(Span(s, s + len(name), "NAME", name))
    for m in _DOB_RX.finditer(text):
        out.append(Span(m.start("d"), m.end("d"), "DATE_OF_BIRTH", m.group("d")))
    for m in _ID_RX.finditer(text):
        out.append(Span(m.start(), m.end(), "ID_NUMBER", m.group(0)))
    for m in _ID_CUE.finditer(text):
        if any(ch.isdigit() for ch in m.group("n")):
            out.append(Span(m.start("n"), m.end("n"), "ID_NUMBER", m.group("n")))
    for m in _RECORD_CUE.finditer(text):
        out.append(Span(m.start("n"), m.end("n"), "RECORD_NUMBER", m.group("n")))
    for m in _PHONE_RX.finditer(text):
        if not _public_phone(text, m.start("p"), m.group("p")):
            out.append(Span(m.start("p"), m.end("p"), "PHONE", m.group("p")))
    for m in _ADDRESS_RX.finditer(text):
        if not _public_context(text, m.start(), 40):
            out.append(Span(m.start(), m.end(), "ADDRESS", m.group(0).strip()))
    for m in _POSTAL_RX.finditer(text):
        out.append(Span(m.start("n"), m.end("n"), "ADDRESS", m.group("n")))
    return out


def merge(found: list[Span], extra: list[Span]) -> list[Span]:
    """``filters.phi``'s overlap rule: the longer span wins, then the earlier start; sorted by start."""
    from filters.phi import _PRIORITY

    allspans = sorted(found + extra, key=lambda s: (-(s.end - s.start), _PRIORITY.get(s.kind, 99), s.start))
    kept: list[Span] = []
    for s in allspans:
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _allowed(text: str, s: Span, allow) -> bool:
    for p in allow or ():
        for m in re.finditer(p, text):
            if m.start() <= s.start and s.end <= m.end():
                return True
    return False


def detect_spans_es(text: str | None, allow=None) -> list[Span]:
    """``filters.phi.detect_spans`` plus the Spanish rules (``allow``: the same never-PHI patterns)."""
    from filters.phi import detect_spans

    extra = [s for s in spans(text) if not _allowed(text or "", s, allow)]
    return merge(detect_spans(text, allow), extra)


def detect_phi_es(text: str | None, allow=None) -> list[str]:
    out: list[str] = []
    for s in detect_spans_es(text, allow):
        if s.label() not in out:
            out.append(s.label())
    return out


def redact_es(text: str | None, allow=None) -> tuple[str | None, list[str]]:
    """``text`` with every span (English and Spanish rules) replaced by its typed placeholder; the kinds replaced."""
    found = detect_spans_es(text, allow)
    if not found:
        return text, []
    parts, pos = [], 0
    for s in found:
        parts += [text[pos:s.start], f"[{s.kind}]"]
        pos = s.end
    parts.append(text[pos:])
    return "".join(parts), [s.kind for s in found]


def with_spanish_phi(df, columns: list[str], es, action: str, allow=None):
    """``PhiFilter``'s columns for the Spanish rows (``es``) of a scored batch: with ``action == "redact"`` their
    Spanish spans are replaced too (``phi_redacted`` extended), and ``phi`` lists what the English and Spanish rules
    find in them."""
    import polars as pl

    from filters.columns import PHI_COL
    from filters.phi import PHI_REDACTED_COL

    rows = es.arg_true().to_list()
    if not rows:
        return df
    if action == "redact":
        redacted = {c: df[c].cast(pl.Utf8).to_list() for c in columns}
        kinds = df[PHI_REDACTED_COL].to_list()
        for i in rows:
            extra = []
            for c in columns:
                new, k = redact_es(redacted[c][i], allow)
                redacted[c][i] = new
                extra += k
            kinds[i] = list(kinds[i] or []) + extra
        df = df.with_columns(*[pl.Series(c, v, dtype=pl.Utf8) for c, v in redacted.items()],
                             pl.Series(PHI_REDACTED_COL, kinds, dtype=pl.List(pl.Utf8)))
    phi = df[PHI_COL].to_list()
    texts = {c: df[c].cast(pl.Utf8).to_list() for c in columns}
    for i in rows:
        labels: list[str] = []
        for c in columns:
            for x in detect_phi_es(texts[c][i], allow):
                if x not in labels:
                    labels.append(x)
        phi[i] = labels
    return df.with_columns(pl.Series(PHI_COL, phi, dtype=pl.List(pl.Utf8)))


from filters.phi import PhiFilter, phi_text_columns  # noqa: E402  (the filter this module extends)


class PhiFilterEs(PhiFilter):
    """``PhiFilter`` that adds the Spanish rules on Spanish rows (``filter.lang: es`` or a ``lang`` column)."""

    def score(self, df, cfg, alive=None):
        from curate.core import lang as _lang

        cols = phi_text_columns(df)
        df = super().score(df, cfg, alive)
        if _lang.any_lang(df, "es", cfg.lang):
            df = with_spanish_phi(df, cols, _lang.mask(df, "es", cfg.lang), cfg.phi_action, cfg.phi_allow)
        return df
