"""RSA-SHA256 (PKCS#1 v1.5) as both providers use it: WeChat Pay v3's WECHATPAY2-SHA256-RSA2048
and Alipay's RSA2 are the same primitive over different messages."""

import base64
import binascii

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from linli.billing.providers.base import BadNotification


def load_private(pem: bytes | str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(_pem(pem), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public(pem: bytes | str) -> rsa.RSAPublicKey:
    """A PEM public key or certificate (WeChat's platform certificate, Alipay's public key cert),
    or Alipay's bare base64 public key as its console shows it."""
    data = _pem(pem)
    if b"-----BEGIN" not in data:
        data = b"-----BEGIN PUBLIC KEY-----\n" + data.strip() + b"\n-----END PUBLIC KEY-----\n"
    if b"CERTIFICATE" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def certificate_serial(pem: bytes | str) -> str:
    """The serial number WeChat names a certificate by (upper-case hex)."""
    return format(x509.load_pem_x509_certificate(_pem(pem)).serial_number, "X")


def sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> None:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError) as error:
        raise BadNotification("bad_signature") from error


def public_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value
