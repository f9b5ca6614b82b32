"""Permanent URLs. A page's URL comes from its identity (year, organ, number);
when an override corrects one of those later, or a collision adds a sha
suffix, or a cited document arrives in the archive (its registry page becomes
a document page), the URL changes. docs/.kb-aliases.json remembers every URL
ever published, per original (by path, with its sha256) and per registry
identity; every old URL that no page occupies now gets a redirect page to
where that page lives today. The map only grows; it is committed with docs/.
"""
from __future__ import annotations

import html
import json

from .paths import url_rel

ALIASES = ".kb-aliases.json"


def load(text: str | None) -> dict:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    return {"documents": dict(data.get("documents", {})), "registry": dict(data.get("registry", {}))}


def dump(aliases: dict) -> str:
    return json.dumps(aliases, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def update(aliases: dict, documents: dict[str, tuple[str, dict[str, str]]], registry: dict[str, str]) -> dict:
    """documents: source path -> (sha256, {url: role}); registry: identity key -> url.
    Returns the map with today's URLs added (nothing is ever dropped)."""
    out = {"documents": {k: {"sha256": v["sha256"], "urls": dict(v["urls"])} for k, v in aliases["documents"].items()},
           "registry": {k: sorted(set(v)) for k, v in aliases["registry"].items()}}
    for path, (sha, urls) in documents.items():
        entry = out["documents"].setdefault(path, {"sha256": sha, "urls": {}})
        entry["sha256"] = sha
        entry["urls"].update(urls)
    for key, url in registry.items():
        out["registry"][key] = sorted(set(out["registry"].get(key, [])) | {url})
    return out


def redirects(aliases: dict, documents: dict[str, tuple[str, dict[str, str]]], registry: dict[str, str],
              archive_by_key: dict[str, str], live: set[str]) -> dict[str, str]:
    """old URL -> today's URL, for every remembered URL no page occupies today.
    A document's old page goes to today's page of the same role (the document,
    or the attachment of the same name), else to the document; an original
    renamed on disk is found by its sha256. A registry identity goes to its
    entry, or to the archived document with that identity."""
    by_sha = {sha: urls for sha, urls in documents.values()}
    out: dict[str, str] = {}
    for path, entry in sorted(aliases["documents"].items()):
        current = documents.get(path, (None, None))[1] or by_sha.get(entry["sha256"])
        if not current:
            continue                        # the original was removed: nothing to point to
        by_role = {role: url for url, role in current.items()}
        for url, role in sorted(entry["urls"].items()):
            if url in live:
                continue
            target = by_role.get(role) or by_role.get("document")
            if target and target != url:
                out[url] = target
    for key, urls in sorted(aliases["registry"].items()):
        target = registry.get(key) or archive_by_key.get(key)
        for url in urls:
            if target and url not in live and url != target:
                out.setdefault(url, target)
    return out


def redirect_page(old_url: str, new_url: str) -> str:
    """A static page that sends the browser on (meta refresh, and a script that
    keeps ?query and #anchor) and names the new address as canonical."""
    target = url_rel(old_url, new_url)
    t = html.escape(target, quote=True)
    return (
        "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Văn bản đã chuyển sang địa chỉ mới</title>\n"
        "<meta name=\"robots\" content=\"noindex\">\n"
        f"<link rel=\"canonical\" href=\"{t}\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={t}\">\n"
        f"<script>location.replace({json.dumps(target)} + location.search + location.hash);</script>\n"
        "</head>\n<body>\n"
        f"<p>Văn bản này đã chuyển sang địa chỉ mới: <a href=\"{t}\">{t}</a></p>\n"
        "</body>\n</html>\n")


def redirect_path(old_url: str) -> str:
    """docs/ path of the redirect page for a directory URL."""
    return old_url.rstrip("/") + "/index.html"
