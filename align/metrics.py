"""Training metrics: a CSV row per log step, a PNG plot, and the DPO-collapse warning."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from transformers import TrainerCallback

log = logging.getLogger("align")

COLUMNS = ("step", "epoch", "loss", "learning_rate", "grad_norm", "rewards/chosen", "rewards/rejected",
           "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected",
           "eval_loss", "eval_rewards/accuracies", "eval_rewards/margins")


def detect_collapse(rows: list[dict], window: int = 5, min_drop: float = 1.0, beta: float = 0.1) -> str | None:
    """The known DPO failure: the margin grows while the *chosen* answers lose likelihood against the reference.

    Uses the chosen reward (beta x log-ratio to the reference, per pair), not raw chosen log-probs: raw log-probs
    depend on which (longer or shorter) pairs a batch holds, so comparing them across steps gives false alarms.
    Over the last ``window`` training rows: the chosen log-ratio fell by at least ``min_drop`` nats, is now
    negative, and the reward margin rose.  Returns a one-line warning or None.
    """
    rows = [r for r in rows if r.get("rewards/chosen") is not None and r.get("rewards/margins") is not None]
    if len(rows) < max(2, window):
        return None
    first, last = rows[-window], rows[-1]
    drop = (first["rewards/chosen"] - last["rewards/chosen"]) / beta
    rise = last["rewards/margins"] - first["rewards/margins"]
    if drop >= min_drop and last["rewards/chosen"] < 0 and rise > 0:
        return (f"chosen answers lost {drop:.2f} nats of likelihood against the reference while reward margins rose by "
                f"{rise:.3f} over steps {first['step']}-{last['step']}: likely DPO likelihood collapse "
                "(lower learning_rate, raise beta, or stop earlier)")
    return None


class MetricsCallback(TrainerCallback):
    """Writes ``metrics.csv`` as training goes, ``metrics.png`` at the end; warns once on collapse."""

    def __init__(self, out_dir: str | Path, window: int = 5, min_drop: float = 1.0, resume: bool = False,
                 beta: float = 0.1):
        self.out_dir = Path(out_dir)
        self.window, self.min_drop, self.beta = window, min_drop, beta
        self.rows: list[dict] = []
        self.warnings: list[str] = []
        csv_path = self.out_dir / "metrics.csv"
        if resume and csv_path.is_file():  # keep the history; rows past the checkpoint are dropped on train begin
            self.rows = read_metrics_csv(csv_path)

    def on_train_begin(self, args, state, control, **kwargs):
        self.rows = [r for r in self.rows if r["step"] is not None and r["step"] <= state.global_step]

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not logs or not state.is_world_process_zero:
            return
        if not any(k in logs for k in ("loss", "eval_loss")):
            return  # the final train summary
        row = {"step": state.global_step, **{k: logs.get(k) for k in COLUMNS if k != "step"}}
        self.rows.append(row)
        self._write_csv()
        if not self.warnings:
            msg = detect_collapse([r for r in self.rows if r.get("loss") is not None], self.window, self.min_drop, self.beta)
            if msg:
                self.warnings.append(msg)
                log.warning(msg)
                from curate.core.clikit import err_console

                err_console.print(f"warning: {msg}", markup=False)

    def _write_csv(self) -> None:
        from curate.core.io import atomic_path

        self.out_dir.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.out_dir / "metrics.csv") as tmp:
            with tmp.open("w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(COLUMNS))
                w.writeheader()
                for r in self.rows:
                    w.writerow({k: ("" if r.get(k) is None else r[k]) for k in COLUMNS})

    def finish(self) -> None:
        if self.rows:
            self._write_csv()
            plot_metrics(self.rows, self.out_dir / "metrics.png")


def read_metrics_csv(path: str | Path) -> list[dict]:
    with Path(path).open() as f:
        return [{k: (float(v) if v not in ("", None) else None) for k, v in r.items()} for r in csv.DictReader(f)]


def plot_metrics(rows: list[dict], target: Path) -> None:
    from curate.core.plots import figure, save_png

    train = [r for r in rows if r.get("loss") is not None]
    panels = [("loss", ["loss", "eval_loss"]), ("reward margin", ["rewards/margins", "eval_rewards/margins"]),
              ("reward accuracy", ["rewards/accuracies", "eval_rewards/accuracies"]),
              ("log-probs", ["logps/chosen", "logps/rejected"])]
    fig, axes = figure(1, 4, figsize=(16, 3.6))
    for ax, (title, keys) in zip(axes, panels):
        for key in keys:
            src = rows if key.startswith("eval_") else train
            pts = [(r["step"], r[key]) for r in src if r.get(key) is not None]
            if pts:
                ax.plot(*zip(*pts), marker="." if len(pts) < 50 else None, label=key)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
    save_png(fig, target)
