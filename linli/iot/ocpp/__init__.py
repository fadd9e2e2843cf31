"""The OCPP 1.6J central system for car chargers (PARK-3): `linli ocpp`."""
