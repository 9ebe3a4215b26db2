"""The test run: the same settings, with plain HTTP, fast password hashing, in-memory mail and cache.

DATABASE_URL and REDIS_URL still choose SQLite or PostgreSQL, the in-process broker or Redis.
"""

import os

os.environ.setdefault("USE_HTTPS", "0")

from sdrcrm.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
CELERY_TASK_ALWAYS_EAGER = True  # integration tests with a real worker turn this off
PLANNER_ESTIMATE_CACHE_SECONDS = 0  # tests count their own rows; tests/core proves the cache
DASHBOARD_CACHE_SECONDS = 0  # each test sees the numbers of its own data; tests/metrics proves the cache
