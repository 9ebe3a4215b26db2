"""EMAIL_URL → Django email settings."""

from pathlib import Path
from urllib.parse import unquote, urlsplit


def email_settings_from_url(url: str, *, mail_dir: Path) -> dict:
    """`smtp://host:port`, `smtp+tls://user:pass@host:port`, `smtp+ssl://…`, `console://`; empty: files."""
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("console", "consolemail"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme in ("file", "filemail"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path or str(mail_dir),
        }
    if scheme in ("memory", "locmem"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in ("smtp", "smtp+tls", "smtp+ssl", "smtps"):
        raise ValueError(f"EMAIL_URL: unsupported scheme {scheme!r}")
    return {
        "EMAIL_BACKEND": "sdrcrm.core.mail.SMTPBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if scheme in ("smtp+ssl", "smtps") else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme in ("smtp+ssl", "smtps"),
        "EMAIL_TIMEOUT": 30,
    }
