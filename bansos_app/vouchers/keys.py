"""Voucher signing keys: Ed25519 files in instance/, the newest signs, all of them verify."""

import os
import re
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

KEY_FILE = re.compile(r"^voucher-key-(\d{4})\.pem$")
CODE_KEY_FILE = "manual-code.key"


def key_dir() -> Path:
    """The directory holding the keys (VOUCHER_KEY_DIR, by default instance/voucher-keys)."""
    configured = current_app.config.get("VOUCHER_KEY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "voucher-keys"


def _write_new(path: Path, data: bytes) -> bool:
    """Create a 0600 file; False when another process created it first (keep theirs)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return True


def _key_ids(directory: Path) -> list[int]:
    if not directory.is_dir():
        return []
    return sorted(int(m.group(1)) for f in os.listdir(directory) if (m := KEY_FILE.match(f)))


def _pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def rotate_key() -> int:
    """Generate the next signing key and return its id; older keys keep verifying."""
    directory = key_dir()
    while True:
        kid = (_key_ids(directory) or [0])[-1] + 1
        if _write_new(directory / f"voucher-key-{kid:04d}.pem", _pem(Ed25519PrivateKey.generate())):
            _cache().clear()
            return kid


def _cache() -> dict:
    return current_app.extensions.setdefault("voucher_keys", {})


def _load(directory: Path) -> dict:
    """Read every key in the directory once per process (and again after a rotation)."""
    ids = tuple(_key_ids(directory))
    cache = _cache()
    if cache.get("ids") != ids or cache.get("dir") != directory:
        keys = {}
        for kid in ids:
            data = (directory / f"voucher-key-{kid:04d}.pem").read_bytes()
            keys[kid] = serialization.load_pem_private_key(data, password=None)
        cache.update(ids=ids, dir=directory, keys=keys)
    return cache["keys"]


def signing_key() -> tuple[int, Ed25519PrivateKey]:
    """The newest key and its id; the first key is generated on first use."""
    directory = key_dir()
    keys = _load(directory)
    if not keys:
        _write_new(directory / "voucher-key-0001.pem", _pem(Ed25519PrivateKey.generate()))
        keys = _load(directory)
    kid = max(keys)
    return kid, keys[kid]


def public_key(kid: int) -> Ed25519PublicKey | None:
    """The public half of a key by id, or None for a key this server never had."""
    private = _load(key_dir()).get(kid)
    return private.public_key() if private else None


def public_keys_pem() -> dict[int, str]:
    """Every public key by id, PEM-encoded, for anyone who wants to verify slips offline."""
    return {
        kid: private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
        for kid, private in _load(key_dir()).items()
    }


def code_key() -> bytes:
    """The secret behind the manual codes, generated on first use."""
    cache = _cache()
    if "code" not in cache:
        path = key_dir() / CODE_KEY_FILE
        _write_new(path, secrets.token_hex(32).encode())
        cache["code"] = bytes.fromhex(path.read_text().strip())
    return cache["code"]
