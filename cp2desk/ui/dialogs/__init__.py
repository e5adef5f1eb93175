"""Dialogs that collect one thing (an entry of the profile) and stay open until it is saved."""
