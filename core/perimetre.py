"""Périmètre d'un utilisateur : ce que ses mandats en cours lui ouvrent.

Un objet immuable calculé une fois par requête à partir des mandats valides (design §1, style §3).
Il distingue trois accès :
- ``donnees`` : réponses brutes d'une structure (la structure elle-même, les correspondants de son
  département, le préparateur désigné par un COPIL dont le territoire la contient) ;
- ``suivi`` : état d'avancement des structures (correspondants, et le national sur tout le pays) ;
- ``agregats`` : tableaux agrégés et protégés d'un territoire (COPIL, préparateur, correspondants,
  national ; les invités seulement ce que leur COPIL partage).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.roles import Niveau, Role
from core.territoires import CODE_NATION, departements, departements_de_region


@dataclass(frozen=True, slots=True)
class MandatActif:
    """Un mandat en cours de validité, réduit à ce qui compte pour les droits."""

    role: Role
    niveau: Niveau
    code: str  # "FR", code région, code département, ou identifiant de structure
    organisme: str = ""


def departements_couverts(niveau: Niveau, code: str) -> frozenset[str]:
    if niveau == Niveau.NATION:
        return frozenset(d.code for d in departements())
    if niveau == Niveau.REGION:
        return departements_de_region(code)
    if niveau == Niveau.DEPARTEMENT:
        return frozenset({code})
    return frozenset()


@dataclass(frozen=True, slots=True)
class Perimetre:
    mandats: tuple[MandatActif, ...] = ()
    roles: frozenset[Role] = frozenset()
    # Réponses brutes : structures en propre (identifiants) et départements entiers.
    structures_propres: frozenset[int] = frozenset()
    departements_donnees: frozenset[str] = frozenset()
    # Suivi de la collecte (états, relances) : départements.
    departements_suivi: frozenset[str] = frozenset()
    # Agrégats protégés : territoires ("FR", "R:84", "D:69").
    territoires_agregats: frozenset[str] = frozenset()
    est_national: bool = False
    est_admin: bool = False
    est_preparateur: bool = False
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def vide(cls) -> "Perimetre":
        return cls()

    @classmethod
    def depuis_mandats(cls, mandats: Iterable[MandatActif]) -> "Perimetre":
        mandats = tuple(mandats)
        structures: set[int] = set()
        dep_donnees: set[str] = set()
        dep_suivi: set[str] = set()
        agregats: set[str] = set()
        for m in mandats:
            deps = departements_couverts(m.niveau, m.code)
            cle = cle_territoire(m.niveau, m.code)
            if m.role == Role.STRUCTURE and m.niveau == Niveau.STRUCTURE:
                structures.add(int(m.code))
            elif m.role == Role.CORRESPONDANT:
                dep_donnees |= deps
                dep_suivi |= deps
                agregats.add(cle)
            elif m.role == Role.PREPARATEUR:
                dep_donnees |= deps
                agregats.add(cle)
            elif m.role == Role.COPIL:
                agregats.add(cle)
            elif m.role == Role.NATIONAL:
                dep_suivi |= deps
                agregats.add(CODE_NATION)
        roles = frozenset(m.role for m in mandats)
        return cls(
            mandats=mandats,
            roles=roles,
            structures_propres=frozenset(structures),
            departements_donnees=frozenset(dep_donnees),
            departements_suivi=frozenset(dep_suivi),
            territoires_agregats=frozenset(agregats),
            est_national=Role.NATIONAL in roles,
            est_admin=Role.ADMIN in roles,
            est_preparateur=Role.PREPARATEUR in roles,
        )

    @property
    def est_vide(self) -> bool:
        return not self.mandats

    def a_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    def peut_voir_donnees_structure(self, structure_id: int, departement: str) -> bool:
        return structure_id in self.structures_propres or departement in self.departements_donnees

    def peut_suivre_departement(self, departement: str) -> bool:
        return departement in self.departements_suivi

    def territoires_du_role(self, role: Role) -> tuple[MandatActif, ...]:
        return tuple(m for m in self.mandats if m.role == role)


def cle_territoire(niveau: Niveau, code: str) -> str:
    if niveau == Niveau.NATION:
        return CODE_NATION
    if niveau == Niveau.REGION:
        return f"R:{code}"
    if niveau == Niveau.DEPARTEMENT:
        return f"D:{code}"
    return f"S:{code}"
