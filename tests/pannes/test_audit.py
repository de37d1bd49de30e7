"""Piste d'audit : registre, réouvertures, comptes désactivés jamais supprimés, plaquettes publiées
jamais supprimées, pages /revue/ au journal des accès (issue 14, points 8 et 9)."""

from django.contrib.admin.sites import site
from django.test import RequestFactory

from senacs.comptes.models import Utilisateur
from senacs.exploitation.models import Evenement
from senacs.journal.models import AccesDonnees
from senacs.publications.models import Plaquette, Statut
from senacs.reponses.models import Reponse, ReponseHistorique, RevueSaisie
from senacs.structures.importation import registre_exporter, registre_importer
from senacs.structures.models import Structure
from tests.factories import CampagneFactory, UtilisateurFactory


def test_a_register_import_records_who_changed_what(structure_69, national, monkeypatch):
    from senacs.comptes.selectors import perimetre_de

    exporte = registre_exporter(structures=Structure.objects.filter(pk=structure_69.pk), format="csv")
    contenu = exporte.decode("utf-8-sig").replace("Centre social de la Croix-Rousse", "Centre social renommé")
    rapport = registre_importer(
        contenu=contenu.encode(),
        nom_fichier="registre.csv",
        perimetre=perimetre_de(national),
        simulation=False,
        par=national,
    )
    assert not rapport.a_erreurs, [e.message for e in rapport.erreurs]
    assert Structure.objects.get(pk=structure_69.pk).nom == "Centre social renommé"
    e = Evenement.objects.get(action="registre.modifier", objet=structure_69.identifiant)
    assert e.utilisateur == national and e.origine == "web"
    assert {"colonne": "nom", "avant": "Centre social de la Croix-Rousse", "apres": "Centre social renommé"} in [
        {k: c[k] for k in ("colonne", "avant", "apres")} for c in e.detail["changements"]
    ]


def _requete(utilisateur):
    requete = RequestFactory().get("/admin/")
    requete.user = utilisateur
    return requete


def test_a_user_with_history_cannot_be_deleted_in_the_admin_only_deactivated(usager_structure_69, db):
    admin_comptes = site._registry[Utilisateur]
    superutilisateur = UtilisateurFactory(is_staff=True, is_superuser=True)
    requete = _requete(superutilisateur)
    assert not admin_comptes.has_delete_permission(requete, usager_structure_69)  # il a un mandat
    assert "delete_selected" not in admin_comptes.get_actions(requete)
    sans_historique = UtilisateurFactory()
    assert admin_comptes.has_delete_permission(requete, sans_historique)

    admin_comptes.desactiver(requete, Utilisateur.objects.filter(pk=usager_structure_69.pk))
    usager_structure_69.refresh_from_db()
    assert usager_structure_69.is_active is False
    assert usager_structure_69.mandats.exists()
    e = Evenement.objects.get(action="compte.desactiver")
    assert e.utilisateur == superutilisateur and e.objet == usager_structure_69.email and e.origine == "admin"


def test_a_published_plaquette_cannot_be_deleted_in_the_admin(db):
    admin_plaquettes = site._registry[Plaquette]
    requete = _requete(UtilisateurFactory(is_staff=True, is_superuser=True))
    campagne = CampagneFactory(annee=2025)
    publiee = Plaquette.objects.create(campagne=campagne, cle="D:69", statut=Statut.PUBLIEE)
    brouillon = Plaquette.objects.create(campagne=campagne, cle="D:01")
    assert not admin_plaquettes.has_delete_permission(requete, publiee)
    assert admin_plaquettes.has_delete_permission(requete, brouillon)
    assert "delete_selected" not in admin_plaquettes.get_actions(requete)


def test_the_review_pages_are_in_the_structures_access_log(client, structure_69, correspondant_69):
    campagne = CampagneFactory(annee=2026, phase="saisie")
    reponse = Reponse.objects.create(campagne=campagne, structure=structure_69, valeurs={"E01": 3})
    h = ReponseHistorique.objects.create(reponse=reponse, code="E01", valeur=3, version=1, par=correspondant_69)
    revue = RevueSaisie.objects.create(reponse=reponse, code="E01", historique=h)
    client.force_login(correspondant_69)
    for adresse in (f"/revue/structures/{structure_69.pk}/", f"/revue/{revue.pk}/"):
        avant = AccesDonnees.objects.count()
        r = client.get(adresse + f"?campagne={campagne.annee}")
        assert r.status_code == 200, adresse
        assert AccesDonnees.objects.count() == avant + 1, adresse
        acces = AccesDonnees.objects.order_by("-pk").first()
        assert acces.utilisateur == correspondant_69
        assert list(acces.structures_consultees.values_list("structure_id", flat=True)) == [structure_69.pk]


def test_operator_exports_of_raw_answers_are_in_each_structures_access_log(tmp_path, structure_69, monkeypatch):
    from django.core.management import call_command

    from senacs.journal.models import Nature

    monkeypatch.setenv("SENACS_OPERATEUR", "Dominique Exploitante")
    campagne = CampagneFactory(annee=2026, phase="saisie")
    Reponse.objects.create(campagne=campagne, structure=structure_69, valeurs={"E01": 3})
    call_command("reponses", "export", "--campagne", "2026", str(tmp_path / "reponses.csv"))
    acces = AccesDonnees.objects.get()
    assert acces.nature == Nature.EXPORT_BRUT and "Dominique Exploitante" in acces.detail
    assert list(acces.structures_consultees.values_list("structure_id", flat=True)) == [structure_69.pk]
    assert (tmp_path / "reponses.csv").read_bytes().startswith(b"\xef\xbb\xbfstructure;")
