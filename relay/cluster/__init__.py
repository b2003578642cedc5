"""Several relay instances sharing their state through Redis (docs/run-several-relays.md).

- ``store``: clinics, Kommo tokens, live conversations and repeat-detection keys (``RedisStore``), and the
  `cita-relay` commands' side of it (``RedisClinicAdmin``).
- ``agents``: which instance holds each clinic's agent, and requests forwarded to it over pub/sub.
- ``leases``: short Redis locks (a lead's turn, a clinic's OAuth refresh) that a dead holder cannot keep.
- ``budget``: Kommo's 7 requests/s per account, counted across every instance.
- ``deployment``: all of the above for one relay instance, started and stopped with it.
"""
