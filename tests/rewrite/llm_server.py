"""A real OpenAI-compatible chat-completions server on loopback, for tests.

It answers deterministically (a supportive or prescriptive preface + the source answer, so validation passes),
counts every request per (row id, style) from the ``X-Curate-Request`` header, and injects faults on purpose:
429 with Retry-After, 500, hangs past the client timeout, and garbage bodies. It also works as an HTTP proxy
(absolute-form request targets), so a "remote" URL can be routed to loopback without leaving the machine.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

PREFACE = {
    "supportive": "You are doing a caring thing by asking, and it is okay to feel unsure. ",
    "prescriptive": "Follow these instructions. The caregiver must note the following. ",
    # the Spanish styles (rewrite/styles/*_es*.yaml)
    "supportive_es": "Es normal sentirse así, y usted ya está haciendo mucho al preguntar. ",
    "supportive_es_tu": "Es normal sentirse así, y tú ya estás haciendo mucho al preguntar. ",
    "prescriptive_es": "Cumpla estrictamente las siguientes indicaciones terapéuticas. El cuidador debe documentar la información. ",
    "prescriptive_es_tu": "Cumple estrictamente las siguientes indicaciones terapéuticas. Debes documentar la información. ",
}
CLOSING = {
    "supportive": " You do not have to do this alone; the care team is there to help you with it.",
    "prescriptive": " Deviation from these instructions is not permitted; document every step in the care log.",
    "supportive_es": " No tiene que hacerlo solo: su equipo de salud puede ayudarle.",
    "supportive_es_tu": " No tienes que hacerlo solo: tu equipo de salud puede ayudarte.",
    "prescriptive_es": " Es obligatorio registrar cada actuación en el registro de cuidados.",
    "prescriptive_es_tu": " Es obligatorio registrar cada actuación en el registro de cuidados.",
}


def default_rewrite(style: str, answer: str) -> str:
    """The loopback server's stand-in for a rewrite: the style's preface, the source's sentences in reverse order and,
    for a long answer, a closing sentence -- every fact kept, and far enough from the source not to count as a near
    copy of it (a short answer is far enough with the preface alone, and stays within the length limits)."""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", answer.strip()) if x]
    closing = CLOSING.get(style, "") if len(answer.split()) >= 30 else ""
    return PREFACE.get(style, "") + " ".join(reversed(sentences)) + closing


class LLMServer:
    def __init__(self, *, fail_rate: float = 0.0, garbage_rate: float = 0.0, hang_s: float = 5.0,
                 delay_s: float = 0.0, seed: int = 0, model: str = "loopback-llm", always_status: int | None = None,
                 respond=None, hang_first: int = 0):
        """``respond(style, source_answer) -> text`` replaces ``default_rewrite``; ``hang_first``: the first N completion
        requests sleep ``hang_s`` before they answer (a slow server that is still working when the client times out)."""
        self.fail_rate, self.garbage_rate, self.hang_s, self.delay_s = fail_rate, garbage_rate, hang_s, delay_s
        self.hang_first = hang_first
        self.rng = random.Random(seed)
        self.model = model
        self.always_status = always_status  # answer every completion with this status (e.g. 401)
        self.respond = respond or default_rewrite
        self.lock = threading.Lock()
        self.log: list[tuple[str, str]] = []          # (request tag, outcome) in arrival order
        self.auth_headers: list[str] = []
        self.completed = Counter()                    # tag -> successful answers
        self.bodies: dict[str, list[dict]] = {}       # tag -> the messages of the last completion request with it
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _send(self, code: int, body: bytes, ctype="application/json", headers=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                if urlparse(self.path).path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"data": [{"id": server.model, "object": "model"}]}).encode())
                else:
                    self._send(404, b"{}")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                tag = self.headers.get("X-Curate-Request", "?")
                with server.lock:
                    server.auth_headers.append(self.headers.get("Authorization", ""))
                    roll = server.rng.random()
                if not urlparse(self.path).path.endswith("/chat/completions"):
                    return self._send(404, b"{}")
                if server.always_status:
                    with server.lock:
                        server.log.append((tag, str(server.always_status)))
                    return self._send(server.always_status, b'{"error": "no"}')
                if server.delay_s:
                    time.sleep(server.delay_s)
                with server.lock:
                    slow = server.hang_first > 0
                    server.hang_first -= int(slow)
                f = server.fail_rate
                outcome = "ok"
                if slow:  # still working when the client gives up; it answers anyway, to nobody
                    outcome = "slow"
                    time.sleep(server.hang_s)
                elif roll < f / 3:
                    outcome = "429"
                elif roll < 2 * f / 3:
                    outcome = "500"
                elif roll < f:
                    outcome = "hang"
                elif roll < f + server.garbage_rate:
                    outcome = "garbage"
                with server.lock:
                    server.log.append((tag, outcome))
                if outcome == "429":
                    return self._send(429, b'{"error": "rate limited"}', headers={"Retry-After": "0"})
                if outcome == "500":
                    return self._send(500, b'{"error": "boom"}')
                if outcome == "hang":
                    time.sleep(server.hang_s)
                    return self._send(503, b"{}")
                if outcome == "garbage":
                    if roll < f + server.garbage_rate / 2:
                        return self._send(200, b"<html>upstream error</html>", ctype="text/html")
                    return self._send(200, json.dumps({"choices": [{"message": {"content": "zq xv"}, "finish_reason": "stop"}]}).encode())
                req = json.loads(body)
                with server.lock:
                    server.bodies[tag] = req["messages"]
                user = req["messages"][-1]["content"]
                m = re.search(r"(?:ANSWER|RESPUESTA):\s*(.*)\Z", user, re.S)
                answer = " ".join((m.group(1) if m else user).split())
                text = server.respond(tag.rsplit("/", 1)[-1], answer)
                with server.lock:
                    server.completed[tag] += 1
                payload = {"id": "x", "object": "chat.completion", "model": server.model,
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                           "usage": {"completion_tokens": len(text.split())}}
                self._send(200, json.dumps(payload).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def requests(self) -> int:
        with self.lock:
            return len(self.log)

    def requests_for(self, tag: str) -> int:
        with self.lock:
            return sum(1 for t, _ in self.log if t == tag)
