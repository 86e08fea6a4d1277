"""Optional TOTP: turned on per account, then required at login; turned off again."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from alerts import errors
from alerts.config import Settings
from alerts.db.database import Database
from alerts.staff import auth
from tests.support.app import PASSWORD, StaffFactory


async def test_totp_is_required_once_enabled_and_not_after_disabling(
    database: Database, settings: Settings, make_staff: StaffFactory
) -> None:
    staff = await make_staff()
    uri = await auth.set_totp(database, staff.username, issuer="Hotline")
    assert uri is not None and uri.startswith("otpauth://totp/Hotline:")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    with pytest.raises(errors.Unauthenticated):
        await auth.authenticate(database, settings, staff.username, PASSWORD, "", client="t")
    code = pyotp.TOTP(secret).now()
    assert (
        await auth.authenticate(database, settings, staff.username, PASSWORD, code, client="t")
    ).id == staff.id
    assert await auth.set_totp(database, staff.username, issuer="Hotline", enable=False) is None
    assert (
        await auth.authenticate(database, settings, staff.username, PASSWORD, client="t")
    ).id == staff.id
