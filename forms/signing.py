"""PAdES signatures (pyHanko) for organisations that have a certificate configured.

The certificate and its private key are kept (PEM) on the organisation's form settings.
Production should load a certificate issued by a recognised CA; for the demo
`ensure_demo_certificate` creates a self-signed one so the signing path is exercised.
The document's SHA-256 is always taken over the final, signed bytes.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.orm import Session

from engine.documents import OrgFormSettings, settings_for
from engine.models import Organisation


def make_self_signed(common_name: str, *, days: int = 3650) -> tuple[str, str]:
    """(certificate PEM, unencrypted PKCS#8 key PEM) of a new self-signed ECDSA P-256
    certificate usable for document signing."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name}（演示用自签名证书）"),
    ])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return cert_pem, key_pem


def ensure_demo_certificate(session: Session, org: Organisation) -> OrgFormSettings:
    """Give `org` a self-signed signing certificate unless it has one. No commit."""
    row = settings_for(session, org.id, create=True)
    if not row.cert_pem or not row.key_pem:
        row.cert_pem, row.key_pem = make_self_signed(org.name)
        session.flush()
    return row


def configure_certificate(session: Session, org: Organisation, cert_pem: str, key_pem: str) -> None:
    """Install a real certificate (PEM) and its unencrypted key for `org`. No commit."""
    _signer(cert_pem, key_pem)          # raises if the pair is unusable
    row = settings_for(session, org.id, create=True)
    row.cert_pem, row.key_pem = cert_pem, key_pem


def _signer(cert_pem: str, key_pem: str):
    from asn1crypto import keys as asn1_keys, pem, x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    _, _, cert_der = pem.unarmor(cert_pem.encode("ascii"))
    _, _, key_der = pem.unarmor(key_pem.encode("ascii"))
    cert = asn1_x509.Certificate.load(cert_der)
    key = asn1_keys.PrivateKeyInfo.load(key_der)
    return signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs([cert]))


def _off_loop(fn):
    """pyHanko's synchronous API calls asyncio.run(), which fails inside a running event
    loop (an async server, Playwright's test loop): then run it on a helper thread."""
    import asyncio
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def sign_pdf(pdf: bytes, cert_pem: str, key_pem: str, *, signer_name: str,
             reason: str = "", location: str = "") -> bytes:
    """PAdES baseline (B-B) signature over the whole PDF, as an incremental update."""
    return _off_loop(lambda: _sign_pdf(pdf, cert_pem, key_pem, signer_name=signer_name,
                                       reason=reason, location=location))


def _sign_pdf(pdf: bytes, cert_pem: str, key_pem: str, *, signer_name: str,
              reason: str = "", location: str = "") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256", reason=reason or None,
        location=location or None, name=signer_name,
        subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.sign_pdf(writer, meta, signer=_signer(cert_pem, key_pem))
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    present: bool
    intact: bool = False          # the signed bytes are unchanged
    trusted: bool = False         # the certificate chains to the given trust roots
    covers_whole_file: bool = False
    signer: str = ""
    signed_at: Optional[datetime] = None


def check_signature(pdf: bytes, trust_pems: tuple[str, ...] = ()) -> SignatureCheck:
    """Validate the (first) embedded signature; trust_pems are the trusted certificates."""
    return _off_loop(lambda: _check_signature(pdf, trust_pems))


def _check_signature(pdf: bytes, trust_pems: tuple[str, ...] = ()) -> SignatureCheck:
    from asn1crypto import pem, x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = reader.embedded_signatures
    except Exception:
        return SignatureCheck(False)
    if not sigs:
        return SignatureCheck(False)
    roots = []
    for p in trust_pems:
        _, _, der = pem.unarmor(p.encode("ascii"))
        roots.append(asn1_x509.Certificate.load(der))
    vc = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(sigs[0], vc)
    except Exception:
        return SignatureCheck(True)
    signer = ""
    try:
        signer = status.signing_cert.subject.native.get("organization_name", "")
    except Exception:
        pass
    cov = getattr(status, "coverage", None)
    whole = cov is not None and cov.name in ("ENTIRE_FILE",)
    return SignatureCheck(True, intact=bool(status.intact and status.valid),
                          trusted=bool(status.trusted), covers_whole_file=whole,
                          signer=signer, signed_at=status.signer_reported_dt)
