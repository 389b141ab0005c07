"""Headless Chromium driven over the DevTools protocol through a pipe (`--remote-debugging-pipe`): no
websocket, no extra package. A test opens a page at a given window width, reads what a person would
see (`innerText` leaves out what is hidden), measures the layout, and saves a full-page screenshot.

Chromium only ever loads 127.0.0.1 or file:// pages here: background networking is off and every host
name but 127.0.0.1 resolves to nothing.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
WAIT = 60.0  # seconds for one answer; a page of ours loads in well under one


class Browser:
    """One Chromium; `open(url, width)` gives a `Page` in a fresh tab of that width."""

    def __init__(self, profile: Path):
        assert CHROMIUM, "chromium is not installed"
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # DevTools reads commands on fd 3 and writes answers on fd 4: move the pipe ends clear of those
        # numbers, then a small Python shim puts them there just before it becomes Chromium.
        ends = [fcntl.fcntl(fd, fcntl.F_DUPFD, 5) for fd in (to_browser_r, from_browser_w)]
        os.close(to_browser_r)
        os.close(from_browser_w)
        shim = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", shim, str(ends[0]), str(ends[1]), CHROMIUM, *FLAGS,
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=ends,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in ends:
            os.close(fd)
        self._buffer = b""
        self._events: list[dict] = []
        self._id = 0

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, AssertionError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], WAIT)
            assert ready, "chromium did not answer"
            chunk = os.read(self._from_browser, 1 << 20)
            assert chunk, "chromium closed its DevTools pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._id:
                assert "error" not in answer, (method, answer["error"])
                return answer.get("result", {})
            self._events.append(answer)

    def wait_for(self, event: str, session: str) -> dict:
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == event and e.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._read())

    def open(self, url: str, width: int, height: int = 900) -> Page:
        assert url.startswith(("http://127.0.0.1:", "file://")), url
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.call("Page.enable", {}, session)
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session, width)


class Page:
    def __init__(self, browser: Browser, session: str, width: int):
        self.browser, self.session, self.width = browser, session, width

    def eval(self, expression: str):
        """The value of a JavaScript expression in the page (run by DevTools, whatever the page's CSP)."""
        result = self.browser.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self.session,
        )
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def text(self, selector: str = "body") -> str:
        """What a person sees of `selector`: its rendered text, hidden parts left out."""
        return self.eval(f"document.querySelector({json.dumps(selector)}).innerText")

    def fits_width(self) -> bool:
        """No sideways scrolling: the page is no wider than the window."""
        return self.eval("document.documentElement.scrollWidth <= window.innerWidth")

    def screenshot(self, path: Path) -> Path:
        """The whole page, top to bottom, at the window's width."""
        height = self.eval("Math.ceil(document.documentElement.scrollHeight)")
        shot = self.browser.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True,
             "clip": {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}},
            self.session,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])
