"""CP2 Desk: offline-first field software for KNEC's Contracted Professionals System."""

__version__ = "0.1.0"
