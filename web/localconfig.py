"""The settings a local instance needs, written once by `make run`:
`python -m web.localconfig [INSTANCE_DIR]`.

Appends to `instance/config.py` whichever of these it does not set yet: a random
`SECRET_KEY`, `PUBLIC_URL` (the local address, printed in QR codes), and
`EVIDENCE_KEY_FILE` pointing at a new Ed25519 key (`instance/evidence-key.pem`, readable
by its owner only) that signs the evidence log's checkpoints. Existing settings are
never changed, so running it again does nothing.
"""
from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

from web import LOCAL_URL


def ensure(instance: Path) -> list[str]:
    """Write what is missing; returns the names written."""
    from engine.evidence import generate_key_pem
    instance.mkdir(parents=True, exist_ok=True)
    cfg = instance / "config.py"
    text = cfg.read_text(encoding="utf-8") if cfg.exists() else ""
    have = set(re.findall(r"^([A-Z_][A-Z0-9_]*)\s*=", text, re.M))
    lines, written = [], []
    if "SECRET_KEY" not in have:
        lines.append(f"SECRET_KEY = {secrets.token_hex(32)!r}")
        written.append("SECRET_KEY")
    if "PUBLIC_URL" not in have:
        lines.append(f"PUBLIC_URL = {LOCAL_URL!r}   # the address printed in QR codes")
        written.append("PUBLIC_URL")
    if "EVIDENCE_KEY_FILE" not in have and "EVIDENCE_KEY" not in have:
        key = instance / "evidence-key.pem"
        if not key.exists():
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(generate_key_pem())
        lines.append(f"EVIDENCE_KEY_FILE = {str(key.resolve())!r}")
        written.append("EVIDENCE_KEY_FILE")
    if lines:
        head = "" if not text or text.endswith("\n") else "\n"
        with cfg.open("a", encoding="utf-8") as fh:
            fh.write(head + "# written once by `make run` (web/localconfig.py)\n"
                     + "\n".join(lines) + "\n")
        os.chmod(cfg, 0o600)
    return written


if __name__ == "__main__":
    where = Path(sys.argv[1] if len(sys.argv) > 1 else "instance")
    done = ensure(where)
    if done:
        print(f"已写入 {where / 'config.py'}：{'、'.join(done)}")
