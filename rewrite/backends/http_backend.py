"""OpenAI-compatible HTTP backend (vLLM, SGLang, Ollama, TGI, OpenAI, ``transformers serve``).

Async with bounded concurrency; retries with exponential backoff and jitter (tenacity) on 429, 5xx, timeouts,
connection errors and unparsable responses, honouring ``Retry-After``; after ``max_retries`` a request ends as
an error that the runner quarantines. The API key is read from the environment and sent only in the header.
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlparse

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from curate.core.errors import UsageError
from curate.core.net import is_loopback_url
from rewrite.backends.base import GenRequest, GenResult, OnResult

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# the same answer for every request: stop the run instead of quarantining every row
FATAL_STATUS = {401: "the endpoint rejected the API key", 403: "the endpoint refused access",
                404: "the endpoint or the model was not found"}


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


MAX_TIMEOUT_NOTES = 5  # a message for each of the first timeouts that are retried; the rest are in the summary


def _stderr_line(text: str) -> None:
    from curate.core.clikit import err_console

    err_console.print(text, markup=False)


def _is_timeout(exc: BaseException | None) -> bool:
    return isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError, TimeoutError))


def _reason(exc: BaseException | None) -> str:
    """A short name for why an attempt failed: ``timeout``, ``HTTP 429``, ``connection error``, ..."""
    if _is_timeout(exc):
        return "timeout"
    if isinstance(exc, RetryableError):
        return str(exc)
    if isinstance(exc, httpx.HTTPError):
        return "connection error"
    return type(exc).__name__ if exc is not None else "unknown"


class HTTPBackend:
    def __init__(self, base_url: str, model: str | None = None, *, api_key_env: str = "OPENAI_API_KEY",
                 max_new_tokens: int = 512, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0,
                 concurrency: int = 16, timeout_s: float = 120.0, max_retries: int = 4):
        if not urlparse(base_url).scheme in ("http", "https") or not urlparse(base_url).hostname:
            raise UsageError(f"--base-url {base_url!r} is not an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.remote = not is_loopback_url(base_url)
        # a loopback endpoint is reached directly: an HTTP(S)_PROXY from the environment must not carry its text away
        self.trust_env = self.remote
        self.fatal: str | None = None
        self._api_key = os.environ.get(api_key_env) or None
        self.max_new_tokens, self.temperature, self.top_p, self.seed = max_new_tokens, temperature, top_p, seed
        self.concurrency = max(1, concurrency)
        if timeout_s <= 0:
            raise UsageError("rewrite.timeout_s must be positive")
        self.timeout = httpx.Timeout(timeout_s)
        self.deadline_s = timeout_s * 1.5
        self.max_retries = max(0, max_retries)
        self.timeout_s = timeout_s
        self.stats = {"requests": 0, "retries": 0, "failed": 0, "timeouts": 0, "retry_reasons": {},
                      "timeout_s": timeout_s, "max_retries": self.max_retries}
        self.log = _stderr_line  # where retry messages go (one line each)
        self._timeout_notes = 0
        self.model_id = model or self._discover_model()

    def _headers(self) -> dict:
        h = {"Content-Type": "application/json"}
        if self._api_key:
            h["Authorization"] = f"Bearer {self._api_key}"
        return h

    def _discover_model(self) -> str:
        try:
            r = httpx.get(f"{self.base_url}/models", headers=self._headers(), timeout=self.timeout, trust_env=self.trust_env)
            r.raise_for_status()
            data = r.json().get("data") or []
            return data[0]["id"]
        except Exception as e:
            raise UsageError(f"{self.base_url}: could not list models ({type(e).__name__}); pass --model NAME") from None

    async def _attempt(self, client: httpx.AsyncClient, payload: dict, headers: dict) -> GenResult:
        resp = await client.post(f"{self.base_url}/chat/completions", json=payload, headers=headers)
        if resp.status_code in RETRY_STATUS:
            raise RetryableError(f"HTTP {resp.status_code}", _retry_after(resp))
        if resp.status_code in FATAL_STATUS:
            self.fatal = self.fatal or f"{self.base_url}: HTTP {resp.status_code}: {FATAL_STATUS[resp.status_code]}"
            return GenResult(error=f"HTTP {resp.status_code}")
        if resp.status_code >= 400:  # e.g. 400/422 for one request: retrying will not help
            return GenResult(error=f"HTTP {resp.status_code}: {resp.text[:200]}")
        try:
            body = resp.json()
            choice = body["choices"][0]
            text = choice["message"]["content"]
        except Exception:
            raise RetryableError("unparsable response body") from None
        if not isinstance(text, str):
            raise RetryableError("response has no message content")
        used = (body.get("usage") or {}).get("completion_tokens")
        finish = choice.get("finish_reason")
        if finish is None and isinstance(used, int) and used >= self.max_new_tokens:
            finish = "length"  # servers that leave finish_reason out: a full budget means truncated
        return GenResult(text=text, finish_reason=finish or "stop", completion_tokens=used)

    async def _one(self, client: httpx.AsyncClient, req: GenRequest) -> GenResult:
        if self.fatal:
            return GenResult(error="not sent: " + self.fatal)
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

        def before_sleep(state) -> None:  # a retry is about to happen: count it by reason, tell the user of timeouts
            exc = state.outcome.exception() if state.outcome else None
            reason = _reason(exc)
            reasons = self.stats["retry_reasons"]
            reasons[reason] = reasons.get(reason, 0) + 1
            if reason == "timeout" and self._timeout_notes <= MAX_TIMEOUT_NOTES:
                self._timeout_notes += 1
                wait = getattr(state, "upcoming_sleep", None) or getattr(getattr(state, "next_action", None), "sleep", 0) or 0
                if self._timeout_notes <= MAX_TIMEOUT_NOTES:
                    self.log(f"rewrite: request {req.row_id}/{req.style} got no answer within {self.timeout_s:g} s "
                             f"(attempt {state.attempt_number} of {self.max_retries + 1}); sending it again in {wait:.1f} s "
                             "-- a slow server may still be working on the first one: raise rewrite.timeout_s (--timeout)")
                else:
                    self.log("rewrite: more requests timed out and are retried; the counts are in the summary at the end")

        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_retries + 1),
                wait=_Wait(),
                retry=retry_if_exception(lambda e: isinstance(e, (RetryableError, httpx.HTTPError, TimeoutError))),
                before_sleep=before_sleep,
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    self.stats["requests"] += 1
                    # a hard deadline per attempt: a server that trickles bytes cannot hold a request forever
                    try:
                        res = await asyncio.wait_for(self._attempt(client, payload, headers), self.deadline_s)
                    except BaseException as e:
                        if _is_timeout(e):
                            self.stats["timeouts"] += 1
                        raise
                    res.meta["attempts"] = attempts
                    return res
        except (RetryableError, httpx.HTTPError, TimeoutError) as e:
            self.stats["failed"] += 1
            return GenResult(error=f"gave up after {attempts} attempts: {type(e).__name__}: {e}"[:300], meta={"attempts": attempts})
        finally:
            self.stats["retries"] += max(0, attempts - 1)
        return GenResult(error="no attempt made")  # pragma: no cover

    async def _run(self, requests: list[GenRequest], on_result: OnResult) -> None:
        sem = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=self.timeout, limits=limits, trust_env=self.trust_env) as client:

            async def task(req: GenRequest) -> None:
                async with sem:
                    res = await self._one(client, req)
                on_result(req, res)

            await asyncio.gather(*(task(r) for r in requests))

    def generate(self, requests: list[GenRequest], on_result: OnResult) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case: no loop in this thread
            asyncio.run(self._run(requests, on_result))
            return
        # called from inside a running loop (Jupyter): run ours in a worker thread
        import threading

        errors: list[BaseException] = []

        def target() -> None:
            try:
                asyncio.run(self._run(requests, on_result))
            except BaseException as e:  # re-raised in the caller's thread
                errors.append(e)

        t = threading.Thread(target=target, name="curate-http-backend")
        t.start()
        t.join()
        if errors:
            raise errors[0]

    def close(self) -> None:
        pass
