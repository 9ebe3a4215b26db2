"""Reading an uploaded CSV: its encoding, delimiter, header and first rows, and which column is which field."""

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings

from sdrcrm.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
SNIFF_BYTES = 64 * 1024

IMPORTABLE_FIELDS = (
    "first_name", "last_name", "full_name", "email", "phone", "title", "company", "company_domain",
    "industry", "employee_count", "country", "timezone", "linkedin_url", "research_notes",
)  # fmt: skip

# Normalised header (lower case, letters and digits only) → lead field.
HEADER_ALIASES = {
    "firstname": "first_name", "first": "first_name", "givenname": "first_name", "forename": "first_name",
    "vorname": "first_name", "eesnimi": "first_name", "имя": "first_name", "名": "first_name", "이름": "first_name",
    "lastname": "last_name", "last": "last_name", "surname": "last_name", "familyname": "last_name",
    "nachname": "last_name", "perekonnanimi": "last_name", "фамилия": "last_name", "姓": "last_name", "성": "last_name",
    "name": "full_name", "fullname": "full_name", "contactname": "full_name", "contact": "full_name",
    "email": "email", "emailaddress": "email", "mail": "email", "workemail": "email", "businessemail": "email",
    "epost": "email", "почта": "email", "邮箱": "email", "이메일": "email",
    "phone": "phone", "phonenumber": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone",
    "mobilephone": "phone", "workphone": "phone", "directphone": "phone", "телефон": "phone", "电话": "phone",
    "전화": "phone", "전화번호": "phone",
    "title": "title", "jobtitle": "title", "position": "title", "role": "title", "ametikoht": "title",
    "должность": "title", "职位": "title", "직함": "title",
    "company": "company", "companyname": "company", "organization": "company", "organisation": "company",
    "account": "company", "accountname": "company", "employer": "company", "ettevõte": "company",
    "компания": "company", "公司": "company", "회사": "company",
    "website": "company_domain", "domain": "company_domain", "companydomain": "company_domain",
    "companywebsite": "company_domain", "url": "company_domain", "web": "company_domain",
    "industry": "industry", "sector": "industry", "vertical": "industry", "отрасль": "industry", "行业": "industry",
    "employees": "employee_count", "employeecount": "employee_count", "numberofemployees": "employee_count",
    "companysize": "employee_count", "headcount": "employee_count", "size": "employee_count",
    "country": "country", "countrycode": "country", "страна": "country", "国家": "country", "국가": "country",
    "timezone": "timezone", "tz": "timezone",
    "linkedin": "linkedin_url", "linkedinurl": "linkedin_url", "linkedinprofile": "linkedin_url",
    "linkedinprofileurl": "linkedin_url", "personlinkedinurl": "linkedin_url",
    "notes": "research_notes", "note": "research_notes", "researchnotes": "research_notes",
}  # fmt: skip


def _normalise_header(header: str) -> str:
    return re.sub(r"[\W_]+", "", (header or "").strip().casefold())


def max_bytes() -> int:
    return getattr(settings, "LEADS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


# --- Reading: encoding, delimiter, header ---------------------------------------------------------------


def detect_encoding(stream) -> str:
    """utf-8-sig | utf-16 | utf-8 | cp1252, from the BOM, NUL bytes, or a strict UTF-8 pass (streamed)."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head and head.count(b"\x00") > len(head) // 4:
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    else:
        decoder = codecs.getincrementaldecoder("utf-8")()
        encoding = "utf-8"
        try:
            block = head
            while block:
                decoder.decode(block)
                block = stream.read(1024 * 1024)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    stream.seek(0)
    return encoding


def open_text(stream, encoding: str) -> io.TextIOWrapper:
    stream.seek(0)
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")


def sniff_delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample[:8192], delimiters=",;\t").delimiter
    except csv.Error:
        counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


@dataclass
class FileShape:
    encoding: str
    delimiter: str
    columns: list[str]
    sample_rows: list[list[str]] = field(default_factory=list)


def read_shape(stream, *, sample_rows: int = 5) -> FileShape:
    """Encoding, delimiter, header and the first rows of an uploaded file, without reading all of it."""
    encoding = detect_encoding(stream)
    text = open_text(stream, encoding)
    try:
        sample = text.read(SNIFF_BYTES)
    finally:
        text.detach()
    if not sample.strip():
        raise ValidationFailed("The file is empty.", field="file")
    if "\x00" in sample:
        raise ValidationFailed("This is not a text (CSV) file.", field="file")
    delimiter = sniff_delimiter(sample)
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    try:
        columns = [column.strip() for column in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise ValidationFailed("The file has no header row.", field="file") from error
    rows = []
    for row in reader:
        if len(rows) >= sample_rows:
            break
        if any(cell.strip() for cell in row):
            rows.append(row)
    if not rows and len(sample) < SNIFF_BYTES:
        raise ValidationFailed("The file has a header but no rows.", field="file")
    stream.seek(0)
    return FileShape(encoding=encoding, delimiter=delimiter, columns=columns, sample_rows=rows)


def auto_mapping(columns: list[str]) -> dict[str, str]:
    """Header → field for the headers we recognise; each field taken by its first column only."""
    mapping, taken = {}, set()
    for column in columns:
        target = HEADER_ALIASES.get(_normalise_header(column))
        if target and target not in taken:
            mapping[column] = target
            taken.add(target)
    return mapping


def resolve_mapping(columns: list[str], explicit: dict | None) -> dict[str, str]:
    """The mapping a run uses: the explicit one (checked) or the automatic one. Needs an email column."""
    if explicit:
        if not isinstance(explicit, dict):
            raise ValidationFailed("The mapping is a JSON object: CSV header → lead field.", field="mapping")
        mapping = {}
        for column, target in explicit.items():
            if not target:
                continue
            if column not in columns:
                raise ValidationFailed(f"The file has no column “{column}”.", field="mapping")
            if target not in IMPORTABLE_FIELDS:
                raise ValidationFailed(
                    f"“{target}” is not a field you can import; use one of {', '.join(IMPORTABLE_FIELDS)}.",
                    field="mapping",
                )
            if target in mapping.values():
                raise ValidationFailed(f"Two columns map to {target}.", field="mapping")
            mapping[column] = target
    else:
        mapping = auto_mapping(columns)
    if "email" not in mapping.values():
        raise ValidationFailed(
            "No column holds the email (it is how duplicates are found): map one to “email”.", field="mapping"
        )
    return mapping
