"""Capacités : ce qu'une personne peut faire, calculé une seule fois ici à partir de ses mandats.

Chaque capacité est une fonction nommée du périmètre (``core.perimetre.Perimetre``, lui-même calculé
des mandats en cours). Les vues, services, exports et commandes les appellent au lieu de recomposer
leurs propres conditions ; ``CAPACITES`` les énumère pour la matrice testée
(``tests/core/test_capacites.py``) et la page « Mon compte ».

Deux sortes de réponses :
- un ensemble (départements, territoires) quand la capacité est limitée à un territoire ;
- un booléen sinon (``bool`` de l'ensemble pour une porte de vue).

Règle de sûreté : une capacité qui ouvre des réponses brutes ne se déduit jamais d'un mandat qui
n'en ouvre pas (le national suit tout le pays mais ne voit aucune réponse : un national qui est aussi
préparateur d'un département n'en devient pas correspondant).
"""

from collections.abc import Callable

from core.perimetre import Perimetre, cle_territoire, departements_couverts
from core.roles import Role

# --------------------------------------------------------------------------- territoires


def avoir_un_mandat(p: Perimetre) -> bool:
    """Au moins un mandat en cours (pages communes : campagnes, plaquettes du territoire…)."""
    return not p.est_vide


def departements_correspondant(p: Perimetre) -> frozenset[str]:
    """Départements où la personne est correspondante (Caf ou fédération) : contrôle, saisie pour le
    compte des structures, imports, revue. Seuls les mandats de correspondant comptent."""
    codes: set[str] = set()
    for mandat in p.territoires_du_role(Role.CORRESPONDANT):
        codes |= departements_couverts(mandat.niveau, mandat.code)
    return frozenset(codes)


def departements_controle(p: Perimetre) -> frozenset[str]:
    """Départements dont la personne contrôle les réponses (anomalies, interpellations, validation)."""
    return departements_correspondant(p) & p.departements_donnees


# --------------------------------------------------------------------------- réponses brutes


def voir_reponses_structures(p: Perimetre) -> bool:
    """Voir les réponses brutes de structures (les siennes, ou celles d'un département)."""
    return bool(p.structures_propres or p.departements_donnees)


def repondre_pour_sa_structure(p: Perimetre) -> bool:
    return bool(p.structures_propres)


def saisir_pour_le_compte(p: Perimetre) -> bool:
    """Saisir ou importer des réponses pour le compte des structures (correspondants)."""
    return bool(departements_correspondant(p))


def saisir(p: Perimetre) -> bool:
    """Ouvrir le questionnaire d'une structure (la sienne, ou pour le compte)."""
    return repondre_pour_sa_structure(p) or saisir_pour_le_compte(p)


def controler(p: Perimetre) -> bool:
    """Contrôler et valider les réponses d'un département."""
    return bool(departements_controle(p))


def suivre_une_interpellation(p: Perimetre) -> bool:
    """Interpellations : la structure interpellée ou son contrôleur."""
    return repondre_pour_sa_structure(p) or controler(p)


def revoir_les_saisies(p: Perimetre) -> bool:
    """Revue des valeurs saisies pour le compte d'une structure (la structure ou son correspondant)."""
    return repondre_pour_sa_structure(p) or saisir_pour_le_compte(p)


def preparer(p: Perimetre) -> bool:
    """Préparer les données d'un COPIL : réponses brutes du territoire désigné (export)."""
    return p.est_preparateur


def ouvre_des_reponses_brutes(p: Perimetre) -> bool:
    """La personne peut-elle lire une réponse brute ? (second facteur exigé, mandats sensibles)."""
    return voir_reponses_structures(p) or preparer(p)


# --------------------------------------------------------------------------- suivi et agrégats


def suivre_la_collecte(p: Perimetre) -> bool:
    """États d'avancement, relances, listes de suivi (correspondants, national)."""
    return bool(p.departements_suivi)


def proroger(p: Perimetre) -> bool:
    return suivre_la_collecte(p)


def voir_des_agregats(p: Perimetre) -> bool:
    """Tableaux agrégés protégés d'un territoire (COPIL, préparateur, correspondants, national)."""
    return bool(p.territoires_agregats)


def voir_les_tableaux(p: Perimetre) -> bool:
    return voir_des_agregats(p) or preparer(p)


def ouvrir_les_analyses(p: Perimetre) -> bool:
    """Analyses : celles de son territoire, ou celles qu'un COPIL partage à ses invités."""
    return voir_des_agregats(p) or p.a_role(Role.INVITE)


def signaler_une_question(p: Perimetre) -> bool:
    return repondre_pour_sa_structure(p)


def traiter_les_alertes(p: Perimetre) -> bool:
    return repondre_pour_sa_structure(p) or saisir_pour_le_compte(p) or piloter_au_national(p)


def consulter_le_journal_de_sa_structure(p: Perimetre) -> bool:
    return repondre_pour_sa_structure(p)


# --------------------------------------------------------------------------- pilotage et administration


def piloter_au_national(p: Perimetre) -> bool:
    """Comité technique national : campagnes, gabarit et publication des plaquettes, mandats des
    correspondants."""
    return p.est_national


def administrer(p: Perimetre) -> bool:
    return p.est_admin


def gerer_le_registre(p: Perimetre) -> bool:
    return suivre_la_collecte(p) or administrer(p)


def rechercher_dans_le_journal(p: Perimetre) -> bool:
    return piloter_au_national(p) or administrer(p)


def gerer_des_mandats(p: Perimetre) -> bool:
    """Accorder des mandats : le national (correspondants), les correspondants (comptes de leurs
    structures), les membres de COPIL (leurs invités)."""
    return piloter_au_national(p) or saisir_pour_le_compte(p) or p.a_role(Role.COPIL)


def inviter_au_copil(p: Perimetre) -> frozenset[str]:
    """Comités (clés de territoire ``FR``, ``R:84``, ``D:69``) dont la personne est membre : elle y invite
    ses invités par courriel. Ni le national, ni un préparateur, ni un invité n'y invitent à ce titre."""
    return frozenset(cle_territoire(m.niveau, m.code) for m in p.territoires_du_role(Role.COPIL))


def exige_un_second_facteur(p: Perimetre) -> bool:
    """Second facteur obligatoire : réponses brutes d'autres structures (correspondants, préparateurs),
    national, administration. Une structure qui ne voit que ses propres réponses n'y est pas tenue."""
    return bool(p.departements_donnees) or preparer(p) or piloter_au_national(p) or administrer(p)


CAPACITES: dict[str, Callable[[Perimetre], object]] = {
    f.__name__: f
    for f in (
        avoir_un_mandat,
        voir_reponses_structures,
        repondre_pour_sa_structure,
        saisir_pour_le_compte,
        saisir,
        controler,
        suivre_une_interpellation,
        revoir_les_saisies,
        preparer,
        ouvre_des_reponses_brutes,
        suivre_la_collecte,
        proroger,
        voir_des_agregats,
        voir_les_tableaux,
        ouvrir_les_analyses,
        signaler_une_question,
        traiter_les_alertes,
        consulter_le_journal_de_sa_structure,
        piloter_au_national,
        administrer,
        gerer_le_registre,
        rechercher_dans_le_journal,
        gerer_des_mandats,
        inviter_au_copil,
        exige_un_second_facteur,
    )
}


def capacites(p: Perimetre) -> frozenset[str]:
    """Noms des capacités que le périmètre ouvre."""
    return frozenset(nom for nom, f in CAPACITES.items() if f(p))
