"""Fakes of the services delivery talks to, on 127.0.0.1 in the mirror convention.

``ServiceServer`` is a snapshot server (GETs answer from the snapshot, so a crawl runs
against it as its mirror) that also takes POSTs: it records each one and answers as the
real service does (Feishu ``code``, DingTalk/WeCom ``errcode``, Telegram ``ok``), or with a
planned fault. ``SmtpSink`` is a local SMTP server (aiosmtpd) keeping every message.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller

from crawler.snapshot.server import SnapshotHandler, SnapshotServer

OK_ANSWERS: dict[str, dict[str, Any]] = {
    "open.feishu.cn": {"code": 0, "msg": "success", "data": {}},
    "oapi.dingtalk.com": {"errcode": 0, "errmsg": "ok"},
    "qyapi.weixin.qq.com": {"errcode": 0, "errmsg": "ok"},
    "api.telegram.org": {"ok": True, "result": {"message_id": 1}},
}


OPEN_API_HOSTS = ("open.feishu.cn", "open.larksuite.com")


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None  # None: the service's usual success answer
    hang: float = 0.0  # seconds to wait, then hang up without an answer
    times: int | None = None  # how many requests get this answer (None: all)


@dataclass
class Posted:
    host: str
    path: str  # without the host, with a leading "/"
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int = 0  # what was answered (0: hung up)

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class ServiceHandler(SnapshotHandler):
    def _open_api(self, method: str) -> bool:
        """The Feishu Open API fake, if the server has one and this is its path.

        In the mirror convention only: ``/open.feishu.cn/open-apis/...`` (or the Lark host). The
        custom bots' hooks (``/open-apis/bot/``) are posts like any other channel's.
        """
        owner: ServiceServer = self.server.owner  # type: ignore[assignment]
        host, _, rest = self.path.lstrip("/").partition("/")
        path = "/" + rest
        if (owner.feishu is None or host not in OPEN_API_HOSTS or not path.startswith("/open-apis/")
                or path.startswith("/open-apis/bot/")):
            return False
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, answer = owner.feishu.handle(method, path, dict(self.headers.items()), body, host=host)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return True

    def do_GET(self) -> None:
        if not self._open_api("GET"):
            super().do_GET()

    def do_PATCH(self) -> None:  # noqa: N802 - http.server's name
        self._open_api("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802 - http.server's name
        self._open_api("DELETE")

    def do_POST(self) -> None:
        if self._open_api("POST"):
            return
        owner: ServiceServer = self.server.owner  # type: ignore[assignment]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        target, _, query = self.path.lstrip("/").partition("?")
        host, _, path = target.partition("/")
        posted = Posted(host, "/" + path, parse_qs(query), {k: v for k, v in self.headers.items()}, body)
        owner.record(posted)
        answer = owner.take(host)
        if answer.hang:
            time.sleep(answer.hang)
            self.close_connection = True
            return
        data = json.dumps(answer.body if answer.body is not None else OK_ANSWERS.get(host, {})).encode()
        posted.status = answer.status
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ServiceServer(SnapshotServer):
    def __init__(self, root: Path, *, feishu: Any = None, **kwargs: Any):
        super().__init__(root, **kwargs)
        self.feishu = feishu  # a tests.feishu_fake.FeishuOpenApi, answering under /<host>/open-apis/
        self.handler_class = ServiceHandler
        self.posts: list[Posted] = []
        self.plans: dict[str, list[Answer]] = {}
        self._plan_lock = threading.Lock()

    def plan(self, host: str, *answers: Answer) -> None:
        """The next requests to ``host`` get these answers in turn, then the usual success."""
        with self._plan_lock:
            self.plans[host] = list(answers)

    def take(self, host: str) -> Answer:
        with self._plan_lock:
            planned = self.plans.get(host, [])
            while planned:
                answer = planned[0]
                if answer.times is None:
                    return answer
                if answer.times > 0:
                    planned[0] = Answer(answer.status, answer.body, answer.hang, answer.times - 1)
                    return answer
                planned.pop(0)
            return Answer()

    def record(self, posted: Posted) -> None:
        with self._plan_lock:
            self.posts.append(posted)

    def to(self, host: str, *, answered: bool = True) -> list[Posted]:
        """The POSTs to ``host`` (only those answered 200 when ``answered``)."""
        with self._plan_lock:
            return [p for p in self.posts if p.host == host and (p.status == 200 or not answered)]


@dataclass
class SmtpSink:
    """aiosmtpd on 127.0.0.1 keeping every message it is sent."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    port: int = 0

    def __enter__(self) -> SmtpSink:
        with socket.socket() as probe:  # aiosmtpd checks its own readiness, so it needs a real port
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
