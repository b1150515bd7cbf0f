"""What gets printed: HTML/CSS templates rendered to PDF (WeasyPrint), seals, QR codes,
verification codes, PAdES signatures.

Entry points:
- `forms.issuer.issue` — the engine's issuer hook (an application puts it in its
  sessions' `info["issuers"]`, see web.db and engine.runtime.issuers);
- `forms.issuer.reissue(session, doc, actor, now)`;
- `forms.signing.ensure_demo_certificate(session, org)`;
- `forms.fonts.environment_problems()` — what is missing for fast CJK forms.
"""
from __future__ import annotations

from forms.fonts import environment_problems  # noqa: F401
from forms.issuer import issue, reissue  # noqa: F401
