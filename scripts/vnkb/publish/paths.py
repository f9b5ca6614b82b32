"""Where a docs/ file appears on the site (use_directory_urls: true)."""
from __future__ import annotations

import posixpath


def page_url(md_path: str) -> str:
    """'van-ban/2019/x/01/index.md' -> 'van-ban/2019/x/01/'; 'dan-chieu/a/b.md' -> 'dan-chieu/a/b/'
    (relative to the site root; other files keep their path)."""
    if md_path.endswith("/index.md") or md_path == "index.md":
        return md_path[: -len("index.md")]
    if md_path.endswith(".md"):
        return md_path[:-3] + "/"
    return md_path


def url_rel(from_url: str, to_url: str) -> str:
    """Relative link from the page at from_url (a directory URL) to to_url."""
    base = from_url if from_url.endswith("/") else posixpath.dirname(from_url) + "/"
    target = posixpath.relpath(to_url or ".", base.rstrip("/") or ".")
    if to_url.endswith("/") and not target.endswith("/"):
        target += "/"
    return target
