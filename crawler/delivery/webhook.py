"""A generic webhook: the message as JSON, keyed by a stable id for the receiver to deduplicate.

``Idempotency-Key`` carries the id; with a secret, ``X-Topicfeed-Signature: sha256=<hex HMAC of the body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import request_json
from crawler.delivery.render import plain


def payload(message: Message) -> dict[str, Any]:
    body: dict[str, Any] = {"id": message.key, "type": message.kind, "title": message.title, "text": plain(message)}
    if message.kind == "story":
        body["story"] = message.stories[0].as_json()
    elif message.kind == "digest":
        body["stories"] = [item.as_json() for item in message.stories]
    if message.details:
        body["details"] = message.details
    return body


def send(target: NotifyTarget, message: Message) -> None:
    data = json.dumps(payload(message), ensure_ascii=False).encode("utf-8")
    headers = {"Idempotency-Key": message.key}
    secret = target.secret.value()
    if secret:
        headers["X-Topicfeed-Signature"] = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
    request_json(target.url.value(), timeout=target.timeout, headers=headers, data=data)
