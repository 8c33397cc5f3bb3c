"""Who can reach a board (rmkit.dashboards.voila_server): the printed address works; no token, a foreign ``Host``
(a DNS-rebinding page) or a websocket from another origin is refused; kernels of closed tabs are shut down; a
bound on open pages gives a clear page. Real Voilà servers on 127.0.0.1, as ``rmkit dashboard`` starts them."""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import stat
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from rmkit.dashboards.serve import DashboardServer, log_folder, start_dashboard

from ..helpers.browser import CHROMIUM_ARGS, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def board(example_dir: Path) -> Iterator[DashboardServer]:
    server = start_dashboard("checkins", example_dir, timeout=90)
    try:
        yield server
    finally:
        server.stop()


def _port(server: DashboardServer) -> int:
    return int(urllib.parse.urlsplit(server.url).port)


def _get(port: int, target: str, *, host: str | None = None, cookie: str | None = None,
         timeout: float = 120) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest("GET", target, skip_host=True)
        connection.putheader("Host", host or f"127.0.0.1:{port}")
        if cookie:
            connection.putheader("Cookie", cookie)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _upgrade(port: int, path: str, *, origin: str, host: str | None = None, cookie: str | None = None) -> int:
    """Open a raw websocket (the HTTP upgrade a page's script would send) and return the status of the answer."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", f"Origin: {origin}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status.split()[1])


def _open_page(server: DashboardServer) -> tuple[str, str]:
    """GET the printed address as a browser does: the page (its kernel id) and the login cookie it sets."""
    target = server.url.split(f":{_port(server)}", 1)[1]
    status, headers, body = _get(_port(server), target)
    assert status == 200, (status, body[:500])
    kernel = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{36})"|kernel_id\s*=\s*"([0-9a-f-]{36})"|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})', body)
    assert kernel, "no kernel id in the page"
    cookie = "; ".join(c.split(";", 1)[0] for c in headers.get("set-cookie", "").split(", ") if "=" in c)
    return next(g for g in kernel.groups() if g), cookie


def test_the_printed_address_carries_a_new_token_and_works(board: DashboardServer) -> None:
    assert re.fullmatch(rf"http://127\.0\.0\.1:{_port(board)}/\?token=[A-Za-z0-9_-]{{32}}", board.url), board.url
    kernel, cookie = _open_page(board)
    assert cookie, "the token should leave a login cookie for the page's own connections"
    # the page's own kernel connection: same origin, with the cookie
    assert _upgrade(_port(board), f"/api/kernels/{kernel}/channels", origin=f"http://127.0.0.1:{_port(board)}",
                    cookie=cookie) == 101


def test_no_token_is_refused(board: DashboardServer) -> None:
    status, headers, body = _get(_port(board), "/")
    assert status in (302, 403), (status, headers, body[:300])
    assert "Check-in health" not in body
    status, _, _ = _get(_port(board), "/?token=wrong")
    assert status in (302, 403)


def test_a_foreign_host_is_refused(board: DashboardServer) -> None:
    """A page on evil.example that resolves its name to 127.0.0.1 (DNS rebinding) sends Host: evil.example."""
    target = board.url.split(f":{_port(board)}", 1)[1]
    status, _, body = _get(_port(board), target, host=f"evil.example:{_port(board)}")
    assert status == 403 and "Check-in health" not in body
    assert _get(_port(board), target, host=f"localhost:{_port(board)}")[0] == 200  # the other local name works


def test_a_websocket_from_another_origin_is_refused(board: DashboardServer) -> None:
    kernel, cookie = _open_page(board)
    path = f"/api/kernels/{kernel}/channels"
    assert _upgrade(_port(board), path, origin="http://evil.example", cookie=cookie) == 403
    assert _upgrade(_port(board), path, origin=f"http://evil.example:{_port(board)}",
                    host=f"evil.example:{_port(board)}", cookie=cookie) == 403  # rebinding: Host and Origin agree
    assert _upgrade(_port(board), path, origin=f"http://127.0.0.1:{_port(board)}") == 403  # no cookie, no token


def test_the_log_is_private(board: DashboardServer) -> None:
    assert board.log is not None and board.log.parent == log_folder()
    assert stat.S_IMODE(board.log.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(board.log.stat().st_mode) == 0o600 and not board.log.is_symlink()


def test_a_symlink_in_place_of_the_log_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rmkit.dashboards import serve
    from rmkit.errors import UsageError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = log_folder()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (folder / "pairing-9999.log").symlink_to(victim)
    with pytest.raises(UsageError, match="cannot write the board's log"):
        serve._open_log(folder / "pairing-9999.log")
    assert victim.read_text(encoding="utf-8") == "keep me"
    (tmp_path / "cache" / "rmkit" / "dashboards").rename(tmp_path / "elsewhere")
    (tmp_path / "cache" / "rmkit" / "dashboards").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UsageError, match="symbolic link"):
        log_folder()


def _kernels(server: DashboardServer) -> list[int]:
    pid = server.process.pid
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pytest.skip("needs Linux's /proc to count kernel processes")
    alive = []
    for child in children:
        try:
            if Path(f"/proc/{child}/stat").read_text().split()[2] != "Z":
                alive.append(child)
        except OSError:
            continue
    return alive


def test_closed_tabs_do_not_leave_kernels(example_dir: Path) -> None:
    """10 page loads, then every tab closed: after 90 s at most the preheated kernel and one more are left."""
    from playwright.sync_api import sync_playwright

    server = start_dashboard("checkins", example_dir, timeout=90, max_pages=20)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            for _ in range(10):
                page.goto(server.url, timeout=120_000)
                page.wait_for_selector(".rmkit-board", timeout=120_000)
                page.close()
                page = context.new_page()
            most = len(_kernels(server))
            page.close()
            browser.close()
        assert most >= 3, "expected the closed tabs' kernels to be running before the culler ran"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(_kernels(server)) > 2:
            time.sleep(5)
        assert len(_kernels(server)) <= 2, _kernels(server)
    finally:
        server.stop()


def test_a_clear_page_when_too_many_tabs_are_open(example_dir: Path) -> None:
    server = start_dashboard("checkins", example_dir, timeout=90, max_pages=1)
    try:
        _open_page(server)  # one page holds the one place
        time.sleep(3)  # the pool refills
        target = server.url.split(f":{_port(server)}", 1)[1]
        status, headers, body = _get(_port(server), target)
        assert status == 503 and "already open in 1 tabs" in body and "Close a tab" in body
        assert headers.get("retry-after") == "60"
    finally:
        server.stop()
