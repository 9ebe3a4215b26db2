"""Email at cadence volume: the same messages as Django's, for less CPU each.

A cadence sends tens of thousands of plain-text emails an hour, each from one rep to one lead. For
those, most of Django's cost per message was the email package re-parsing the same sender address
and folding headers in its generator. `PlainEmail` writes its MIME form directly when it is plain
text (anything else, or a body line too long for 8bit, takes Django's own path); `SMTPBackend`
remembers the envelope address of a sender it has already checked, and its SMTP client parses an
envelope address once and pipelines a message's commands when the server offers it (`_PlainEnvelope`).
What goes over the wire parses to the same headers and body as Django's message
(`tests/core/test_mail.py`).
"""

import email.charset
import email.message
import functools
import re
import smtplib
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME

# An address Django's sanitize_address returns unchanged: ASCII, no display name, nothing to encode.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
UTF8 = email.charset.Charset("utf-8")
NEWLINE = re.compile(r"\r\n|\r|\n")  # the line ends the email package's generator rewrites
LEADING_DOT = re.compile(rb"(?m)^\.")  # dot-stuffing (RFC 5321 4.5.2), as smtplib does it


def envelope_address(address: str, encoding: str) -> str:
    if PLAIN_ADDRESS.fullmatch(address):
        return address
    return _sanitized(address, encoding)


@functools.lru_cache(maxsize=1024)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


@functools.lru_cache(maxsize=1024)
def _sender_header(name: str, value: str, encoding: str) -> str:
    """A header that repeats on every message of a sender (From, Reply-To), checked and encoded once."""
    return forbid_multi_line_headers(name, value, encoding)[1]


class _PlainEnvelope:
    """smtplib's client, with two savings for a server that sends many plain messages:

    - MAIL FROM and RCPT TO written without parsing the address again for each message: a plain address
      is put in angle brackets (what `quoteaddr` makes of it), another (a rep's "Name <address>") is
      parsed once and remembered;
    - with a server that offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go out together and their
      replies are read in order: two round trips a message instead of three plus one per recipient.

    With SMTPUTF8, or without PIPELINING, it takes smtplib's own path.
    The replies, the exceptions and the state after an error are smtplib's (`tests/core/test_mail.py`)."""

    def mail(self, sender, options=()):
        if _utf8(options):
            return super().mail(sender, options)
        self.putcmd("mail", f"FROM:{_envelope(sender)}{self._options(options)}")
        return self.getreply()

    def rcpt(self, recip, options=()):
        self.putcmd("rcpt", f"TO:{_envelope(recip)}{self._options(options)}")
        return self.getreply()

    def sendmail(self, from_addr, to_addrs, msg, mail_options=(), rcpt_options=()):
        self.ehlo_or_helo_if_needed()
        if isinstance(to_addrs, str):
            to_addrs = [to_addrs]
        if not (
            isinstance(msg, bytes)
            and to_addrs
            and self.does_esmtp
            and self.has_extn("pipelining")
            and not _utf8(mail_options)
        ):
            return super().sendmail(from_addr, to_addrs, msg, mail_options, rcpt_options)
        if self.has_extn("size"):
            mail_options = [f"size={len(msg)}", *mail_options]
        envelope = [
            f"MAIL FROM:{_envelope(from_addr)}{self._options(mail_options)}",
            *(f"RCPT TO:{_envelope(address)}{self._options(rcpt_options)}" for address in to_addrs),
            "DATA",
        ]
        if any("\r" in line or "\n" in line for line in envelope):  # as smtplib's putcmd refuses them
            raise ValueError("command and arguments contain prohibited newline characters")
        self.send("".join(line + "\r\n" for line in envelope))
        # The replies are read and acted on as smtplib's sendmail does; where it would have stopped
        # sending, the replies to the commands already sent are read first.
        code, reply = self.getreply()
        if code != 250:
            if code == 421:
                self.close()
            else:
                self._abandon(unanswered=len(to_addrs))
            raise smtplib.SMTPSenderRefused(code, reply, from_addr)
        refused = {}
        for address in to_addrs:
            code, reply = self.getreply()
            if code not in (250, 251):
                refused[address] = (code, reply)
            if code == 421:
                self.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(to_addrs):
            self._abandon(unanswered=0)
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = self.getreply()
        if code != 354:
            # smtplib leaves this transaction open; the next pipelined message would join it.
            self._rset()
            raise smtplib.SMTPDataError(code, reply)
        quoted = LEADING_DOT.sub(b"..", msg)
        if quoted[-2:] != b"\r\n":
            quoted += b"\r\n"
        self.send(quoted + b".\r\n")
        code, reply = self.getreply()
        if code != 250:
            if code == 421:
                self.close()
            else:
                self._rset()
            raise smtplib.SMTPDataError(code, reply)
        return refused

    def _abandon(self, *, unanswered: int) -> None:
        """Ends a refused transaction: reads the replies still due to RCPT and DATA, then RSET. A server
        that took DATA anyway is hung up on (a lone dot could deliver an empty message); one that hung up
        already leaves the refusal to be raised, as with smtplib."""
        try:
            for _ in range(unanswered):
                self.getreply()
            if self.getreply()[0] == 354:
                self.close()
                return
        except smtplib.SMTPServerDisconnected:
            return
        self._rset()

    def _options(self, options) -> str:
        return " " + " ".join(options) if options and self.does_esmtp else ""


