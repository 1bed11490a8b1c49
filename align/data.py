"""Loading the published preference data and preparing the tokenizer's chat template.

The published dataset is in TRL's conversational preference format: ``prompt`` (a list of messages: one system
message, one user message), ``chosen`` and ``rejected`` (a list with one assistant message each).  TRL applies the
chat template itself; this module makes sure it can do so correctly: a chat template exists, pad != EOS, and
the system prompt the data carries is the one the model sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate.core.errors import UsageError

PREFERENCE_COLUMNS = ("prompt", "chosen", "rejected")

# ChatML, the template SmolLM2 / Qwen use; only used when the tokenizer has none and the user asks for it.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# existing tokens that make a good pad when the tokenizer pads with EOS (never trained on: masked everywhere)
_PAD_CANDIDATES = ("<|pad|>", "<pad>", "[PAD]", "<|finetune_right_pad_id|>", "<|endoftext|>", "<unk>")


def load_preference_dataset(source: str, split: str | None = "train"):
    """A ``datasets.Dataset`` (``split``) or ``DatasetDict`` (``split=None``) from a dir, a file or a hub id."""
    import datasets

    path = Path(source)
    ds: Any
    try:
        if path.is_dir():
            if (path / "dataset_dict.json").exists() or (path / "dataset_info.json").exists() or (path / "state.json").exists():
                ds = datasets.load_from_disk(str(path))
            else:
                ds = datasets.load_dataset(str(path), cache_dir=_cache_dir_for(path))
        elif path.is_file():
            ext = path.suffix.lower().lstrip(".")
            builder = {"parquet": "parquet", "jsonl": "json", "json": "json", "csv": "csv"}.get(ext)
            if builder is None:
                raise UsageError(f"{source}: unsupported data file type {path.suffix!r} (use parquet or jsonl)")
            ds = datasets.load_dataset(builder, data_files={"train": str(path)})
        elif "/" in source and not source.startswith((".", "/")) and source.count("/") == 1:
            ds = datasets.load_dataset(source)
        else:
            raise UsageError(f"{source}: no such dataset directory or file")
    except UsageError:
        raise
    except Exception as e:  # noqa: BLE001 - datasets raises many kinds; the user needs one line
        raise UsageError(f"{source}: cannot load the dataset: {' '.join(str(e).split())[:200]}") from None
    if isinstance(ds, datasets.Dataset):
        ds = datasets.DatasetDict({"train": ds})
    if split is None:
        return ds
    if split not in ds:
        raise UsageError(f"{source}: no split {split!r} (splits: {', '.join(ds)})")
    out = ds[split]
    validate_preference_dataset(out, source)
    return out


def _cache_dir_for(folder: Path) -> str:
    """A datasets cache dir of this folder's files as they are now (absolute path, size, mtime of each).

    ``datasets.load_dataset(DIR)`` keys its default cache on the folder's *name* and file names, so a second dataset
    published to another folder of the same name (``runs/a/dataset``, ``runs/b/dataset``) would be read from the
    first one's cache; this key changes whenever a file does."""
    import hashlib
    import tempfile

    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    stamp = [(str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    key = hashlib.sha256(repr(stamp).encode()).hexdigest()[:16]
    return str(Path(tempfile.gettempdir()) / "curate-datasets-cache" / key)


def validate_preference_dataset(ds, where: str) -> None:
    missing = [c for c in PREFERENCE_COLUMNS if c not in ds.column_names]
    if missing:
        raise UsageError(f"{where}: missing column(s) {', '.join(missing)}; expected TRL conversational preference format "
                         "(prompt/chosen/rejected message lists) as written by `curate publish`")
    if len(ds) == 0:
        raise UsageError(f"{where}: the dataset has no rows")
    row = ds[0]
    for col in PREFERENCE_COLUMNS:
        v = row[col]
        if not (isinstance(v, list) and v and isinstance(v[0], dict) and "role" in v[0] and "content" in v[0]):
            raise UsageError(f"{where}: column {col!r} must hold message lists [{{role, content}}, ...], got {type(v).__name__}")
    if row["chosen"][-1]["role"] != "assistant" or row["rejected"][-1]["role"] != "assistant":
        raise UsageError(f"{where}: chosen/rejected must end with an assistant message")
    if row["prompt"][-1]["role"] != "user":  # a conversation's earlier turns come before its last user turn
        raise UsageError(f"{where}: prompt must end with the user message the answers reply to, got a "
                         f"{row['prompt'][-1]['role']!r} message")


def system_prompt_of(ds) -> str | None:
    """The dataset's system prompt (the first row's system message), if any."""
    msgs = ds[0]["prompt"]
    return next((m["content"] for m in msgs if m["role"] == "system"), None)


def ensure_system_prompt(ds, system_prompt: str | None):
    """Rows without a system message get ``system_prompt`` (when given); rows with one keep theirs."""
    if not system_prompt:
        return ds

    def add(row):
        if not any(m["role"] == "system" for m in row["prompt"]):
            row["prompt"] = [{"role": "system", "content": system_prompt}, *row["prompt"]]
        return row

    return ds.map(add, desc="system prompt")


def prepare_tokenizer(tokenizer, chat_template: str | None = None, pad_token: str = "<|pad|>") -> bool:
    """Make the tokenizer safe for DPO; returns True when tokens were added (the embeddings must be resized).

    - a chat template must exist (``chat_template`` fills in one, 'chatml' = built-in ChatML);
    - pad must differ from EOS: an existing unused special token is preferred, else ``pad_token`` is added;
    - padding on the left is what TRL's generation expects; training collators pad explicitly.
    """
    added = False
    if chat_template:
        if chat_template == "chatml":
            new = [t for t in ("<|im_start|>", "<|im_end|>") if t not in tokenizer.get_vocab()]
            if new:
                tokenizer.add_special_tokens({"additional_special_tokens": new})
                added = True
            tokenizer.chat_template = CHATML_TEMPLATE
            tokenizer.eos_token = "<|im_end|>"
        else:
            p = Path(chat_template)
            tokenizer.chat_template = p.read_text("utf-8") if p.is_file() else chat_template
    if not getattr(tokenizer, "chat_template", None):
        raise UsageError("the model's tokenizer has no chat template; set align.dpo.chat_template ('chatml' or a Jinja template)")
    if tokenizer.eos_token is None:
        raise UsageError("the tokenizer has no EOS token; cannot end the assistant turn")
    if tokenizer.pad_token is None or tokenizer.pad_token_id == tokenizer.eos_token_id:
        vocab = tokenizer.get_vocab()
        special = {tokenizer.eos_token, tokenizer.bos_token}
        choice = next((t for t in (pad_token, *_PAD_CANDIDATES) if t in vocab and t not in special), None)
        if choice is None:
            tokenizer.add_special_tokens({"pad_token": pad_token})
            added = True
        else:
            tokenizer.pad_token = choice
    tokenizer.padding_side = "left"
    return added


def assistant_end_token(tokenizer) -> str:
    """The token the chat template closes an assistant turn with (checked in the tests)."""
    msgs = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "XYZ"}]
    text = tokenizer.apply_chat_template(msgs, tokenize=False)
    tail = text.split("XYZ", 1)[1].strip()
    return tail
