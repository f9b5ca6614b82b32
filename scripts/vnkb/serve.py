"""serve: the built site plus a small JSON API, on 127.0.0.1 (standard library).

  GET /api/search?q=&type=&year=&organ=&page=&size=&sort=   search results (JSON)
  GET /api/documents/{id}                                    one document's metadata
Everything else is a static file of site/, site/api/catalog.json and the other
files of site/api/ too. GET responses under /api/ carry CORS headers so internal
portals can call them from the browser. A bad query is a 400 with a message,
never a 500.
"""
from __future__ import annotations

import functools
import json
import sys
import threading
from collections import OrderedDict
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

MAX_URL = 4096


class Handler(SimpleHTTPRequestHandler):
    index_dir: Path | None = None
    _ix = None
    _lock = threading.Lock()

    def log_message(self, format, *args):  # quieter than the default
        pass

    def end_headers(self):
        if self.path.startswith("/api/"):
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        super().end_headers()

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Max-Age", "86400")
        self.end_headers()

    def do_GET(self):
        route = urlsplit(self.path).path
        if route == "/api/search" or route.startswith("/api/documents/"):
            try:
                self._api()
            except Exception as exc:  # never a stack trace to the client
                print(f"api error: {type(exc).__name__}: {exc}", file=sys.stderr)
                self._json(500, {"error": "lỗi máy chủ"})
            return
        super().do_GET()

    def _index(self):
        cls = type(self)
        with cls._lock:
            if cls._ix is None:
                from .search import open_index
                cls._ix = open_index(cls.index_dir)
            return cls._ix

    # One Whoosh searcher per server thread (opening one per query costs more
    # than many queries), and a small cache of answers: the index does not
    # change while the server runs.
    _local = threading.local()
    _answers: "OrderedDict" = None
    CACHE_SIZE = 512

    def _searcher(self, ix):
        local = type(self)._local
        if getattr(local, "searcher", None) is None:
            local.searcher = ix.searcher()
        return local.searcher

    def _cache_get(self, key):
        cls = type(self)
        with cls._lock:
            if cls._answers is not None and key in cls._answers:
                cls._answers.move_to_end(key)
                return cls._answers[key]
        return None

    def _cache_put(self, key, answer) -> None:
        cls = type(self)
        with cls._lock:
            if cls._answers is None:
                cls._answers = OrderedDict()
            cls._answers[key] = answer
            while len(cls._answers) > cls.CACHE_SIZE:
                cls._answers.popitem(last=False)

    def _json(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _api(self) -> None:
        from .search import QueryError, get_document, search

        if len(self.path) > MAX_URL:
            return self._json(400, {"error": "địa chỉ quá dài"})
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            ix = self._index()
        except FileNotFoundError:
            return self._json(503, {"error": "chưa có chỉ mục tìm kiếm: hãy chạy kb.py build"})
        if url.path == "/api/search":
            try:
                year = int(params["year"]) if params.get("year") else None
                page = int(params.get("page") or 1)
                size = int(params.get("size") or 10)
            except ValueError:
                return self._json(400, {"error": "year, page và size phải là số"})
            key = (params.get("q", ""), params.get("type"), year, params.get("organ"), page, size, params.get("sort"))
            cached = self._cache_get(key)
            if cached is not None:
                return self._json(*cached)
            try:
                res = search(ix, params.get("q", ""), type_name=params.get("type") or None, year=year,
                             organ=params.get("organ") or None, page=page, page_size=size,
                             sort=params.get("sort") or "relevance", searcher=self._searcher(ix))
                answer = (200, res.__dict__)
            except QueryError as exc:
                answer = (400, {"error": str(exc)})
            self._cache_put(key, answer)
            return self._json(*answer)
        doc_id = unquote(url.path[len("/api/documents/"):]).strip("/")
        doc = get_document(ix, doc_id) if doc_id else None
        if doc is None:
            return self._json(404, {"error": "không có văn bản này"})
        return self._json(200, doc)


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000,
                index_dir: Path | None = None) -> ThreadingHTTPServer:
    handler_cls = type("BoundHandler", (Handler,), {"index_dir": index_dir, "_ix": None, "_answers": None,
                                                     "_local": threading.local(), "_lock": threading.Lock()})
    handler = functools.partial(handler_cls, directory=str(site))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(site: Path, host: str, port: int, index_dir: Path | None = None) -> int:
    server = make_server(site, host, port, index_dir)
    print(f"Serving {site} on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
