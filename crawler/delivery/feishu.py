"""Feishu/Lark custom bot: a ``post`` (rich text) message, signed when the bot has a secret.

Signing (Feishu's custom-bot docs): ``sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=""))``
with ``timestamp`` in seconds, both sent in the JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import DeliveryError, request_json
from crawler.delivery.render import feishu_post


def sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def payload(message: Message, secret: str, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {"msg_type": "post", "content": {"post": {"zh_cn": {
        "title": message.title, "content": feishu_post(message)}}}}
    if secret:
        timestamp = str(int(now))
        body = {"timestamp": timestamp, "sign": sign(timestamp, secret), **body}
    return body


def send(target: NotifyTarget, message: Message) -> None:
    answer = request_json(target.url.value(), payload(message, target.secret.value(), time.time()),
                          timeout=target.timeout)
    code = answer.get("code", answer.get("StatusCode", 0))
    if code:
        raise DeliveryError(f"feishu code {code}: {answer.get('msg') or answer.get('StatusMessage', '')}")
