"""The demo accounts every seeded hub has: one known phone per role, one password.

Constants only (no database imports), so the desktop's `cp2desk demo --role ROLE`
can look up which phone to sign in with.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo1234"

DEMO_ACCOUNTS: dict[str, str] = {
    "centre_manager": "254711000001",
    "tsc_director": "254711000002",
    "scde": "254711000003",
    "knec_clerk": "254711000004",
    "admin": "254711000005",
    "professional": "254711000006",
}
"""Role -> phone. Scopes: the centre manager's grant is one exam centre of the demo
sub-county (and they are its deployed centre manager); the TSC director and the SCDE
hold that sub-county; the clerk holds its distribution centre (and is deployed there);
the professional is an invigilator deployed at the demo centre with an open application.
Every account also holds the 'professional' role."""

SECOND_ADMIN = "254711000007"
"""A second KNEC administrator, so the back office's maker-checker can be shown: one
administrator prepares a payment batch, the other approves it."""
