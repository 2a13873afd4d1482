"""The demo city, its simulated software and the simulator serving it.

The constants here are read by the command line's option defaults, so this module imports
nothing.
"""

DEMO_YEAR = 2025
"""The year the demo city's logs cover."""

DEMO_TOKEN = "demo-token"
"""The bearer token the simulator asks for by default."""
