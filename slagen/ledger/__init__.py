"""The ledger: evaluations and claims kept in SQLite or PostgreSQL (SQLAlchemy Core,
Alembic migrations), rolling caps from history, the annual ROI view.

    from slagen.ledger import Ledger, PolicyIdentity, annual_view
    with Ledger.open("ledger.sqlite") as ledger:          # or "postgresql://user@host/db"
        outcome = ledger.record(evaluation, PolicyIdentity(policy.agreement.id, policy.agreement.version, sha256))
        for claim in ledger.claims():
            ...
        roi = annual_view(ledger, 2026)

Nothing in the engine imports this package.
"""

from slagen.ledger.connect import ENV_VAR, HEAD, LedgerError
from slagen.ledger.roi import Figure, Roi, VendorYear, annual_view
from slagen.ledger.store import Claim, Ledger, PolicyIdentity, Recorded, figures_sha256

__all__ = ["ENV_VAR", "HEAD", "Claim", "Figure", "Ledger", "LedgerError", "PolicyIdentity", "Recorded", "Roi", "VendorYear", "annual_view", "figures_sha256"]
