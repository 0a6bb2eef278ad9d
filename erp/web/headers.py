"""Security headers on every response, set by flask-talisman.

The Content-Security-Policy allows scripts, styles, fonts and images from this site only: no
inline script, no inline style (the templates carry none — scripts live in static/js, the data a
script needs in a ``<script type="application/json">`` block, which the browser never runs), no
framing by another site, and forms that post only to this site.
"""
from __future__ import annotations

from flask_talisman import Talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

talisman = Talisman()


def init_app(app) -> None:
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    talisman.init_app(
        app,
        # TLS ends at the load balancer or ingress, which redirects plain HTTP itself.
        force_https=False,
        # HSTS only where the deployment says it is served over HTTPS (ERP_SECURE_COOKIES=1);
        # talisman sends it on requests that arrived over HTTPS.
        strict_transport_security=secure,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",  # receipt and customer numbers in URLs stay on this site
        x_content_type_options=True,
    )
