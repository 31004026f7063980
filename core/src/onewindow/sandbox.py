"""A sandbox of the dedicated networks (业务专网) over real HTTP on localhost.

Each ``<network>.json`` in the fixtures folder holds ``{"network", "title", "key", "records"}``.
``GET /<network>/records?<field>=<value>`` answers the first record whose fields equal every
query parameter (200, JSON), or 404. It lets the demo, the tests and a training hall exercise
look-ups without the real networks.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit


def load_networks(folder: str | Path) -> dict[str, dict]:
    networks = {}
    for path in sorted(Path(folder).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        networks[data["network"]] = data
    if not networks:
        raise FileNotFoundError(f"no sandbox network files (*.json) in {folder}")
    return networks


def make_server(folder: str | Path, host: str = "127.0.0.1", port: int = 0
                ) -> ThreadingHTTPServer:
    networks = load_networks(folder)

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: object) -> None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            if not parts:
                return self._send(200, {n: d["title"] for n, d in networks.items()})
            network = networks.get(parts[0])
            if network is None or parts[1:] != ["records"]:
                return self._send(404, {"error": "no such network or path"})
            query = dict(parse_qsl(url.query))
            if not query:
                return self._send(400, {"error": "give at least one field to match"})
            for record in network["records"]:
                if all(str(record.get(k, "")) == v for k, v in query.items()):
                    return self._send(200, record)
            return self._send(HTTPStatus.NOT_FOUND, {"error": "no record"})

        def log_message(self, format, *args):  # keep test and demo output quiet
            pass

    return ThreadingHTTPServer((host, port), Handler)


def start_in_thread(folder: str | Path) -> tuple[ThreadingHTTPServer, str]:
    """Start a sandbox on a free port in a daemon thread; return it and its base URL."""
    server = make_server(folder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


def serve_sandbox(folder: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    server = make_server(folder, host, port)
    print(f"sandbox networks {', '.join(load_networks(folder))} on http://{host}:{port}",
          flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
