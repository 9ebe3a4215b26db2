"""An iCalendar (RFC 5545) invitation for a booked handoff meeting. Pure functions, no ORM."""

import datetime

MEETING_LENGTH = datetime.timedelta(minutes=30)
PRODUCT_ID = "-//sdrcrm//Handoffs//EN"
CONTROL_CHARACTERS = dict.fromkeys((*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F))


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): line breaks as \\n, separators escaped, no other control character."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return text.translate(CONTROL_CHARACTERS)


def _parameter(text: str) -> str:
    """A quoted parameter value (CN=\"…\"): no quotes, no line breaks, no control characters."""
    return (text or "").replace('"', "").replace("\n", " ").replace("\t", " ").translate(CONTROL_CHARACTERS)


def _address(email: str) -> str:
    return "".join(char for char in (email or "") if char.isprintable() and not char.isspace())


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF + space (never splitting a character)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current, limit = [], b"", 75
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_invitation(
    *,
    uid: str,
    start: datetime.datetime,
    summary: str,
    description: str,
    organizer_name: str,
    organizer_email: str,
    attendees: list[tuple[str, str]],
    stamp: datetime.datetime,
    sequence: int = 0,
    length: datetime.timedelta = MEETING_LENGTH,
) -> str:
    """A METHOD:REQUEST calendar with one event; `attendees` are (name, email) pairs."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + length)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    if _address(organizer_email):
        lines.append(f'ORGANIZER;CN="{_parameter(organizer_name)}":mailto:{_address(organizer_email)}')
    for name, email in attendees:
        if _address(email):
            lines.append(
                f'ATTENDEE;CN="{_parameter(name)}";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{_address(email)}'
            )
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
