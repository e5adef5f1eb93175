"""KNEC's back office: the console of the hub's web pages, for administrators only.

Vacancies (make, open, close; applicants with what blocks their payment; select into
deployments and tell them by SMS), devices (list, revoke), claims (compute; totals by
county and sub-county; blocked claims by reason with the officer's contact), payments
(batches prepared by one administrator, approved by another, run; bank files) and the
payments' audit log. Each page is a thin view over the same hub functions as the API
and `cp2hub`'s commands (`cp2hub.applications`, `cp2hub.devices`, `cp2hub.claims`,
`cp2hub.payments`): a rule lives there, never here.
"""

from __future__ import annotations

from cp2hub.web.console import claims, devices, payments, vacancies
from cp2hub.web.sign_in import HOMES

HOME = "/console"
HOMES.setdefault("admin", HOME)
ROUTERS = (vacancies.router, devices.router, claims.router, payments.router)
