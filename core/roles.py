"""Rôles de la plateforme (design §1) et organismes mandants."""

from enum import StrEnum


class Role(StrEnum):
    STRUCTURE = "structure"
    CORRESPONDANT = "correspondant"
    COPIL = "copil"
    PREPARATEUR = "preparateur"
    INVITE = "invite"
    NATIONAL = "national"
    ADMIN = "admin"


LIBELLES_ROLES = {
    Role.STRUCTURE: "Structure (centre social ou EVS)",
    Role.CORRESPONDANT: "Correspondant SENACS",
    Role.COPIL: "Membre du comité de pilotage",
    Role.PREPARATEUR: "Préparateur des données du COPIL",
    Role.INVITE: "Invité du comité de pilotage",
    Role.NATIONAL: "Comité technique national",
    Role.ADMIN: "Administrateur de la plateforme",
}


class Organisme(StrEnum):
    CAF = "caf"
    FEDERATION = "federation"
    NATIONAL = "national"
    STRUCTURE = "structure"


LIBELLES_ORGANISMES = {
    Organisme.CAF: "Caf",
    Organisme.FEDERATION: "Fédération des centres sociaux",
    Organisme.NATIONAL: "Comité technique national (Cnaf + FCSF)",
    Organisme.STRUCTURE: "La structure elle-même",
}


class Niveau(StrEnum):
    NATION = "nation"
    REGION = "region"
    DEPARTEMENT = "departement"
    STRUCTURE = "structure"
