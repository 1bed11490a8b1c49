"""`align serve`: the built-in model behind an OpenAI-compatible API on loopback, started as a
real process on a free port, answering real requests, usable by `curate rewrite`'s HTTP backend."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(builtin_cache):
    from align.builtin import builtin_dir

    builtin_dir()  # convert first (once per session), so the server start below is only the load
    proc = subprocess.Popen([sys.executable, "-m", "curate.app.align_cli", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    try:
        line = proc.stdout.readline()  # "serving builtin on http://127.0.0.1:PORT/v1 ..." once it listens
        m = re.search(r"serving (\S+) on (http://127\.0\.0\.1:\d+/v1)", line)
        assert m, f"no URL line: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield m.group(2), proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_answers_a_real_chat_completion(server):
    url, proc = server
    assert httpx.get(f"{url}/models", timeout=30, trust_env=False).json()["data"][0]["id"] == "builtin"
    t0 = time.time()
    r = httpx.post(f"{url}/chat/completions", timeout=300, trust_env=False, json={
        "model": "builtin", "temperature": 0, "max_tokens": 16,
        "messages": [{"role": "user", "content": "What is the capital of France?"}]})
    assert r.status_code == 200, r.text
    body = r.json()
    choice = body["choices"][0]
    assert choice["message"]["role"] == "assistant" and "Paris" in choice["message"]["content"]  # a real model answered
    assert choice["finish_reason"] == "stop" and 0 < body["usage"]["completion_tokens"] <= 16
    assert body["usage"]["prompt_tokens"] > 5 and time.time() - t0 < 300
    # max_tokens is honoured: a budget of 2 tokens is cut, and says so
    r = httpx.post(f"{url}/chat/completions", timeout=300, trust_env=False, json={
        "temperature": 0, "max_tokens": 2, "messages": [{"role": "user", "content": "Tell me a long story."}]})
    assert r.json()["choices"][0]["finish_reason"] == "length" and r.json()["usage"]["completion_tokens"] == 2


def test_serve_rejects_bad_requests_without_dying(server):
    url, proc = server
    bad = [({"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}, 404, "not served here"),
           ({"messages": [{"role": "user", "content": "hi"}], "stream": True}, 400, "stream"),
           ({"messages": []}, 400, "messages"),
           ({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 0}, 400, "max_tokens")]
    for payload, status, words in bad:
        r = httpx.post(f"{url}/chat/completions", json=payload, timeout=60, trust_env=False)
        assert r.status_code == status and words in r.json()["error"]["message"], r.text
    r = httpx.post(f"{url}/chat/completions", content=b"{not json", timeout=60, trust_env=False)
    assert r.status_code == 400
    assert proc.poll() is None and httpx.get(f"{url}/models", timeout=30, trust_env=False).status_code == 200


def test_curate_rewrite_http_backend_uses_it(server):
    """The client `curate rewrite --base-url` uses: it discovers the model name and gets a finished generation."""
    from rewrite.backends.base import GenRequest
    from rewrite.backends.http_backend import HTTPBackend

    url, _ = server
    backend = HTTPBackend(url, None, max_new_tokens=24, temperature=0.0, concurrency=1)
    assert backend.model_id == "builtin" and not backend.remote
    got = {}
    req = GenRequest(key="k1", row_id="r1", style="supportive",
                     messages=[{"role": "system", "content": "You are a kind assistant."},
                               {"role": "user", "content": "Say hello to a tired caregiver in one sentence."}])
    try:
        backend.generate([req], lambda rq, res: got.setdefault(rq.row_id, res))
    finally:
        backend.close()
    res = got["r1"]
    assert res.error is None and res.text and res.finish_reason in ("stop", "length")
    assert 0 < res.completion_tokens <= 24
