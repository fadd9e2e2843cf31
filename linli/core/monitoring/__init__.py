"""Operations' view of a running installation: Prometheus metrics (`/metrics`), JSON logs with
request ids, and the dependency checks of `/api/v1/health` (docs/operations.md, "Monitoring")."""
