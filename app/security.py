"""Security headers on every response: no framing, no MIME sniffing, same-origin resources only.

Pages must not use inline scripts or styles: the CSP below would block them. Behind a reverse
proxy, PROXY_HOPS (the number of proxies in front) makes the client address and scheme come from
X-Forwarded-For/-Proto, so per-address rate limits count clients, not the proxy.
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
