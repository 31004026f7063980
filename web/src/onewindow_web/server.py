"""Run the hall's web front end with uvicorn: ``onewindow-web --host 0.0.0.0 --port 8000``.

One worker process: login throttling lives in memory. Start-up refuses a database with pending
migrations (``onewindow db upgrade`` first), so the web never writes to an older schema.
"""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from onewindow.privacy import install_log_filter

from .app import create_app

log = logging.getLogger(__name__)


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Open the configured hall and serve it until interrupted.

    Raises RuntimeError (before listening) when the database has pending migrations.
    """
    logging.basicConfig(level=logging.INFO,  # no-op when the caller configured logging
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_filter()  # uvicorn's access log too: a typed ID number in a URL is masked
    app = create_app()
    uvicorn.run(app, host=host, port=port, workers=1, proxy_headers=True,
                server_header=False, log_level="info")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="onewindow-web", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port)
    except RuntimeError as exc:  # pending migrations, unreadable settings
        print(f"onewindow-web: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
