"""Settings for the test suite: production settings with the test flag set first.

NVOS_TESTING lets the suite run without a SECRET_KEY and without collectstatic, while
everything else (DEBUG off, CSP, security headers) stays as in production.
"""

import os

os.environ.setdefault("NVOS_TESTING", "1")

from .settings import *  # noqa: E402,F403

# The test client and the live server speak plain HTTP; production's HTTPS redirect and
# Secure cookies are checked by `check --deploy` in tests/test_foundation.py instead.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
# Two-factor login is tested on its own (tests/test_security.py turns it on); other tests
# log in with force_login and would otherwise all have to pass a TOTP step.
NVOS_REQUIRE_2FA = False

# SQLite: a test database file instead of Django's shared-cache in-memory database. The
# live server answers the browser from several threads at once, and shared-cache memory
# databases lock whole tables without waiting ("database table is locked"); a file in WAL
# mode lets readers and the writer proceed, as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}  # noqa: F405
