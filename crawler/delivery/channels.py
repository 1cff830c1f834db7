"""Which module sends to which kind of target."""

from __future__ import annotations

from collections.abc import Callable

from crawler.config.model import NotifyTarget
from crawler.delivery import dingtalk, feishu, smtp, telegram, webhook, wecom
from crawler.delivery.compose import Message

Sender = Callable[[NotifyTarget, Message], None]

SENDERS: dict[str, Sender] = {
    "feishu": feishu.send, "dingtalk": dingtalk.send, "wecom": wecom.send,
    "telegram": telegram.send, "email": smtp.send, "webhook": webhook.send,
}


def send(target: NotifyTarget, message: Message) -> None:
    """Raises DeliveryError when the target does not take it."""
    SENDERS[target.kind](target, message)
