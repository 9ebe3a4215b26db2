"""Cadence emails written directly as MIME parse to what Django's own message says, header by header."""

import email
import email.policy
import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.message import BadHeaderError

from sdrcrm.core.mail import _SMTP, PlainEmail, PlainMIME, SMTPBackend, envelope_address
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


def _commands(client_class, address: str, options: tuple) -> list[tuple[str, str]]:
    class Recording(client_class):
        def __init__(self):
            super().__init__()
            self.does_esmtp, self.esmtp_features, self.sent = True, {"smtputf8": ""}, []

        def putcmd(self, cmd, args=""):
            self.sent.append((cmd, args))

        def getreply(self):
            return 250, b"ok"

    client = Recording()
    client.mail(address, options)
    client.rcpt(address, options)
    return client.sent


@pytest.mark.parametrize(
    "address",
    [
        "lead@example.com",
        "o'neil@ex.io",
        "Mari Tamm <mari@sdrcrm.test>",
        "<a@b.io>",
        "juri@bücher.example",
        "",
    ],
)
@pytest.mark.parametrize("options", [(), ("size=1234",), ("size=10", "SMTPUTF8")])
def test_the_smtp_client_writes_mail_from_and_rcpt_to_as_smtplib_does(address, options):
    assert _commands(_SMTP, address, options) == _commands(smtplib.SMTP, address, options)


OK, GO_AHEAD = (250, b"OK"), (354, b"End data with <CR><LF>.<CR><LF>")
REFUSED, BAD_SEQUENCE, CLOSING = (550, b"No such user"), (503, b"Bad sequence"), (421, b"Closing")
MESSAGE = b"Subject: Hi\r\n\r\n.a line that starts with a dot\r\nbye"
# The server's reply to each command in turn (MAIL, RCPT lead@ and RCPT boss@, DATA, the message's end;
# past the script the server has hung up), and what the pipelined client then does with the session.
SCRIPTS = {
    "accepted": ([OK, OK, OK, GO_AHEAD, OK], []),
    "one recipient refused": ([OK, OK, REFUSED, GO_AHEAD, OK], []),
    "all recipients refused": ([OK, REFUSED, REFUSED, BAD_SEQUENCE], ["rset"]),
    # Taking DATA with nobody to deliver to: hung up on, so no empty message can go out.
    "all refused, DATA taken anyway": ([OK, REFUSED, REFUSED, GO_AHEAD], ["close"]),
    "sender refused": ([REFUSED, BAD_SEQUENCE, BAD_SEQUENCE, BAD_SEQUENCE], ["rset"]),
    "sender refused, then the server hangs up": ([REFUSED], ["close"]),
    "closing at MAIL": ([CLOSING], ["close"]),
    "closing at RCPT": ([OK, CLOSING], ["close"]),
    # smtplib leaves the transaction open here; pipelined, the next message would join it: RSET.
    "DATA refused": ([OK, OK, OK, (554, b"No valid recipients")], ["rset"]),
    "message refused": ([OK, OK, OK, GO_AHEAD, (552, b"Too big")], ["rset"]),
    "closing after the message": ([OK, OK, OK, GO_AHEAD, CLOSING], ["close"]),
}


def _scripted(client_class, replies: list, *, pipelining: bool):
    class Scripted(client_class):
        """A client whose server replies from a script; it records what it writes, resets and closes."""

        def __init__(self):
            super().__init__()
            self.does_esmtp, self.esmtp_features = True, {"size": "1000000", "8bitmime": ""}
            if pipelining:
                self.esmtp_features["pipelining"] = ""
            self.replies, self.writes, self.events = list(replies), [], []

        def ehlo_or_helo_if_needed(self):
            pass

        def send(self, data):
            self.writes.append(data.encode("ascii") if isinstance(data, str) else data)

        def getreply(self):
            if not self.replies:  # the server hung up, as smtplib reports it
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return self.replies.pop(0)

        def _rset(self):
            self.events.append("rset")

        def close(self):
            if "close" not in self.events:
                self.events.append("close")

    return Scripted()


