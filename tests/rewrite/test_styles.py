from __future__ import annotations

import pytest

from curate.core.errors import UsageError
from rewrite.styles import get_style, load_styles


def test_builtin_styles_are_versioned_and_render_messages():
    styles = load_styles()
    sup, pre = styles["supportive"], styles["prescriptive"]
    assert sup.role == "chosen" and pre.role == "rejected"
    assert sup.prompt_version.startswith("supportive@1.0:") and len(sup.content_hash) == 8
    msgs = sup.messages("Q with {braces}?", "A  with\n spacing.")
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user"
    assert len(msgs) == 2 + 2 * len(sup.few_shot)
    assert "QUESTION: Q with {braces}?" in msgs[-1]["content"] and "ANSWER: A with spacing." in msgs[-1]["content"]


def test_user_styles_add_and_override_by_name(tmp_path):
    base = load_styles()["supportive"]
    (tmp_path / "plain.yaml").write_text(
        "name: plain\nversion: '0.1'\nsystem: Be plain.\ninstructions: 'Rewrite plainly: {answer}'\n")
    (tmp_path / "supportive.yaml").write_text(
        "name: supportive\nversion: '1.0'\nsystem: Different system prompt.\ninstructions: 'Warmly: {answer}'\n")
    styles = load_styles(tmp_path)
    assert "plain" in styles and styles["plain"].messages("q", "a")[-1]["content"] == "Rewrite plainly: a"
    # same name and version, different content: the prompt version still changes
    assert styles["supportive"].prompt_version != base.prompt_version


@pytest.mark.parametrize("body,msg", [
    ("name: x\nversion: 1\nsystem: s\n", "misses instructions"),
    ("name: x\nversion: 1\nsystem: s\ninstructions: no placeholder\n", "{answer} placeholder"),
    ("name: x\nversion: 1\nsystem: s\ninstructions: '{answer}'\nfew_shot: [{question: q}]\n", "few_shot[0]"),
    ("[unclosed", "invalid style YAML"),
])
def test_bad_style_files_are_usage_errors(tmp_path, body, msg):
    (tmp_path / "bad.yaml").write_text(body)
    with pytest.raises(UsageError, match=msg.replace("[", r"\[").replace("{", r"\{")):
        load_styles(tmp_path)


def test_unknown_style_name():
    with pytest.raises(UsageError, match="unknown style 'kind'"):
        get_style(load_styles(), "kind")
