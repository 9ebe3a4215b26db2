"""The field cleaners' fast paths agree with the full validators and parsers they stand in front of."""

import phonenumbers
from celery.signals import worker_init, worker_process_init
from phonenumbers import PhoneMetadata

from leads.normalise import preload_phone_metadata
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
