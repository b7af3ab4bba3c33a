"""Match incident component names to the policy's services and components.

Incident data names components its own way ("Git Operations", "api", "svc/api"); the
policy lists ids, display names and aliases. Matching is case-insensitive and exact:
an unmatched name is reported in the trace, never guessed.
"""

from __future__ import annotations

from slagen.policy.model import Policy


class ScopeIndex:
    def __init__(self, policy: Policy):
        self.lookup: dict[str, tuple[str, ...]] = {}
        for service in policy.services:
            refs = tuple(f"{service.id}/{c.id}" for c in service.components) or (service.id,)
            for key in (service.id, service.name):
                self.lookup.setdefault(key.lower(), refs)
            for comp in service.components:
                ref = (f"{service.id}/{comp.id}",)
                for key in (ref[0], comp.id, comp.name, *comp.aliases):
                    self.lookup.setdefault(key.lower(), ref)

    def resolve(self, name: str) -> tuple[str, ...]:
        """Policy refs ('svc/comp') a data name stands for; () when unknown."""
        return self.lookup.get(name.strip().lower(), ())

    @staticmethod
    def in_scope(ref: str, scope: tuple[str, ...]) -> bool:
        if not scope:
            return True
        return ref in scope or ref.split("/", 1)[0] in scope
