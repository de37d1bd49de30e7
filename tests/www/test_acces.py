"""Toutes les adresses du site × toutes les personas : la table ci-dessous dit, pour chaque adresse,
la capacité (core.capacites) qui en ouvre la porte — ou « public », ou « connecte » (connexion requise,
droits vérifiés objet par objet, 404 hors périmètre). Le test échoue quand une adresse manque à la table
(ou quand sa porte change), puis chaque persona visite chaque adresse : refusée (403) exactement quand la
capacité lui manque, renvoyée vers la connexion quand elle est anonyme."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import capacites
from senacs.comptes.selectors import perimetre_de
from tests.factories import MandatFactory

ACCES = {
    "accueil": "connecte",
    "comptes:connexion": "public",
    "comptes:deconnexion": "connecte",
    "comptes:charte": "connecte",
    "comptes:verifier": "connecte",
    "comptes:inscrire": "connecte",
    "comptes:compte": "connecte",
    "comptes:changer_mot_de_passe": "connecte",
    "comptes:mot_de_passe_oublie": "public",
    "comptes:mot_de_passe_envoye": "public",
    "comptes:nouveau_mot_de_passe": "public",
    "comptes:mandats": "gerer_des_mandats",
    "comptes:mandat_agir": "gerer_des_mandats",
    "comptes:inviter_structures": "saisir_pour_le_compte",
    "comptes:notifications": "connecte",
    "sante": "public",
    "annuaire:departements": "public",
    "annuaire:structure": "public",
    "annuaire:departement": "public",
    "campagnes:liste": "avoir_un_mandat",
    "campagnes:suivi": "suivre_la_collecte",
    "campagnes:detail": "avoir_un_mandat",
    "campagnes:changer_phase": "piloter_au_national",
    "campagnes:proroger": "proroger",
    "structures:liste": "voir_reponses_structures",
    "structures:detail": "connecte",
    "registre:importer": "gerer_le_registre",
    "registre:confirmer": "gerer_le_registre",
    "registre:exporter": "gerer_le_registre",
    "controles:tableau_de_bord": "suivre_la_collecte",
    "controles:exporter": "suivre_la_collecte",
    "controles:ma_reponse": "repondre_pour_sa_structure",
    "controles:relances": "controler",
    "controles:interpeller_en_masse": "controler",
    "controles:interpeller_anomalie": "controler",
    "controles:reponse": "controler",
    "controles:interpeller": "controler",
    "controles:valider": "controler",
    "controles:lancer": "controler",
    "controles:deverrouiller": "controler",
    "controles:interpellation": "suivre_une_interpellation",
    "controles:interpellation_agir": "suivre_une_interpellation",
    "saisie:sommaire": "saisir",
    "saisie:commencer": "saisir",
    "saisie:soumettre": "saisir",
    "saisie:rouvrir": "saisir",
    "saisie:depots": "saisir",
    "saisie:recu": "saisir",
    "saisie:recu_pdf": "saisir",
    "saisie:historique": "saisir",
    "saisie:restaurer": "saisir",
    "saisie:section": "saisir",
    "saisie:champ": "saisir",
    "saisie:resoudre": "saisir",
    "revue:index": "revoir_les_saisies",
    "revue:structure": "revoir_les_saisies",
    "revue:tout_accepter": "revoir_les_saisies",
    "revue:detail": "revoir_les_saisies",
    "revue:accepter": "revoir_les_saisies",
    "revue:contester": "revoir_les_saisies",
    "revue:repondre": "revoir_les_saisies",
    "revue:corriger": "revoir_les_saisies",
    "alertes:liste": "traiter_les_alertes",
    "alertes:signaler": "signaler_une_question",
    "alertes:faq": "avoir_un_mandat",
    "alertes:detail": "traiter_les_alertes",
    "alertes:repondre": "traiter_les_alertes",
    "alertes:transmettre": "traiter_les_alertes",
    "alertes:completer": "traiter_les_alertes",
    "alertes:publier": "traiter_les_alertes",
    "imports:reponses": "saisir_pour_le_compte",
    "imports:confirmer": "saisir_pour_le_compte",
    "imports:modele": "saisir_pour_le_compte",
    "tableaux:index": "voir_les_tableaux",
    "tableaux:ma_structure": "repondre_pour_sa_structure",
    "tableaux:fichier_automatise": "repondre_pour_sa_structure",
    "tableaux:tableaux": "voir_des_agregats",
    "tableaux:telecharger": "voir_des_agregats",
    "tableaux:reponses_brutes": "preparer",
    "copil:index": "avoir_un_mandat",
    "copil:detail": "avoir_un_mandat",
    "copil:membre_ajouter": "avoir_un_mandat",
    "copil:membre_retirer": "avoir_un_mandat",
    "copil:invite_ajouter": "avoir_un_mandat",
    "copil:invite_inviter": "inviter_au_copil",
    "copil:invite_retirer": "avoir_un_mandat",
    "copil:designation_proposer": "avoir_un_mandat",
    "copil:designation_approuver": "avoir_un_mandat",
    "copil:designation_retirer": "avoir_un_mandat",
    "copil:partage_ajouter": "avoir_un_mandat",
    "copil:partage_detail": "avoir_un_mandat",
    "copil:partage_telecharger": "avoir_un_mandat",
    "copil:partage_retirer": "avoir_un_mandat",
    "journal:recherche": "rechercher_dans_le_journal",
    "journal:ma_structure": "consulter_le_journal_de_sa_structure",
    "publications:index": "avoir_un_mandat",
    "publications:publiques": "public",
    "publications:publique_html": "public",
    "publications:publique_pdf": "public",
    "publications:depuis_partage": "avoir_un_mandat",
    "publications:gabarit": "piloter_au_national",
    "publications:lots": "piloter_au_national",
    "publications:lot_progression": "piloter_au_national",
    "publications:lot_fichier": "piloter_au_national",
    "publications:detail": "avoir_un_mandat",
    "publications:enregistrer": "avoir_un_mandat",
    "publications:apercu": "avoir_un_mandat",
    "publications:soumettre": "avoir_un_mandat",
    "publications:approuver": "avoir_un_mandat",
    "publications:refuser": "avoir_un_mandat",
    "publications:publier": "avoir_un_mandat",
    "publications:embargo": "avoir_un_mandat",
    "publications:partager": "avoir_un_mandat",
    "publications:projet_pdf": "avoir_un_mandat",
    "publications:projet_html": "avoir_un_mandat",
    "analyses:index": "voir_des_agregats",
    "analyses:exporter": "voir_des_agregats",
    "analyses:enregistrer": "voir_des_agregats",
    "analyses:liste": "ouvrir_les_analyses",
    "analyses:detail": "ouvrir_les_analyses",
    "analyses:exporter_enregistree": "ouvrir_les_analyses",
    "analyses:partager": "voir_des_agregats",
    "tendances:index": "voir_des_agregats",
    "tendances:carte": "voir_des_agregats",
}

PERSONAS = [
    "usager_structure_69",
    "correspondant_69",
    "correspondant_region_84",
    "copil_69",
    "preparateur_69",
    "invite_69",
    "national",
    "administrateur",
    "national_preparateur",
    "sans_mandat",
]

EXEMPLES = {
    "annee": 2025,
    "territoire": "D69",
    "format": "csv",
    "format_": "csv",
    "code": "A01",
    "section": "A",
    "bloc": "edito",
    "action": "clore",
    "uidb64": "MQ",
    "token": "jeton",
}


@pytest.fixture
def administrateur(db):
    return MandatFactory(role="admin", niveau="nation", departement=None, organisme="national").utilisateur


@pytest.fixture
def national_preparateur(national):
    MandatFactory(utilisateur=national, role="preparateur", niveau="departement")
    return national


def adresses():
    """(nom, porte, motif) de chaque adresse routée hors administration Django."""

    def parcourir(resolveur, espace=""):
        for motif in resolveur.url_patterns:
            if isinstance(motif, URLResolver):
                if str(motif.pattern).startswith("admin/"):
                    continue
                yield from parcourir(motif, motif.namespace or espace)
            elif isinstance(motif, URLPattern):
                nom = f"{espace}:{motif.name}" if espace else motif.name
                porte = getattr(motif.callback, "capacite", None)
                yield nom, porte, motif

    return list(parcourir(get_resolver()))


def url_exemple(nom, motif) -> str:
    arguments = {}
    for cle, convertisseur in motif.pattern.converters.items():
        arguments[cle] = EXEMPLES.get(cle, 999_999 if type(convertisseur).__name__ == "IntConverter" else "x")
    return reverse(nom, kwargs=arguments)


def test_every_routed_address_is_in_the_access_table_with_its_gate():
    routees = {nom: (porte.__name__ if porte else None) for nom, porte, _ in adresses()}
    manquantes = sorted(set(routees) - set(ACCES))
    assert manquantes == [], f"Adresses absentes de la table des accès : {manquantes}"
    assert sorted(set(ACCES) - set(routees)) == []
    for nom, attendu in ACCES.items():
        if attendu in ("public", "connecte"):
            assert routees[nom] is None, nom
        else:
            assert attendu in capacites.CAPACITES, nom
            assert routees[nom] == attendu, f"{nom} : porte {routees[nom]}, la table dit {attendu}"


def test_anonymous_visitors_are_sent_to_the_login_page_except_on_public_pages(client):
    for nom, _, motif in adresses():
        reponse = client.get(url_exemple(nom, motif))
        vers_connexion = reponse.status_code == 302 and reponse["Location"].startswith(reverse("comptes:connexion"))
        if ACCES[nom] == "public":
            assert not vers_connexion, nom
        else:
            assert vers_connexion or reponse.status_code == 405, f"{nom} : {reponse.status_code}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_is_refused_exactly_where_its_capabilities_stop(client, request, persona):
    utilisateur = request.getfixturevalue(persona)
    perimetre = perimetre_de(utilisateur)
    client.force_login(utilisateur)
    for nom, _, motif in adresses():
        porte = ACCES[nom]
        if porte in ("public", "connecte"):
            continue
        statut = client.get(url_exemple(nom, motif)).status_code
        if capacites.CAPACITES[porte](perimetre):
            assert statut not in (403, 500), f"{persona} sur {nom} : {statut}"
        else:
            assert statut in (403, 405), f"{persona} sur {nom} : {statut} (capacité {porte} absente)"
