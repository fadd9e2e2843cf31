"""What every page carries: a strict Content-Security-Policy, and an icon at /favicon.ico."""

import re

from linli.web.tests.conftest import text_of


def test_it_sends_a_strict_content_security_policy_with_every_page(world, browser):
    for user, path in ((None, "/login/"), (world.owner, "/"), (world.admin, f"/staff/c/{world.a.id}/")):
        response = browser(user).get(path)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        html = text_of(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path  # no inline script
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handler


def test_it_leaves_json_without_a_policy(world, browser):
    assert "Content-Security-Policy" not in browser().get("/api/v1/health")


def test_it_serves_the_icon_every_page_links_to(world, browser):
    client = browser()
    html = text_of(client.get("/login/"))
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert client.get(icon).status_code == 200
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
