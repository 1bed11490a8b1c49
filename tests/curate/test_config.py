from __future__ import annotations

import dataclasses
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


def test_cli_flags_map_to_fields_by_name_and_errors_name_the_declared_flag(tmp_path):
    """One rule for every console script: a command argument named like a config field sets it (None = not given),
    and a bad value is named by the field's flag: ``--field-name``, or the one it declares (``field(flag="-o")``)."""
    from pathlib import PurePath

    from curate.app.config import load_section
    from curate.core.configlib import cli_overrides, field_flag, section_class
    from align.config import DPOTrainConfig

    assert section_class(CurateConfig, "align.dpo") is DPOTrainConfig
    overrides, flags = cli_overrides(CurateConfig, "align.dpo", {"output_dir": PurePath("o"), "max_steps": None,
                                                                 "resume": True, "beta": 0.2})
    assert overrides == {"align": {"dpo": {"output_dir": "o", "beta": 0.2}}}  # `resume` is no field: not config
    assert flags == {"align.dpo.output_dir": "-o", "align.dpo.beta": "--beta"}
    fields = {f.name: f for f in dataclasses.fields(DPOTrainConfig)}
    assert field_flag(fields["max_steps"]) == "--max-steps" and field_flag(fields["output_dir"]) == "-o"
    assert load_section(None, "align.dpo", {"max_steps": 3}).max_steps == 3
    with pytest.raises(UsageError, match=r"^-o must be a directory path$"):
        load_section(None, "align.dpo", {"output_dir": " "})
    with pytest.raises(UsageError, match=r"^--timeout must be a positive number of seconds"):
        load_section(None, "rewrite", {"timeout_s": 0.0})
    path = tmp_path / "c.yaml"
    path.write_text("align:\n  dpo:\n    beta: 0\n")
    with pytest.raises(UsageError, match=rf"^{path}: align.dpo.beta: must be a number > 0"):
        load_section(path, "align.dpo", {"max_steps": 3})
    assert load_section(path, "align.dpo", {"beta": 0.5}).beta == 0.5  # the flag fixes the file's bad value
