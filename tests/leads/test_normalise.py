"""The field cleaners' fast paths agree with the full validators and parsers they stand in front of."""

import phonenumbers
import pytest
from celery.signals import worker_init, worker_process_init
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from phonenumbers import PhoneMetadata

from leads.normalise import (
    FieldError,
    _fast_phone,
    _parse_phone,
    clean_email,
    clean_field,
    clean_phone,
    field_cleaner,
    preload_phone_metadata,
    timezone_for_country,
)
from sdrcrm.celery import preload_worker_data


def test_preloading_loads_every_regions_phone_metadata():
    preload_phone_metadata()

    assert not any(PhoneMetadata._region_available.values())
    assert all(PhoneMetadata._region_metadata.get(region) for region in phonenumbers.SUPPORTED_REGIONS)


def test_a_worker_preloads_the_phone_metadata_when_it_starts():
    receivers = [ref() for _key, ref in worker_init.receivers] + [
        ref() for _key, ref in worker_process_init.receivers
    ]

    assert receivers.count(preload_worker_data) == 2


# --- Fast paths: each agrees with the slow path it stands in front of ----------------------------------

TRICKY_EMAILS = [
    "ann.lee@example.com", "  Ann.Lee@Example.COM ", "mailto:ann@example.com", "user+tag@sub.example.org",
    "o'brien@example.ie", "a_b-c@ex-ample.co.uk", "a@b.co", "x" * 64 + "@example.com", "x" * 250 + "@e.com",
    "a@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com", "a..b@example.com", ".a@example.com", "a.@example.com",
    "a@-example.com", "a@example-.com", "a@example..com", "a@example.com.", "a@example.c", "a@example.c0m",
    "a@example.123", "a@localhost", "a@[127.0.0.1]", "a@1.2.3.4", "a b@example.com", "a@b@example.com",
    "a@exa_mple.com", '"quoted"@example.com', "ann at example.com", "@example.com", "ann@", "jürgen@müller.de",
    "jürgen@example.com", "ann@例え.jp", "ann@example.com\n", "ann@example.com\nx", "", "   ", "mailto:",
]  # fmt: skip


def _email_by_the_validator(value: str) -> str:
    email = value.strip().lower().removeprefix("mailto:")
    if not email:
        return ""
    try:
        EmailValidator()(email)
    except ValidationError:
        return "error: Enter a valid email address."
    return email


@pytest.mark.parametrize("value", TRICKY_EMAILS)
def test_the_plain_email_fast_path_accepts_and_refuses_what_djangos_validator_does(value):
    try:
        cleaned = clean_email(value)
    except FieldError as error:
        cleaned = f"error: {error.message}"

    assert cleaned == _email_by_the_validator(value)


def _phone_cases() -> list[tuple[str, str]]:
    cases = [
        ("+1 (201) 555-0123", ""), ("(201) 555-0123", "US"), ("201.555.0123", "US"), ("+12015550123", "DE"),
        ("+44 20 7946 0958", ""), ("020 7946 0958", "GB"), ("+372 5123 4567", ""), ("5123 4567", "EE"),
        ("+1 242 359 1234", ""), ("+7 912 345 6789", ""), ("+800 1234 5678", ""), ("+0 123 4567", ""),
        ("+39 06 1234 5678", ""), ("06 1234 5678", "IT"), ("011 15-2345-6789", "AR"), ("12", "US"),
        ("+49 30 123456", "XX"), ("030 123456", "DE"), ("02-312-3456", "KR"), ("+82 2 312 3456", "KR"),
        ("+1-201-555-0123 ext. 9", ""), ("+1 201 555 O123", ""), ("٠٥٠١٢٣٤٥٦٧", "AE"),
        ("+٩٧١٥٠١٢٣٤٥٦٧", ""), ("０３０ １２３４５６", "DE"),
    ]  # fmt: skip
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        example = phonenumbers.example_number(region)
        if example is None:
            continue
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
        for raw in (e164, national, e164[:-1], e164 + "1", national + "9"):
            cases += [(raw, ""), (raw, region)]
    return cases


def test_the_fast_phone_path_gives_what_the_phone_parser_gives_whenever_it_answers():
    """The same number always. The same zone too, except for a calling code several regions share (+1, +44,
    +7): the fast path does not tell them apart and gives no zone for "+…", the given country's for a
    national number, where the parser may name the region (+44 20 → GB → Europe/London)."""
    answered = 0
    for raw, country in _phone_cases():
        fast = _fast_phone(raw, country)
        if fast is None:
            continue
        answered += 1
        parsed = _parse_phone(raw, country)
        number = phonenumbers.parse(parsed[0])
        if len(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[number.country_code]) == 1:
            assert fast == parsed, (raw, country)
        else:
            assert fast[0] == parsed[0], (raw, country)
            assert fast[1] == ("" if raw.lstrip().startswith("+") else timezone_for_country(country))

    assert answered > 400  # the fast path does take the plain cases


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", "Ann"), ("first_name", "Jüri-Ülo"), ("last_name", "О'Коннор"), ("first_name", "名" * 100),
        ("first_name", "名" * 101), ("title", "t" * 200), ("title", "t" * 201), ("company", "Acme, Inc."),
        ("industry", "i" * 101), ("email", "Ann@Example.com"), ("email", "ann at example.com"),
        ("country", "ee"), ("country", "UK"), ("country", "XX"), ("timezone", "europe/tallinn"),
        ("timezone", "Mars/Olympus"), ("employee_count", "1,200"), ("employee_count", "lots"),
        ("linkedin_url", "linkedin.com/in/ann"), ("company_domain", "https://www.Example.com/about"),
        ("company_domain", "not a domain"), ("company_domain", "HTTP://müller.de:8080?x=1"),
    ],
)  # fmt: skip
def test_a_fields_chosen_cleaner_cleans_a_trimmed_cell_as_clean_field_does(field, value):
    def outcome(clean):
        try:
            return clean()
        except FieldError as error:
            return ("error", error.field, error.message)

    assert outcome(lambda: field_cleaner(field)(value)) == outcome(lambda: clean_field(field, value))


def test_digits_of_other_scripts_are_stored_as_ascii_digits():
    assert clean_phone("٠٥٠١٢٣٤٥٦٧", country="AE") == ("+971501234567", "Asia/Dubai")
    assert clean_phone("+٩٧١٥٠١٢٣٤٥٦٧") == ("+971501234567", "Asia/Dubai")
