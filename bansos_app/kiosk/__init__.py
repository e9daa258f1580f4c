"""The kiosk and public pages."""
