"""``align serve``: a model (the built-in one by default) behind an OpenAI-compatible HTTP API on loopback.

``transformers serve`` cannot serve the built-in GGUF; this serves any model ``align`` can load (``builtin``, a
``.gguf`` file, a local directory or a hub id) in-process with transformers, so ``curate rewrite --base-url`` (or
any OpenAI client) can use it::

    align serve                       # built-in SmolLM2-135M-Instruct on http://127.0.0.1:8000/v1
    curate rewrite data.csv -o runs/rw --base-url http://127.0.0.1:8000/v1

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (non-streaming: ``messages``, ``max_tokens`` /
``max_completion_tokens``, ``temperature`` (0 = greedy), ``top_p``, ``seed``, ``stop``), ``GET /health``.
Requests are answered one at a time (one model, one lock); it is a smoke-test server, not a production one: it
listens on loopback only and has no authentication.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from curate.core.errors import UsageError

DEFAULT_PORT = 8000
MAX_BODY = 4 << 20


class BadRequest(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error"):
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


class ChatModel:
    """A causal LM with its chat template; ``complete`` answers one chat-completions request body."""

    def __init__(self, model: str, *, name: str | None = None, device: str = "auto", dtype: str = "auto",
                 max_tokens_cap: int = 4096):
        import torch
        from transformers import AutoModelForCausalLM

        from align.builtin import is_builtin
        from align.trainer import load_tokenizer, resolve_dtype, resolve_model_path

        self.name = name or ("builtin" if is_builtin(model) else str(model))
        self.accepted = {self.name, str(model), "builtin" if is_builtin(model) else self.name}
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise UsageError(f"--device {device}: CUDA is not available")
        self.device = torch.device(device)
        self.tok = load_tokenizer(model)
        if not getattr(self.tok, "chat_template", None):
            raise UsageError(f"{model}: the tokenizer has no chat template; serve an instruct / chat model")
        try:
            self.lm = AutoModelForCausalLM.from_pretrained(resolve_model_path(model), dtype=resolve_dtype(dtype))
        except OSError as e:
            raise UsageError(f"{model}: cannot load the model: {' '.join(str(e).split())[:200]}") from None
        self.lm.to(self.device).eval()
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token
        gen_eos = self.lm.generation_config.eos_token_id
        eos = gen_eos if isinstance(gen_eos, list) else [gen_eos]
        self.stop_ids = sorted({i for i in (*eos, self.tok.eos_token_id) if i is not None})
        self.max_tokens_cap = max_tokens_cap
        self.lock = threading.Lock()

    def complete(self, body: Any) -> dict:
        import torch

        if not isinstance(body, dict):
            raise BadRequest(400, "the request body must be a JSON object")
        model = body.get("model")
        if model not in (None, "", *self.accepted):
            raise BadRequest(404, f"model {model!r} is not served here; this server serves {self.name!r}",
                             "model_not_found")
        if body.get("stream"):
            raise BadRequest(400, "stream: true is not supported by this server; send stream: false")
        if body.get("n", 1) != 1:
            raise BadRequest(400, "only n = 1 is supported")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise BadRequest(400, "messages must be a non-empty list of {role, content}")
        chat = []
        for m in messages:
            if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
                raise BadRequest(400, "each message needs a role: system, user or assistant")
            content = m.get("content")
            if isinstance(content, list):  # OpenAI content parts: keep the text ones
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
            if not isinstance(content, str):
                raise BadRequest(400, "each message needs a text content")
            chat.append({"role": m["role"], "content": content})
        max_tokens = body.get("max_completion_tokens", body.get("max_tokens", 512))
        temperature = body.get("temperature", 1.0)
        top_p = body.get("top_p", 1.0)
        seed = body.get("seed")
        stop = body.get("stop") or []
        stop = [stop] if isinstance(stop, str) else stop
        if not (isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and 1 <= max_tokens <= self.max_tokens_cap):
            raise BadRequest(400, f"max_tokens must be an integer in [1, {self.max_tokens_cap}]")
        if not (isinstance(temperature, (int, float)) and 0 <= temperature <= 2):
            raise BadRequest(400, "temperature must be in [0, 2]")
        if not (isinstance(top_p, (int, float)) and 0 < top_p <= 1):
            raise BadRequest(400, "top_p must be in (0, 1]")
        if seed is not None and not (isinstance(seed, int) and seed >= 0):
            raise BadRequest(400, "seed must be a non-negative integer")
        if not (isinstance(stop, list) and all(isinstance(s, str) and s for s in stop)):
            raise BadRequest(400, "stop must be a string or a list of strings")

        text = self.tok.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        enc = self.tok(text, return_tensors="pt", add_special_tokens=False).to(self.device)
        kwargs: dict[str, Any] = {"max_new_tokens": max_tokens, "pad_token_id": self.tok.pad_token_id,
                                  "eos_token_id": self.stop_ids}
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=float(temperature), top_p=float(top_p))
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        with self.lock, torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            out = self.lm.generate(**enc, **kwargs)
        new = out[0, enc["input_ids"].shape[1]:].tolist()
        ended = bool(new) and new[-1] in self.stop_ids
        answer = self.tok.decode(new, skip_special_tokens=True)
        finish = "stop" if ended else "length"
        for s in stop:
            if s in answer:
                answer, finish = answer.split(s, 1)[0], "stop"
        prompt_tokens = int(enc["input_ids"].shape[1])
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.strip()},
                         "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(new),
                      "total_tokens": prompt_tokens + len(new)},
        }


def make_server(chat: ChatModel, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A threading HTTP server for ``chat`` (not started); loopback only, port 0 = any free port."""
    from curate.core.net import is_loopback_host

    if not is_loopback_host(host):
        raise UsageError(f"--host {host}: serve on a loopback address only (127.0.0.1, ::1, localhost); the server has "
                         "no authentication")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: one line per request would drown the output
            pass

        def _send(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _error(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
            self._send(status, {"error": {"message": message, "type": kind, "code": status}})

        def do_GET(self):  # noqa: N802 - http.server's naming
            path = urlparse(self.path).path.rstrip("/")
            if path in ("/v1/models", "/models"):
                self._send(200, {"object": "list", "data": [{"id": chat.name, "object": "model", "created": 0,
                                                             "owned_by": "empathy-curate"}]})
            elif path in ("/health", "/v1/health"):
                self._send(200, {"status": "ok", "model": chat.name})
            else:
                self._error(404, f"no such endpoint: GET {path}")

        def do_POST(self):  # noqa: N802
            path = urlparse(self.path).path.rstrip("/")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._error(413, "request body too large")
                return
            raw = self.rfile.read(length) if length else b""
            if path not in ("/v1/chat/completions", "/chat/completions"):
                self._error(404, f"no such endpoint: POST {path}")
                return
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                self._error(400, "the request body is not valid JSON")
                return
            try:
                self._send(200, chat.complete(body))
            except BadRequest as e:
                self._error(e.status, e.message, e.kind)
            except Exception as e:  # noqa: BLE001 - a failed generation is a 500 for this request, not a dead server
                self._error(500, f"{type(e).__name__}: {' '.join(str(e).split())[:300]}", "server_error")

    family = ThreadingHTTPServer
    if ":" in host.strip("[]"):
        import socket

        class _V6(ThreadingHTTPServer):
            address_family = socket.AF_INET6

        family = _V6
    try:
        server = family((host.strip("[]"), port), Handler)
    except OSError as e:
        raise UsageError(f"--port {port}: cannot listen on {host}:{port} ({e.strerror or e}); pass another --port "
                         "(0 = any free port)") from None
    server.daemon_threads = True
    return server


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/v1"
