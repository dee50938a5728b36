"""Blueprints, one per area; each view reads input, calls one service, then redirects or renders."""