def _envelope(address: str) -> str:
    return f"<{address}>" if PLAIN_ADDRESS.fullmatch(address) else _quoted(address)


@functools.lru_cache(maxsize=1024)
def _quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


def _utf8(options) -> bool:
    return any(option.lower() == "smtputf8" for option in options)


class _SMTP(_PlainEnvelope, smtplib.SMTP):
    pass


class _SMTP_SSL(_PlainEnvelope, smtplib.SMTP_SSL):
    pass


class SMTPBackend(EmailBackend):
    """Django's SMTP backend; the envelope addresses of repeated senders are not parsed again. `_send`
    is Django 5.2's own with `envelope_address` in place of `sanitize_address`: compare on an upgrade."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = envelope_address(email_message.from_email, encoding)
        recipients = [envelope_address(address, encoding) for address in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, message.as_bytes(linesep="\r\n"))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True


class PlainMIME(email.message.Message):
    """A single-part text/plain message in UTF-8 (7bit or 8bit), whose headers are already encoded and short
    enough not to need folding; serialised as it is."""

    def __init__(self, headers: list[tuple[str, str]], body: str):
        super().__init__()
        self._headers = headers
        self.set_payload(body)

    def get_charset(self):
        return UTF8

    def as_bytes(self, unixfrom=False, policy=None, linesep="\n"):
        head = "".join(f"{name}: {value.replace(chr(10), linesep)}{linesep}" for name, value in self._headers)
        body = linesep.join(NEWLINE.split(self.get_payload()))
        return (head + linesep).encode("ascii") + body.encode("utf-8")

    __bytes__ = as_bytes

    def as_string(self, unixfrom=False, maxheaderlen=0, policy=None):
        return self.as_bytes().decode("utf-8")


class PlainEmail(EmailMessage):
    """An `EmailMessage` for plain text; its MIME form is written directly when nothing needs Django's
    general path."""

    def message(self):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        if not self._is_plain(encoding):
            return super().message()
        header = forbid_multi_line_headers
        names = {key.lower() for key in self.extra_headers}
        headers = [
            ("Content-Type", 'text/plain; charset="utf-8"'),
            ("MIME-Version", "1.0"),
            ("Content-Transfer-Encoding", "7bit" if self.body.isascii() else "8bit"),
            ("Subject", header("Subject", self.subject, encoding)[1]),
            ("From", _sender_header("From", self.extra_headers.get("From", self.from_email), encoding)),
        ]
        for name, addresses in (("To", self.to), ("Cc", self.cc)):
            if addresses:
                value = self.extra_headers.get(name, ", ".join(str(address) for address in addresses))
                headers.append((name, header(name, value, encoding)[1]))
        if self.reply_to:
            value = self.extra_headers.get("Reply-To", ", ".join(str(address) for address in self.reply_to))
            headers.append(("Reply-To", _sender_header("Reply-To", value, encoding)))
        if "date" not in names:
            headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in names:
            headers.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        for name, value in self.extra_headers.items():
            if name.lower() not in {"from", "to", "cc", "reply-to"}:
                headers.append((name, header(name, value, encoding)[1]))
        if any(len(name) + 2 + len(value) > RFC5322_EMAIL_LINE_LENGTH_LIMIT for name, value in headers):
            return super().message()
        return PlainMIME(headers, self.body)

    def _is_plain(self, encoding: str) -> bool:
        return (
            encoding.lower() in ("utf-8", "utf8")
            and self.content_subtype == "plain"
            and not self.attachments
            and not getattr(self, "alternatives", None)
            and type(self.body) is str
            and not any(
                len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
                for line in self.body.splitlines()
            )
        )
