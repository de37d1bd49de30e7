"""Durcissement (issue 12) : administration sans contournement, journal qui nomme le mandat,
Cache-Control, dates de la barre d'adresse."""

import datetime

import pytest
from django.urls import reverse

from senacs.comptes.models import Mandat
from senacs.comptes.selectors import perimetre_de
from senacs.comptes.services import mandat_approuver
from senacs.journal.models import AccesDonnees, Nature
from senacs.journal.services import journaliser_acces
from senacs.publications.models import Plaquette, Statut
from senacs.territoires.models import Caf
from tests.controles.fabriques import campagne_controle, reponse_deposee
from tests.factories import CampagneFactory, MandatFactory, UtilisateurFactory

MOT_DE_PASSE = "motdepasse-de-test"


@pytest.fixture
def superutilisateur(db):
    utilisateur = UtilisateurFactory(is_staff=True, is_superuser=True, charte=True)
    MandatFactory(utilisateur=utilisateur, role="admin", niveau="nation", departement=None, organisme="national")
    return utilisateur


def donnees_mandat(utilisateur, **autres):
    return {
        "utilisateur": utilisateur.pk,
        "role": "correspondant",
        "niveau": "nation",
        "organisme": "national",
        "date_debut": "01/01/2025",
        **autres,
    }


# --- L'administration ne contourne ni les mandats ni le circuit des plaquettes ---


def test_the_admin_cannot_grant_itself_a_mandate(client, superutilisateur):
    client.force_login(superutilisateur)
    avant = Mandat.objects.count()
    reponse = client.post(reverse("admin:comptes_mandat_add"), donnees_mandat(superutilisateur))
    assert reponse.status_code == 200
    assert "Personne ne s&#x27;accorde un mandat à soi-même" in reponse.content.decode()
    assert Mandat.objects.count() == avant


def test_the_admin_cannot_edit_its_own_mandates(client, superutilisateur):
    client.force_login(superutilisateur)
    propre = superutilisateur.mandats.get()
    url = reverse("admin:comptes_mandat_change", args=[propre.pk])
    reponse = client.post(url, donnees_mandat(superutilisateur, role="correspondant"))
    assert reponse.status_code == 403
    propre.refresh_from_db()
    assert propre.role == "admin"
    page = client.get(reverse("admin:comptes_utilisateur_change", args=[superutilisateur.pk]))
    assert page.status_code == 200
    (inline,) = [f for f in page.context["inline_admin_formsets"] if f.formset.model is Mandat]
    assert not inline.has_add_permission and not inline.has_change_permission


def test_a_mandate_granted_in_the_admin_names_who_granted_it_in_the_access_log(client, superutilisateur, structure_69):
    personne = UtilisateurFactory(prenom="Paul", nom="Durand", charte=True)
    client.force_login(superutilisateur)
    reponse = client.post(
        reverse("admin:comptes_mandat_add"),
        donnees_mandat(
            personne, niveau="departement", departement="69", organisme="caf", caf=Caf.objects.get(departement="69").pk
        ),
    )
    assert reponse.status_code == 302
    mandat = personne.mandats.get()
    assert mandat.accorde_par == superutilisateur
    # Ouvre les réponses d'autres structures : en attente d'un membre du national, même créé ici.
    assert mandat.en_attente and perimetre_de(personne).est_vide
    national = MandatFactory(role="national", niveau="nation", departement=None, organisme="national").utilisateur
    mandat_approuver(mandat=mandat, par=national, perimetre=perimetre_de(national))

    acces = journaliser_acces(personne, structures=[structure_69], nature=Nature.FICHE)

    assert acces.mandat == mandat
    nom_admin = superutilisateur.nom_complet or superutilisateur.email
    assert acces.mandat_detail == f"mandat n° {mandat.pk} du 01/01/2025, accordé par {nom_admin}"
    assert acces.qui.startswith("Paul Durand <")


def test_the_structure_access_log_shows_the_mandate(client, usager_structure_69, correspondant_69, structure_69):
    mandat = correspondant_69.mandats.get()
    journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.FICHE)
    client.force_login(usager_structure_69)
    page = client.get(reverse("journal:ma_structure")).content.decode()
    assert f"mandat n° {mandat.pk} du 01/01/2020" in page


def test_the_admin_cannot_change_a_plaquette_status(client, superutilisateur):
    plaquette = Plaquette.objects.create(campagne=CampagneFactory(annee=2025), cle="D:69", libelle="Rhône")
    client.force_login(superutilisateur)
    url = reverse("admin:publications_plaquette_change", args=[plaquette.pk])
    reponse = client.post(url, {"campagne": plaquette.campagne_id, "cle": "D:69", "statut": Statut.PUBLIEE})
    assert reponse.status_code == 403
    plaquette.refresh_from_db()
    assert plaquette.statut == Statut.BROUILLON
    assert client.get(reverse("admin:publications_plaquette_add")).status_code == 403


# --- Cache-Control ---


def test_raw_data_pages_and_exports_are_never_stored(client, correspondant_69, structure_69):
    campagne = campagne_controle(2025)
    reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    client.force_login(correspondant_69)
    for url in (
        reverse("structures:detail", args=[structure_69.pk]),
        reverse("controles:tableau_de_bord", args=[2025]),
        reverse("controles:exporter", args=[2025, "csv"]),
        reverse("registre:exporter", args=["xlsx"]),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        assert "no-store" in reponse["Cache-Control"], url


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    reponse = client.get(reverse("annuaire:departements"))
    assert reponse.status_code == 200
    assert "no-store" not in reponse.get("Cache-Control", "")


# --- Dates de la barre d'adresse ---


@pytest.mark.parametrize("du", ["01/01/0001", "31/12/9999", "0001-01-01", "32/13/2025", "29/02/2023", "x" * 300])
def test_no_bad_date_in_the_query_string_answers_500(client, national, du):
    client.force_login(national)
    reponse = client.get(reverse("journal:recherche"), {"du": du, "au": "31/12/9999"})
    assert reponse.status_code == 200
    assert reponse.context["form"].errors


def test_a_sensible_period_still_filters_the_log(client, national, correspondant_69, structure_69):
    journaliser_acces(correspondant_69, structures=[structure_69], nature=Nature.FICHE)
    client.force_login(national)
    aujourd_hui = datetime.date.today().strftime("%d/%m/%Y")
    reponse = client.get(reverse("journal:recherche"), {"du": aujourd_hui, "au": aujourd_hui})
    assert not reponse.context["form"].errors
    assert len(reponse.context["lignes"]) == AccesDonnees.objects.count() == 1


def test_turning_a_mandate_into_a_raw_data_one_in_the_admin_needs_an_approval(client, superutilisateur, copil_69):
    mandat = copil_69.mandats.get()
    client.force_login(superutilisateur)
    donnees = donnees_mandat(
        copil_69, niveau="departement", departement="69", organisme="caf", caf=Caf.objects.get(departement="69").pk
    )
    donnees["date_debut"] = "01/01/2020"
    assert client.post(reverse("admin:comptes_mandat_change", args=[mandat.pk]), donnees).status_code == 302
    mandat.refresh_from_db()
    assert mandat.role == "correspondant" and mandat.en_attente
    assert not perimetre_de(copil_69).departements_donnees
