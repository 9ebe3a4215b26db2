"""The environment is the only switch: email URLs, production checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sdrcrm.core.email_url import email_settings_from_url

ROOT = Path(__file__).resolve().parents[2]


def test_no_email_url_writes_mail_to_files(tmp_path):
    assert email_settings_from_url("", mail_dir=tmp_path) == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }


def test_smtp_tls_url_carries_credentials_and_port(tmp_path):
    result = email_settings_from_url("smtp+tls://apikey:s%40cret@smtp.example.com:587", mail_dir=tmp_path)
    assert result["EMAIL_BACKEND"] == "sdrcrm.core.mail.SMTPBackend"
    assert (result["EMAIL_HOST"], result["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert (result["EMAIL_HOST_USER"], result["EMAIL_HOST_PASSWORD"]) == ("apikey", "s@cret")
    assert result["EMAIL_USE_TLS"] is True
    assert result["EMAIL_USE_SSL"] is False


def test_plain_smtp_and_console_urls(tmp_path):
    assert email_settings_from_url("smtp://127.0.0.1:2525", mail_dir=tmp_path)["EMAIL_PORT"] == 2525
    assert email_settings_from_url("console://", mail_dir=tmp_path) == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_unknown_email_scheme_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unsupported scheme"):
        email_settings_from_url("pigeon://coop", mail_dir=tmp_path)


def _manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "DJANGO_SETTINGS_MODULE",
            "USE_HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        )
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DEBUG": "0",
            "SECRET_KEY": "x7#Kq2!vR9@mL4$wP8^zT1&nB6*cY3(hJ5)dF0_gS-uE+aQ=iO[oU]eW{rX}",
            "ALLOWED_HOSTS": "crm.example.com",
            "SDRCRM_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_secret_key_is_generated_once_when_none_is_given(tmp_path):
    env = {"DEBUG": "1", "SDRCRM_DATA_DIR": str(tmp_path)}
    first = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env_overrides=env
    )
    second = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env_overrides=env
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
