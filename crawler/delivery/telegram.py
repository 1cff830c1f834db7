"""Telegram Bot API ``sendMessage`` with ``parse_mode = HTML`` (at most 4096 characters)."""

from __future__ import annotations

from typing import Any

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import DeliveryError, request_json
from crawler.delivery.render import html_text

API = "https://api.telegram.org"
MAX_CHARS = 4096


def payload(chat_id: str, message: Message) -> dict[str, Any]:
    return {"chat_id": chat_id, "text": html_text(message, limit=MAX_CHARS), "parse_mode": "HTML",
            "disable_web_page_preview": message.kind != "story"}


def send(target: NotifyTarget, message: Message) -> None:
    url = f"{API}/bot{target.token.value()}/sendMessage"
    answer = request_json(url, payload(target.chat_id, message), timeout=target.timeout)
    if answer.get("ok") is not True:
        raise DeliveryError(f"telegram: {answer.get('description', 'not ok')}")
