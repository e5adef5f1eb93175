"""Printable reports: plain tables built from the services, written as CSV here and as PDF
by `cp2desk.ui.reports` (the one part that needs Qt)."""
