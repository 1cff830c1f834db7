"""Email over SMTP (standard library): a text part and an HTML part.

smtplib is enough for one short message per story; aiosmtplib would only add an event loop.
Under a mirror no mail may leave the machine, so only a local SMTP server is used then.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from crawler.config.model import NotifyTarget
from crawler.delivery.compose import Message
from crawler.delivery.http import DeliveryError
from crawler.delivery.render import html_document, plain
from crawler.runtime import MIRROR_ENV

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def build(target: NotifyTarget, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = target.sender
    mail["To"] = ", ".join(target.to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=message.key.replace(":", "."), domain="topicfeed")
    mail["X-Topicfeed-Key"] = message.key
    mail.set_content(plain(message))
    mail.add_alternative(html_document(message), subtype="html")
    return mail


def send(target: NotifyTarget, message: Message) -> None:
    if os.environ.get(MIRROR_ENV) and target.smtp_host not in LOCAL_HOSTS:
        raise DeliveryError(f"not sent under a mirror: SMTP host {target.smtp_host} is not local")
    mail = build(target, message)
    try:
        if target.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(target.smtp_host, target.smtp_port, timeout=target.timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(target.smtp_host, target.smtp_port, timeout=target.timeout)
        with client:
            if target.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if target.username:
                client.login(target.username, target.password.value())
            client.send_message(mail)
    except smtplib.SMTPException as error:
        raise DeliveryError(f"SMTP: {type(error).__name__}: {error}") from None
    except OSError as error:
        raise DeliveryError(f"SMTP {target.smtp_host}:{target.smtp_port}: {error.strerror or error}") from None
