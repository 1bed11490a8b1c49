import os

import polars as pl
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embed_model():
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    from filters.meaning import load_model

    return load_model(None)
