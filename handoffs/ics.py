"""An iCalendar (RFC 5545) invitation for a booked handoff meeting. Pure functions, no ORM."""

import datetime

MEETING_LENGTH = datetime.timedelta(minutes=30)
PRODUCT_ID = "-//sdrcrm//Handoffs//EN"


def _escape(text: str) -> str:
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


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
    if organizer_email:
        lines.append(f'ORGANIZER;CN="{organizer_name.replace(chr(34), "")}":mailto:{organizer_email}')
    for name, email in attendees:
        if email:
            lines.append(
                f'ATTENDEE;CN="{name.replace(chr(34), "")}";ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{email}'
            )
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
