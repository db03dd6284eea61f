"""Fingerprinted static URLs, without a build step: `url_for("static", filename="js/exam.js")` (and
Bootstrap-Flask's `bootstrap.static`) yields `/static/js/exam.<hash>.js`, the hash being the first 12
hex digits of the SHA-256 of the file's contents. The same files give the same hash on every server, so
nothing is shared between servers. Hashes are computed lazily, once per file and process (thread-safe);
in debug mode a file whose size or mtime changed is hashed again, so an edited script is picked up.

The static view strips the hash and serves the file:
- the hash is the file's current one: `Cache-Control: public, max-age=31536000, immutable`;
- a wrong (old or new) hash, or no hash at all: the file is served all the same, `no-cache` (the
  browser revalidates with its ETag): a page rendered before a deploy still gets its scripts, and no
  cache keeps the wrong contents under that name for a year.
Paths go through `werkzeug.security.safe_join` (as Flask's own static view does): nothing outside
the static folder is read or served. A file without an extension keeps its plain URL.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable

from flask import Flask, abort, current_app, send_from_directory
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
ONE_YEAR = 31536000
DIGEST_LENGTH = 12
_FINGERPRINTED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.[^./]+)$")
_SPLIT = re.compile(r"^(?P<stem>.*[^/])(?P<suffix>\.[^./]+)$")


def file_digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            sha.update(chunk)
    return sha.hexdigest()[:DIGEST_LENGTH]


class Fingerprints:
    """The hashes of one static folder (read from `folder_of()` when needed), cached per process."""

    def __init__(self, folder_of: Callable[[], str | None]):
        self.folder_of = folder_of
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[tuple[int, int] | None, str | None]] = {}

    def _path(self, filename: str) -> str | None:
        folder = self.folder_of()
        path = safe_join(folder, filename) if folder else None
        return path if path is not None and os.path.isfile(path) else None

    def digest(self, filename: str, *, recheck: bool = False) -> str | None:
        """The file's hash, or None when it is not a file inside the folder."""
        cached = self._cache.get(filename)
        if cached is not None and not recheck:
            return cached[1]
        with self._lock:
            path = self._path(filename)
            stamp = _stamp(path) if path else None
            cached = self._cache.get(filename)
            if cached is not None and (not recheck or cached[0] == stamp):
                return cached[1]
            value = file_digest(path) if path else None
            self._cache[filename] = (stamp, value)
            return value

    def url_name(self, filename: str, *, recheck: bool = False) -> str:
        """`js/exam.js` -> `js/exam.<hash>.js` (unchanged if there is no such file or no extension)."""
        parts = _SPLIT.match(filename)
        digest = self.digest(filename, recheck=recheck) if parts else None
        if digest is None:
            return filename
        return f"{parts['stem']}.{digest}{parts['suffix']}"

    def serve(self, filename: str):
        folder = self.folder_of()
        if not folder:
            abort(404)
        recheck = current_app.debug
        plain, cache_control = filename, REVALIDATE
        match = _FINGERPRINTED.match(filename)
        if match:
            stripped = match["stem"] + match["suffix"]
            current = self.digest(stripped, recheck=recheck)
            if current is not None:
                plain = stripped
                if current == match["digest"]:
                    cache_control = IMMUTABLE
        immutable = cache_control == IMMUTABLE
        response = send_from_directory(folder, plain, max_age=ONE_YEAR if immutable else None)
        response.headers["Cache-Control"] = cache_control
        if not immutable:
            response.headers.pop("Expires", None)
        return response


def _stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def _static_endpoints(app: Flask) -> dict[str, Fingerprints]:
    """The app's static view and those of the blueprints registered so far (Bootstrap-Flask's)."""
    found: dict[str, Fingerprints] = {}
    if "static" in app.view_functions and app.has_static_folder:
        found["static"] = Fingerprints(lambda: app.static_folder)
    for name, blueprint in app.blueprints.items():
        endpoint = f"{name}.static"
        if endpoint in app.view_functions and blueprint.has_static_folder:
            found[endpoint] = Fingerprints(lambda blueprint=blueprint: blueprint.static_folder)
    return found


def register(app: Flask) -> dict[str, Fingerprints]:
    """Fingerprint the URLs built for the static endpoints that exist now and serve them.
    Endpoints registered later keep Flask's plain URLs and views."""
    handlers = _static_endpoints(app)

    for endpoint, fingerprints in handlers.items():
        def view(filename: str, fingerprints: Fingerprints = fingerprints):
            return fingerprints.serve(filename)

        app.view_functions[endpoint] = view

    @app.url_defaults
    def fingerprinted_static_urls(endpoint: str, values: dict) -> None:
        fingerprints = handlers.get(endpoint)
        filename = values.get("filename")
        if fingerprints is not None and isinstance(filename, str):
            values["filename"] = fingerprints.url_name(filename, recheck=current_app.debug)

    app.extensions["examengine_assets"] = handlers
    return handlers
