"""SSRF guard: forbidden targets (with an injected resolver), IP spellings, pinning, redirects."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from editbay.errors import EditbayError, ErrorCode
from editbay.net import fetch as fetch_module
from editbay.net.fetch import fetch_to_file
from editbay.net.guard import check_url, parse_ip_host

PUBLIC_IP = "93.184.216.34"
DNS = {
    "localhost.test": ["127.0.0.1"],
    "rebind.test": ["10.1.2.3"],
    "mixed.test": [PUBLIC_IP, "10.0.0.1"],
    "v6local.test": ["::1"],
    "metadata.test": ["169.254.169.254"],
    "public.test": [PUBLIC_IP],
    "internal.test": ["192.168.0.10"],
}


def resolver(host: str, port: int) -> list[str]:
    if host not in DNS:
        raise AssertionError(f"unexpected lookup of {host}")
    return DNS[host]


FORBIDDEN = [
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://100.64.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://198.18.0.1/",
    "http://[2002:7f00:1::]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::a00:1]/",
    "http://localhost.test/",
    "http://rebind.test/video.mp4",
    "http://mixed.test/",
    "http://v6local.test/",
    "http://metadata.test/",
    "https://127.0.0.1:8443/",
    "ftp://public.test/a.mp4",
    "file:///etc/passwd",
    "gopher://public.test/",
    "http://1.2.3.4.5/",
    "http://999.1.1.1/",
]


@pytest.mark.parametrize("url", FORBIDDEN)
def test_forbidden_targets_are_refused(url: str) -> None:
    with pytest.raises(EditbayError) as err:
        check_url(url, resolver=resolver)
    assert err.value.code == ErrorCode.INVALID_INPUT


def test_at_least_fifteen_forbidden_targets() -> None:
    assert len(FORBIDDEN) >= 15


@pytest.mark.parametrize(
    "url", ["http://93.184.216.34/a.mp4", "https://public.test/x", "http://[2606:4700::1111]/"]
)
def test_public_targets_pass(url: str) -> None:
    target = check_url(url, resolver=resolver)
    assert target.ip in (PUBLIC_IP, "2606:4700::1111")


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("example.com", None),
    ],
)
def test_numeric_ip_spellings_mean_what_browsers_think(spelling: str, address: str | None) -> None:
    parsed = parse_ip_host(spelling)
    assert (str(parsed) if parsed else None) == address


def test_allow_private_permits_loopback_but_never_metadata() -> None:
    assert check_url("http://127.0.0.1:8000/a", allow_private=True).ip == "127.0.0.1"
    assert check_url("http://localhost.test/", allow_private=True, resolver=resolver).ip == "127.0.0.1"
    for url in ("http://169.254.169.254/", "http://metadata.test/", "http://0.0.0.0/", "http://224.0.0.1/"):
        with pytest.raises(EditbayError):
            check_url(url, allow_private=True, resolver=resolver)


def _mock_client(handler):
    def factory(timeout: float) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=False)

    return factory


def test_fetch_connects_to_the_checked_ip_with_the_original_host(monkeypatch, tmp_path: Path) -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers["host"], request.extensions.get("sni_hostname")))
        return httpx.Response(200, content=b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100)

    monkeypatch.setattr(fetch_module, "make_client", _mock_client(handler))
    result = fetch_to_file(
        "https://public.test/v.mp4", tmp_path / "in", max_bytes=10_000, timeout=5, resolver=resolver
    )
    assert result.format == "mp4"
    assert seen == [(f"https://{PUBLIC_IP}/v.mp4", "public.test", "public.test")]


@pytest.mark.parametrize(
    "location",
    ["http://internal.test/x", "http://169.254.169.254/latest/", "http://2130706433/", "file:///etc/passwd"],
)
def test_redirect_from_allowed_to_forbidden_is_refused(monkeypatch, tmp_path: Path, location: str) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(302, headers={"location": location})

    monkeypatch.setattr(fetch_module, "make_client", _mock_client(handler))
    with pytest.raises(EditbayError) as err:
        fetch_to_file(
            "http://public.test/a.mp4", tmp_path / "in", max_bytes=1000, timeout=5, resolver=resolver
        )
    assert err.value.code == ErrorCode.INVALID_INPUT
    assert calls == [f"http://{PUBLIC_IP}/a.mp4"]  # the forbidden hop was never contacted


def test_more_than_five_redirects_are_refused(monkeypatch, tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "/again"})

    monkeypatch.setattr(fetch_module, "make_client", _mock_client(handler))
    with pytest.raises(EditbayError, match="redirects"):
        fetch_to_file(
            "http://public.test/a.mp4", tmp_path / "in", max_bytes=1000, timeout=5, resolver=resolver
        )
