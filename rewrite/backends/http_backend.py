"""OpenAI-compatible HTTP backend (vLLM, SGLang, Ollama, TGI, OpenAI, ``transformers serve``).

Async with bounded concurrency; retries with exponential backoff and jitter (tenacity) on 429, 5xx, timeouts,
connection errors and unparsable responses, honouring ``Retry-After``; after ``max_retries`` a request ends as
an error that the runner quarantines. The API key is read from the environment and sent only in the header.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
from urllib.parse import urlparse

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from curate.errors import UsageError
from rewrite.backends.base import GenRequest, GenResult, OnResult

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def is_loopback(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RetryableError(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("retry-after")
    try:
        return min(float(value), 60.0) if value is not None else None
    except ValueError:
        return None


class _Wait:
    """Exponential backoff with jitter, but never shorter than the server's Retry-After."""

    def __init__(self) -> None:
        self.exp = wait_exponential_jitter(multiplier=0.5, max=20.0, jitter=0.5)

    def __call__(self, state) -> float:
        base = self.exp(state)
        exc = state.outcome.exception() if state.outcome else None
        ra = getattr(exc, "retry_after", None)
        return max(base, ra) if ra else base


class HTTPBackend:
    def __init__(self, base_url: str, model: str | None = None, *, api_key_env: str = "OPENAI_API_KEY",
                 max_new_tokens: int = 512, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
                 concurrency: int = 16, timeout_s: float = 120.0, max_retries: int = 4):
        if not urlparse(base_url).scheme in ("http", "https") or not urlparse(base_url).hostname:
            raise UsageError(f"--base-url {base_url!r} is not an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.remote = not is_loopback(base_url)
        self._api_key = os.environ.get(api_key_env) or None
        self.max_new_tokens, self.temperature, self.top_p, self.seed = max_new_tokens, temperature, top_p, seed
        self.concurrency = max(1, concurrency)
        self.timeout = httpx.Timeout(timeout_s)
        self.max_retries = max(0, max_retries)
        self.stats = {"requests": 0, "retries": 0, "failed": 0}
        self.model_id = model or self._discover_model()

    def _headers(self) -> dict:
        h = {"Content-Type": "application/json"}
        if self._api_key:
            h["Authorization"] = f"Bearer {self._api_key}"
        return h

    def _discover_model(self) -> str:
        try:
            r = httpx.get(f"{self.base_url}/models", headers=self._headers(), timeout=self.timeout)
            r.raise_for_status()
            data = r.json().get("data") or []
            return data[0]["id"]
        except Exception as e:
            raise UsageError(f"{self.base_url}: could not list models ({type(e).__name__}); pass --model NAME") from None

    async def _one(self, client: httpx.AsyncClient, req: GenRequest) -> GenResult:
        payload = {
            "model": self.model_id,
            "messages": req.messages,
            "max_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "seed": self.seed,
        }
        headers = {**self._headers(), "X-Curate-Request": f"{req.row_id}/{req.style}"}
        attempts = 0
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_retries + 1),
                wait=_Wait(),
                retry=retry_if_exception(lambda e: isinstance(e, (RetryableError, httpx.TransportError))),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    self.stats["requests"] += 1
                    resp = await client.post(f"{self.base_url}/chat/completions", json=payload, headers=headers)
                    if resp.status_code in RETRY_STATUS:
                        raise RetryableError(f"HTTP {resp.status_code}", _retry_after(resp))
                    if resp.status_code >= 400:  # 400/401/403/404: retrying will not help
                        return GenResult(error=f"HTTP {resp.status_code}: {resp.text[:200]}")
                    try:
                        choice = resp.json()["choices"][0]
                        text = choice["message"]["content"]
                        finish = choice.get("finish_reason") or "stop"
                        usage = resp.json().get("usage") or {}
                    except Exception:
                        raise RetryableError("unparsable response body") from None
                    if not isinstance(text, str):
                        raise RetryableError("response has no message content")
                    return GenResult(text=text, finish_reason=finish, completion_tokens=usage.get("completion_tokens"),
                                     meta={"attempts": attempts})
        except (RetryableError, httpx.TransportError) as e:
            self.stats["failed"] += 1
            return GenResult(error=f"gave up after {attempts} attempts: {type(e).__name__}: {e}"[:300], meta={"attempts": attempts})
        finally:
            self.stats["retries"] += max(0, attempts - 1)
        return GenResult(error="no attempt made")  # pragma: no cover

    async def _run(self, requests: list[GenRequest], on_result: OnResult) -> None:
        sem = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits) as client:

            async def task(req: GenRequest) -> None:
                async with sem:
                    res = await self._one(client, req)
                on_result(req, res)

            await asyncio.gather(*(task(r) for r in requests))

    def generate(self, requests: list[GenRequest], on_result: OnResult) -> None:
        asyncio.run(self._run(requests, on_result))

    def close(self) -> None:
        pass
