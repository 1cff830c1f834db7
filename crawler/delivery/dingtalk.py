"""DingTalk robot: a ``markdown`` message; signed (``timestamp`` and ``sign`` query parameters) with a secret.

Signing (DingTalk's robot docs): ``sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))``
with ``timestamp`` in milliseconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any
from urllib.parse import quote_plus

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import DeliveryError, request_json
from crawler.delivery.render import markdown

MAX_BYTES = 18000  # DingTalk takes 20000 bytes


def sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, now: float) -> str:
    if not secret:
        return url
    timestamp = str(int(now * 1000))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign(timestamp, secret)}"


def payload(message: Message) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown(message, limit=MAX_BYTES)}}


def send(target: NotifyTarget, message: Message) -> None:
    url = signed_url(target.url.value(), target.secret.value(), time.time())
    answer = request_json(url, payload(message), timeout=target.timeout)
    if answer.get("errcode", 0):
        raise DeliveryError(f"dingtalk errcode {answer['errcode']}: {answer.get('errmsg', '')}")
