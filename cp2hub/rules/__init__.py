"""The rule for each table a device may change: role, scope, and how a change merges."""

from __future__ import annotations

from cp2hub.rules import application, attendance, movement, profile, redeploy, signoff

RULES = {
    "attendance": attendance.apply,
    "session_signoff": signoff.apply,
    "professional": profile.apply_professional,
    "work_experience": profile.apply_owned,
    "qualification": profile.apply_owned,
    "material_movement": movement.apply,
    "redeployment": redeploy.apply,
    "application": application.apply,
}

PREPARE = {"attendance": attendance.prepare}
"""Per table, a bulk lookup run once per batch before its changes are applied."""
