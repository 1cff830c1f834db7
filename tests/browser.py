"""Headless Chromium for tests, driven over the DevTools protocol on a pipe (stdlib only).

``--remote-debugging-pipe`` makes Chromium read commands from fd 3 and write answers to fd 4,
each JSON message ended by a NUL byte. Enough of the protocol for tests: open a page, wait
for it to load, evaluate an expression in it, ask which fonts drew an element's text.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ("--headless", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
                  "--disable-gpu", "--no-sandbox", "--disable-extensions", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--mute-audio", "--lang=zh-CN")
ONTO_3_AND_4 = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                "os.execv(sys.argv[3], sys.argv[3:])")
LOAD_TIMEOUT = 15.0  # seconds; a page of the local server loads in well under one


def find_chromium() -> str | None:
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def _above_4(fd: int) -> int:
    """``fd`` moved to 10 or above, so that putting the pipe ends on fd 3 and 4 clobbers neither."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class BrowserError(RuntimeError):
    pass


class Browser:
    """One headless Chromium process; one tab (target) at a time."""

    def __init__(self, executable: str):
        self.profile = tempfile.mkdtemp(prefix="topicfeed-chromium-")
        to_browser_r, self._to_browser = map(_above_4, os.pipe())
        self._from_browser, from_browser_w = map(_above_4, os.pipe())
        # A small Python puts the pipe ends on fd 3 and 4, then becomes Chromium (no preexec_fn:
        # it is unsafe with threads; no shell: dash cannot name fds above 9).
        self.process = subprocess.Popen(
            [sys.executable, "-c", ONTO_3_AND_4, str(to_browser_r), str(from_browser_w), executable,
             *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.session = ""
        self._target = ""

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", session=False)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the protocol -------------------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True,
             timeout: float = LOAD_TIMEOUT) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        answer = self._wait(lambda m: m.get("id") == self._next_id, timeout)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def _wait(self, wanted: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
            if time.monotonic() > deadline:
                raise BrowserError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk

    # --- what tests use -----------------------------------------------------------------

    def open(self, url: str) -> None:
        """Show ``url`` in a fresh tab and wait until it and its images have loaded."""
        if self.session:
            self.send("Target.closeTarget", {"targetId": self._target}, session=False)
        self._target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": self._target, "flatten": True},
                                 session=False)["sessionId"]
        self.send("Page.enable")
        self.send("Page.navigate", {"url": url})
        session = self.session
        self._wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session,
                   LOAD_TIMEOUT)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}…: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")


    def fonts_used(self, selector: str) -> dict[str, int]:
        """Font family → glyphs drawn with it, for the text of the first element ``selector`` finds."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            raise BrowserError(f"no element matches {selector!r}")
        fonts = self.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {font["familyName"]: font["glyphCount"] for font in fonts}
