"""The door decision, in one place (docs/decisions/0003-decision-fast-path.md).

- `edge.decide(terminal, data)`: the one entry for every credential kind (card, room + PIN, QR
  pass or resident code, face); checks the input against the terminal and shapes the answer.
  The Ninja route POST /api/v1/access/decide and the ASGI fast path both call it.
- `asgi`: the fast path, a thin ASGI adapter in front of Django for that one route.
- `grants`: which grants reach a point and what they say now (read-only, shared by the decision,
  faces, vehicles and the snapshot).
- `sql`: the hand-written SQL of the hot path (terminal, credential, grants, pass use, event).
- `snapshot`: what a terminal needs to decide offline, signed.

The decision itself writes (events, security events, a pass's use count), so it stays a service,
`linli.access.services.decisions.do_decide`, like every write of the project; this package holds
what feeds it and what serves it. Nothing here is imported at package import time, so that
`services` can use `sql` without a cycle.
"""
