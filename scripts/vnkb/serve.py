"""serve: the built site over HTTP on 127.0.0.1 (standard library only)."""
from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # quieter than the default
        pass


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(Handler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


def serve(site: Path, host: str, port: int) -> int:
    server = make_server(site, host, port)
    print(f"Serving {site} on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
