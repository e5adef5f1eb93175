"""Qt item models over plain rows from the services; no widget per row anywhere."""
