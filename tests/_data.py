"""Valid inputs shared by the tests."""

from __future__ import annotations

from typing import Any

from account_mgmt import ContactInformation

CONTACT = ContactInformation(
    full_name="Jane Doe",
    address_line1="1 Main St",
    city="Seattle",
    postal_code="98101",
    country_code="US",
    phone_number="+1 206 555 0100",
)
"""A primary contact with only the required members set."""

SECURITY_CONTACT: dict[str, Any] = {
    "alternate_contact_type": "SECURITY",
    "name": "Sec",
    "title": "CISO",
    "email_address": "sec@example.com",
    "phone_number": "+1 555 0100",
}
"""Keyword arguments for put_alternate_contact."""
