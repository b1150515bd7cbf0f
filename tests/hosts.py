"""Real app processes for tests that must cross process boundaries: each serves the app
over HTTP on its own port, from its own instance directory and working directory, as
app processes on different hosts would (they share only the database)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = """
import logging, sys
from werkzeug.serving import make_server
from web import create_app
logging.getLogger("werkzeug").setLevel(logging.ERROR)
app = create_app({"DATABASE_URL": sys.argv[1], "INSTANCE_PATH": sys.argv[2],
                  "SECRET_KEY": "two-hosts-share-this-secret", "PUBLIC_URL": "http://wuye.example",
                  "WTF_CSRF_ENABLED": False})
make_server("127.0.0.1", int(sys.argv[3]), app, threaded=True).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppProcess:
    """`with AppProcess(db_url, directory) as host: requests.get(host.url + "/login")`."""

    def __init__(self, db_url: str, directory: Path):
        self.db_url, self.dir = db_url, Path(directory)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "AppProcess":
        (self.dir / "instance").mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.log = open(self.dir / "server.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, self.db_url, str(self.dir / "instance"), str(self.port)],
            cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60          # start-up, not a measurement
        while True:
            try:
                if requests.get(self.url + "/login", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError((self.dir / "server.log").read_text(errors="replace"))
            time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
