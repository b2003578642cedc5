"""The product's own clinic web app drivers, one folder each (found through the ``cita_bridge.drivers`` group)."""
