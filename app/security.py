"""Security headers on every response: no framing, no MIME sniffing, same-origin resources only.

Pages must not use inline scripts or styles: the CSP below would block them. Behind a reverse
proxy, PROXY_HOPS (the number of proxies in front) makes the client address and scheme come from
X-Forwarded-For/-Proto, so per-address rate limits count clients, not the proxy.
"""
from flask import Flask, request
from flask_smorest import abort
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


# Answers here carry appeals and complainant data: no browser or proxy may keep a copy
# (the pages add the same header in web/__init__.py).
NO_STORE_PREFIXES = ("/api/", "/open311/")


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(NO_STORE_PREFIXES):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul() -> None:
    """PostgreSQL text cannot hold NUL: a path, query or form value with one is a 400 here rather
    than a database error later (NUL in JSON bodies: kernel.schemas.BaseSchema)."""
    pairs = list(request.args.items(multi=True))
    if request.mimetype in FORMS:
        pairs += request.form.items(multi=True)
    if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in pairs):
        abort(400, message="请求中含有空字符（\\u0000）")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    app.after_request(add_security_headers)
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
