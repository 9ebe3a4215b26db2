"""Cadence emails written directly as MIME parse to what Django's own message says, header by header."""

import email
import email.policy
import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.message import BadHeaderError

from sdrcrm.core.mail import PlainEmail, PlainMIME, SMTPBackend, envelope_address
from tests.support.smtp import SmtpServer

FIXED = {"Date": "Mon, 23 Nov 2026 06:50:42 -0000", "Message-ID": "<179.t5@sdrcrm.test>"}
CASES = [
    {"subject": "Quick question about Acme", "body": "Hi Mari,\n\nshort note.\n",
         "from_email": "Mari Tamm <mari@sdrcrm.test>", "to": ["Liis Kask <liis@acme.ee>"]},
    {"subject": "Küsimus Acme kohta", "body": "Tere Jüri,\r\nlühike märkus.\r\n\r\n— Mari",
         "from_email": "Mari Tamm <mari@sdrcrm.test>", "to": ["Jüri Mägi <juri@acme.ee>"], "reply_to": ["mari@sdrcrm.test"]},
    {"subject": "Ольга, " + "a rather long subject line that the generator folds at whitespace " * 2,
         "body": "Привет, Ольга!\n" * 40, "from_email": "Дмитрий <dmitri@sdrcrm.test>", "to": ["olga@example.ru"],
         "cc": ["Anna <anna@example.ru>"]},
    {"subject": "민준 님께", "body": "안녕하세요\n\n감사합니다\n", "from_email": "sdr@sdrcrm.test",
         "to": ["김민준 <minjun@example.kr>"],
         "headers": {"List-Unsubscribe": "<mailto:unsubscribe@sdrcrm.test?subject=unsubscribe%20" + "9" * 80 + ">",
                  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "X-Sdrcrm-Touch": "5"}},
    {"subject": "", "body": "", "from_email": "sdr@sdrcrm.test", "to": ["lead@example.com"]},
]  # fmt: skip


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def headers(message) -> list[tuple[str, str]]:
    """Names in order and decoded values (Django folds long ones, starting with a fold: same words)."""
    return [(name, " ".join(str(value).split())) for name, value in message.items()]


def with_fixed_headers(case: dict) -> dict:
    return {**case, "headers": {**FIXED, **case.get("headers", {})}}


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_a_plain_email_parses_to_the_same_headers_and_body_as_djangos(case):
    case = with_fixed_headers(case)
    ours = PlainEmail(**case).message()
    assert isinstance(ours, PlainMIME)
    theirs = parsed(EmailMessage(**case).message().as_bytes(linesep="\r\n"))
    mine = parsed(ours.as_bytes(linesep="\r\n"))
    assert headers(mine) == headers(theirs)
    assert mine.get_content() == theirs.get_content()
    assert mine.get_content_type() == "text/plain" and mine.get_content_charset() == "utf-8"


def test_every_line_ends_in_crlf_and_none_is_too_long():
    raw = PlainEmail(**with_fixed_headers(CASES[2])).message().as_bytes(linesep="\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 998


def test_a_body_line_too_long_for_8bit_takes_djangos_quoted_printable_path():
    message = PlainEmail(subject="Hi", body="x" * 1200, from_email="sdr@sdrcrm.test", to=["a@example.com"])
    mime = message.message()
    assert not isinstance(mime, PlainMIME)
    assert mime["Content-Transfer-Encoding"] == "quoted-printable"


def test_html_alternatives_and_attachments_take_djangos_path():
    message = PlainEmail(subject="Hi", body="text", from_email="sdr@sdrcrm.test", to=["a@example.com"])
    message.attach("notes.txt", "some notes", "text/plain")
    assert not isinstance(message.message(), PlainMIME)


def test_a_header_with_a_newline_is_refused_as_django_refuses_it():
    message = PlainEmail(subject="Hi\nBcc: everyone@example.com", body="x", from_email="sdr@sdrcrm.test",
                         to=["a@example.com"])  # fmt: skip
    with pytest.raises(BadHeaderError):
        message.message()


@pytest.mark.parametrize(
    "address",
    [
        "lead@example.com",
        "Mari Tamm <mari@sdrcrm.test>",
        "Jüri <juri@acme.ee>",
        "x@bücher.example",
        "o'neil@ex.io",
    ],
)
def test_envelope_addresses_are_what_django_makes_of_them(address):
    from django.core.mail.message import sanitize_address

    assert envelope_address(address, "utf-8") == sanitize_address(address, "utf-8")


def test_the_smtp_backend_delivers_a_plain_email_to_a_real_server(settings):
    with SmtpServer() as smtp:
        backend = SMTPBackend(host="127.0.0.1", port=smtp.port, fail_silently=False)
        message = PlainEmail(**with_fixed_headers(CASES[1]), connection=backend)
        assert message.send() == 1
        assert smtp.sink.wait_for(1, timeout=10)
    mail_from, rcpt_tos, content = smtp.sink.envelopes[0]
    assert (mail_from, rcpt_tos) == ("mari@sdrcrm.test", ["juri@acme.ee"])
    delivered = parsed(content)
    assert str(delivered["Subject"]) == "Küsimus Acme kohta"
    assert str(delivered["To"]) == "Jüri Mägi <juri@acme.ee>"
    assert delivered.get_content().replace("\r\n", "\n") == "Tere Jüri,\nlühike märkus.\n\n— Mari\n"


def test_the_smtp_backend_reports_a_refused_recipient():
    with SmtpServer(refuse={"nobody@example.com"}) as smtp:
        backend = SMTPBackend(host="127.0.0.1", port=smtp.port, fail_silently=False)
        message = PlainEmail(subject="Hi", body="x", from_email="sdr@sdrcrm.test", to=["nobody@example.com"],
                             connection=backend)  # fmt: skip
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            message.send()
