"""WeCom (企业微信) group robot: a ``markdown`` message (at most 4096 bytes of content)."""

from __future__ import annotations

from typing import Any

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import DeliveryError, request_json
from crawler.delivery.render import markdown

MAX_BYTES = 4096


def payload(message: Message) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": markdown(message, limit=MAX_BYTES)}}


def send(target: NotifyTarget, message: Message) -> None:
    answer = request_json(target.url.value(), payload(message), timeout=target.timeout)
    if answer.get("errcode", 0):
        raise DeliveryError(f"wecom errcode {answer['errcode']}: {answer.get('errmsg', '')}")
