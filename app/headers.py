"""Security headers on every response Flask answers (pages, API, docs, static files), by
flask-talisman: a CSP with no inline script or style, no framing, nosniff, a referrer policy,
and HSTS in production when the request came over HTTPS."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

# Everything the pages load is our own (app/static) or served from node_modules under /vendor.
# Styles set from JavaScript through element.style (Chart.js, Swagger UI) are not inline styles
# in the CSP's sense; `style="..."` attributes and <style> elements are refused.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # Pico's and Swagger UI's icons are data: SVGs in their CSS
    "font-src": "'self'",
    "connect-src": "'self'",  # 'self' covers the same-origin ws:// of Socket.IO
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REFERRER_POLICY = "same-origin"
HSTS_SECONDS = 365 * 24 * 3600


def register_security_headers(app: Flask) -> None:
    """HSTS only in production: a browser that saw it for 127.0.0.1 would refuse plain HTTP there.

    One Talisman per app: it keeps its options on itself, so a shared instance would let the
    last app built (a test's production app) decide the headers of every other.
    """
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,  # TLS ends at the proxy (ingress, Fly's edge); the probes speak plain HTTP
        strict_transport_security=app.config["ENV_NAME"] == "production",
        strict_transport_security_max_age=HSTS_SECONDS,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy=REFERRER_POLICY,
        x_content_type_options=True,
        # The cookie flags are config.py's (Secure in production): leave them as they are.
        session_cookie_secure=bool(app.config.get("SESSION_COOKIE_SECURE")),
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
    )
