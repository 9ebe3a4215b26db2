"""The dispatcher bench's SMTP sinks: each accepts every message and appends one line per recipient
to PATH: time, Message-ID, recipient.

    python -m bench.smtp_sink --lean PORT PATH        # the protocol a sending client needs, nothing else
    python -m bench.smtp_sink --aiosmtpd PORT PATH    # aiosmtpd, the test suite's SMTP server

The lean sink speaks: the greeting, EHLO/HELO (PIPELINING, 8BITMIME, SMTPUTF8), MAIL, RCPT, DATA (up to
the lone dot), RSET, NOOP, QUIT; anything else gets 502. It stands in for a mail relay that takes
messages as fast as they come, so the bench measures the dispatcher rather than a Python SMTP
library's parsing (aiosmtpd, the sink of the test suite, costs about 0.6 ms of CPU a message here;
`python -m bench.dispatch --sink aiosmtpd` measures with it).
"""

import asyncio
import signal
import sys
import time
from email.parser import BytesHeaderParser

END_OF_DATA = b"\r\n.\r\n"
EHLO_REPLY = b"250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"


def log_line(message_id: str, recipient: str) -> str:
    return f"{time.time():.6f}\t{message_id}\t{recipient.lower()}\n"


def message_id(content: bytes) -> str:
    """The Message-ID header of a message's header block ('' when it has none)."""
    headers = content.split(b"\r\n\r\n", 1)[0]
    for line in headers.split(b"\r\n"):
        if line[:11].lower() == b"message-id:":
            return line[11:].strip().decode("ascii", "replace")
    return ""


class SinkProtocol(asyncio.Protocol):
    def __init__(self, out):
        self.out = out
        self.buffer = b""
        self.in_data = False
        self.recipients: list[str] = []

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 sink.bench.test ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        replies = []
        while True:
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    break
                self._deliver(self.buffer[:end])
                self.buffer = self.buffer[end + len(END_OF_DATA) :]
                self.in_data = False
                replies.append(b"250 OK: queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            reply = self._command(line)
            if reply is None:
                if replies:
                    self.transport.write(b"".join(replies))
                self.transport.write(b"221 Bye\r\n")
                self.transport.close()
                return
            replies.append(reply)
        if replies:
            self.transport.write(b"".join(replies))

    def _command(self, line: bytes) -> bytes | None:
        verb = line[:4].upper()
        if verb == b"MAIL":
            self.recipients = []
            return b"250 OK\r\n"
        if verb == b"RCPT":
            address = line.split(b":", 1)[-1].split(b">", 1)[0].strip(b" <")
            self.recipients.append(address.decode("utf-8", "replace"))
            return b"250 OK\r\n"
        if verb == b"DATA":
            self.in_data = True
            return b"354 End data with <CR><LF>.<CR><LF>\r\n"
        if verb == b"EHLO":
            return EHLO_REPLY
        if verb in (b"HELO", b"NOOP"):
            return b"250 OK\r\n"
        if verb == b"RSET":
            self.recipients = []
            return b"250 OK\r\n"
        if verb == b"QUIT":
            return None
        return b"502 Command not implemented\r\n"

    def _deliver(self, content: bytes) -> None:
        mid = message_id(content)
        for rcpt in self.recipients:
            self.out.write(log_line(mid, rcpt))
        self.recipients = []


async def serve(port: int, path: str) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    with open(path, "a", buffering=1) as out:
        server = await loop.create_server(lambda: SinkProtocol(out), "127.0.0.1", port)
        print("sink ready", flush=True)
        async with server:
            await stop


def serve_aiosmtpd(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    parser = BytesHeaderParser()
    with open(path, "a", buffering=1) as out:

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mid = (parser.parsebytes(envelope.content).get("Message-ID") or "").strip()
                for rcpt in envelope.rcpt_tos:
                    out.write(log_line(mid, rcpt))
                return "250 Message accepted for delivery"

        controller = Controller(Handler(), hostname="127.0.0.1", port=port, server_hostname="sink.bench.test")
        controller.start()
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        print("sink ready", flush=True)
        while not stop["now"]:
            time.sleep(0.2)
        controller.stop()


def main(argv: list[str] | None = None) -> None:
    kind, port, path = (argv or sys.argv[1:])[:3]
    if kind == "--aiosmtpd":
        serve_aiosmtpd(int(port), path)
    else:
        asyncio.run(serve(int(port), path))


if __name__ == "__main__":
    main()