def _sendmail(client) -> tuple:
    try:
        outcome = client.sendmail("Mari Tamm <sdr@sdrcrm.test>", ["lead@acme.ee", "boss@acme.ee"], MESSAGE)
    except smtplib.SMTPException as error:
        outcome = (type(error).__name__, error.args)
    return outcome, any(MESSAGE.replace(b"\n.", b"\n..") in write for write in client.writes)


@pytest.mark.parametrize("script, session", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_pipelined_sendmail_ends_as_smtplibs_does_with_the_same_replies(script, session):
    pipelined = _scripted(_SMTP, script, pipelining=True)
    assert _sendmail(pipelined) == _sendmail(_scripted(smtplib.SMTP, script, pipelining=True))
    assert pipelined.events == session
    assert pipelined.replies == []  # every reply the server sent was read: the session stays in step
    assert b".\r\n" not in pipelined.writes  # never an empty message


def test_newlines_in_an_envelope_are_refused_as_smtplib_refuses_them():
    for client_class in (_SMTP, smtplib.SMTP):
        client = _scripted(client_class, SCRIPTS["accepted"][0], pipelining=True)
        with pytest.raises(ValueError, match="prohibited newline"):
            client.sendmail(
                "sdr@sdrcrm.test", ["lead@acme.ee"], MESSAGE, rcpt_options=["NOTIFY=NEVER\r\nRSET"]
            )
        assert all(b"RSET" not in write for write in client.writes)


def test_with_pipelining_the_envelope_goes_out_in_one_write_and_without_it_as_smtplib_writes_it():
    pipelined = _scripted(_SMTP, SCRIPTS["accepted"][0], pipelining=True)
    pipelined.sendmail("Mari Tamm <sdr@sdrcrm.test>", ["lead@acme.ee", "boss@acme.ee"], MESSAGE)
    assert pipelined.writes[0] == (
        b"MAIL FROM:<sdr@sdrcrm.test> size=%d\r\nRCPT TO:<lead@acme.ee>\r\nRCPT TO:<boss@acme.ee>\r\nDATA\r\n"
        % len(MESSAGE)
    )
    stepwise, theirs = (
        _scripted(cls, SCRIPTS["accepted"][0], pipelining=False) for cls in (_SMTP, smtplib.SMTP)
    )
    for client in (stepwise, theirs):
        client.sendmail("Mari Tamm <sdr@sdrcrm.test>", ["lead@acme.ee", "boss@acme.ee"], MESSAGE)
    assert stepwise.writes == theirs.writes and len(stepwise.writes) == 5


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "stepwise"])
def test_the_smtp_backend_delivers_to_a_real_server_with_and_without_pipelining(pipelining):
    with SmtpServer(pipelining=pipelining, refuse={"gone@acme.ee"}) as smtp:
        backend = SMTPBackend(host="127.0.0.1", port=smtp.port, fail_silently=False)
        messages = [
            PlainEmail(subject=f"Note {n}", body=f".{n}\nsecond line", from_email="sdr@sdrcrm.test",
                       to=[f"lead{n}@acme.ee", "gone@acme.ee"])
            for n in range(3)
        ]  # fmt: skip
        assert backend.send_messages(messages) == 3
        assert backend.connection is None  # closed after the batch, as Django's backend does
        refused = PlainEmail(subject="x", body="x", from_email="sdr@sdrcrm.test", to=["gone@acme.ee"])
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            SMTPBackend(host="127.0.0.1", port=smtp.port, fail_silently=False).send_messages([refused])
        assert smtp.sink.wait_for(3, timeout=10)
    assert [(mail_from, rcpts) for mail_from, rcpts, _ in smtp.sink.envelopes] == [
        ("sdr@sdrcrm.test", [f"lead{n}@acme.ee"]) for n in range(3)
    ]
    assert [parsed(raw).get_content().splitlines() for _, _, raw in smtp.sink.envelopes] == [
        [f".{n}", "second line"] for n in range(3)
    ]


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
