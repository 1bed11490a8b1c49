from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from curate.app.config import CurateConfig, default_yaml, load_config
from curate.core.configlib import to_dict
from curate.core.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]


def test_config_init_prints_every_default_and_round_trips(tmp_path):
    r = subprocess.run([sys.executable, "-m", "curate.app.cli", "config", "init"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    data = yaml.safe_load(r.stdout)
    assert data == to_dict(CurateConfig())  # every key of every section, with its default
    assert "# Hub id, local path or .gguf file of the rewrite model" in r.stdout  # commented
    path = tmp_path / "c.yaml"
    path.write_text(r.stdout)
    assert load_config(path) == CurateConfig()
    out = tmp_path / "written.yaml"
    assert subprocess.run([sys.executable, "-m", "curate.app.cli", "config", "init", "-o", str(out)], cwd=ROOT, timeout=120).returncode == 0
    again = subprocess.run([sys.executable, "-m", "curate.app.cli", "config", "init", "-o", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


def test_overrides_and_validation(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("rewrite:\n  temperature: 0.9\n  batch_size: 4\n")
    cfg = load_config(path, {"rewrite": {"batch_size": 8, "model": None}})
    assert cfg.rewrite.temperature == 0.9 and cfg.rewrite.batch_size == 8  # flag beats file, None = not given
    for body, msg in [("rewrite:\n  batch_size: many\n", "expected an integer"), ("rewrite: [1]\n", "expected a mapping"),
                      ("- a\n", "mapping at the top level"), ("nonsense_section: {}\n", "unknown key 'nonsense_section'"),
                      ("rewrite: {allow_phi: 'yes'}\n", "expected true/false")]:
        path.write_text(body)
        with pytest.raises(UsageError, match=msg):
            load_config(path)
    assert default_yaml().startswith("# empathy-curate configuration")
