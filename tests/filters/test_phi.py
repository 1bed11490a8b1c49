import polars as pl

from filters import FilterConfig, filter_frame
from filters.phi import detect_phi, phi_expr, phi_series
from tests.filters.helpers import frame, pair

TEXT = ("Mr. John Smith (DOB 03/14/1947), MRN: A1234567, lives at 42 Maple Street. "
        "Call his daughter at (555) 123-4567 or jane.smith@example.org.")


def test_detect_phi_kinds():
    kinds = {x.split(":")[0] for x in detect_phi(TEXT)}
    assert {"person_name", "date_of_birth", "record_number", "street_address", "phone", "email"} <= kinds
    assert detect_phi("Donepezil 5 mg once daily helps some people with memory.") == []


def test_vectorized_variants_agree_with_detect_phi():
    df = pl.DataFrame({"t": [TEXT, "No identifiers here, just 5 mg twice daily.", None]})
    one_pass = phi_series(df, ["t"]).to_list()
    per_kind = df.select(phi_expr("t"))["t"].to_list()
    assert one_pass[1] == [] and one_pass[2] == [] and per_kind[1] == []
    assert {x.split(":")[0] for x in one_pass[0]} == {x.split(":")[0] for x in detect_phi(TEXT)} - {"date"}


def test_phi_column_flags_and_optional_drop():
    p = pair(question="My father Mr. John Smith, born on 03/14/1947, keeps forgetting his pills. What can I do?")
    r = filter_frame(frame(p), FilterConfig(meaning_check=False)).row(0, named=True)
    assert any(x.startswith("person_name") for x in r["phi"]) and "phi" not in r["drop_reasons"]
    r = filter_frame(frame(p), FilterConfig(meaning_check=False, drop_phi=True)).row(0, named=True)
    assert "phi" in r["drop_reasons"] and not r["keep"]
    clean = filter_frame(frame(pair()), FilterConfig(meaning_check=False, drop_phi=True)).row(0, named=True)
    assert clean["phi"] == []
