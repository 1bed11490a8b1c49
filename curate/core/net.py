"""Loopback helpers shared by the PHI guard (rewrite) and the local review stack."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IPs only (no name resolution: a name could point anywhere)."""
    host = (host or "").lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlparse(url).hostname)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]
