"""Open311 GeoReport v2 (WO-7) at /open311/v2/: services, requests and tokens in JSON and XML
(docs/open311.md). Plain Django views, apart from the ninja API."""
