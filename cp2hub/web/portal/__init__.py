"""The CP2 portal: the professionals' journeys of KNEC's CP2 website, as pages served by
the hub, for a phone's browser (and any other).

Sign in is the web stack's (`cp2hub.web.sign_in`); here: Create an account and Forgot
password (`accounts`), Home (`home`), Profile (`profile`), Jobs and My applications
(`jobs`), My deployments and My claim (`records`).
"""

from __future__ import annotations

from cp2hub.web.portal import accounts, home, jobs, profile, records

ROUTERS = (accounts.router, home.router, profile.router, jobs.router, records.router)
