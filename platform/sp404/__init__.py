"""SP-404 Sample Cloud's shared packages, under one name that no dependency ships.

Layers, lowest first (tests/test_architecture.py holds the contract): `core`; `observability`,
`resilience`; `jobs`, `tokens`, `storage`; `http`; the domains `accounts`, then `billing`; the
services (`control_plane`, with `analysis_engine` and `gateway` beside this package); `cli`.
"""
