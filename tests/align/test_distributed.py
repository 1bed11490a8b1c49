"""`align dpo` with two CPU processes (torchrun -> accelerate picks gloo): DDP runs, ranks agree, rank 0 writes.

On GPUs the same command runs under `accelerate launch --config_file align/accelerate/{ddp,fsdp2,deepspeed_zero3}.yaml`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from align_fixtures import write_cfg

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_two_process_gloo_dpo(tiny_dir, pref_data, tmp_path):
    out = tmp_path / "ddp"
    cfg = write_cfg(tmp_path / "cfg.yaml", per_device_train_batch_size=2, save_steps=100)
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1"}
    cmd = [str(torchrun), "--nproc_per_node", "2", "--master_port", "29517", "-m", "curate.app.align_cli", "dpo", "--data", str(pref_data), "--model", str(tiny_dir),
           "-o", str(out), "--config", str(cfg), "--max-steps", "3"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["num_processes"] == 2 and manifest["counts"]["steps"] == 3
    # 2 processes x 2 pairs per device: 3 steps consume 12 pairs -> epoch 12/36
    assert abs(manifest["train_metrics"]["epoch"] - 12 / 36) < 1e-6
    assert (out / "final" / "adapter_model.safetensors").is_file() and (out / "metrics.csv").is_file()
