import csv
import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from senacs.controles.models import (
    EtatInterpellation,
    EvenementValidation,
    Interpellation,
    NatureRelance,
    Relance,
    Signalement,
    StatutSignalement,
)
from senacs.controles.services import (
    ErreurControle,
    codes_modifiables_en_controle,
    controle_lancer,
    controles_apres_depot,
    departements_du_territoire,
    interpellation_annuler,
    interpellation_corriger,
    interpellation_justifier,
    interpellation_ouvrir,
    interpellation_resoudre,
    interpellation_rouvrir,
    interpellations_ouvrir_en_masse,
    relances_apercu,
    relances_envoyer,
    reponse_deverrouiller,
    reponse_valider,
    reponse_verrouillee,
)
from senacs.reponses.models import Reponse, ReponseHistorique
from tests.controles.fabriques import campagne_controle, reponse_deposee
from tests.factories import MandatFactory, StructureFactory


@pytest.fixture
def campagne(db):
    return campagne_controle()


def echeance():
    return timezone.localdate() + datetime.timedelta(days=10)


def codes(reponse, present=True):
    return sorted(Signalement.objects.filter(reponse=reponse, present=present).values_list("code", flat=True))


# --- Contrôle en lot ---


def test_it_stores_rule_and_detector_anomalies_of_submitted_responses_only(campagne, structure_69):
    propre = reponse_deposee(campagne, structure_69)
    fausse = reponse_deposee(campagne, StructureFactory(), E01=3, E02=9.0)
    brouillon = reponse_deposee(campagne, StructureFactory(), statut="brouillon", E01=3, E02=9.0)

    rapport = controle_lancer(campagne=campagne)

    assert rapport.reponses == 2
    assert codes(propre) == []
    assert "R01" in codes(fausse)
    assert codes(brouillon) == []
    r01 = Signalement.objects.get(reponse=fausse, code="R01")
    assert r01.gravite == "bloquant" and r01.questions == ["E01", "E02"] and r01.source == "regle"
    assert r01.message == (
        "Le nombre d'ETP (E02 = 9) dépasse le nombre de salariés (E01 = 3) : un salarié compte au plus pour 1 ETP."
    )
    assert r01.statut == StatutSignalement.OUVERTE and r01.present
    assert rapport.par_gravite["bloquant"] >= 1 and rapport.par_code["R01"] == 1


def test_it_flags_a_budget_typed_in_thousands_with_the_figures(campagne, structure_69):
    reponse = reponse_deposee(campagne, structure_69)
    valeurs = dict(reponse.valeurs)
    for code in [c for c in valeurs if c.startswith("F") and isinstance(valeurs[c], int | float)]:
        valeurs[code] = round(valeurs[code] / 1000, 1)
    Reponse.objects.filter(pk=reponse.pk).update(valeurs=valeurs)

    controle_lancer(campagne=campagne)

    unite = Signalement.objects.get(reponse=reponse, code="D-UNITE", questions=["F04"])
    assert unite.source == "detecteur" and unite.gravite == "avertissement"
    assert (
        "l'an dernier (÷ 1\u00a0000 environ) : le montant a sans doute été saisi en milliers d'euros" in unite.message
    )
    assert unite.details["facteur"] == 1000 and unite.details["reference"] == "an_dernier"
    # Les lignes de financement du même facteur sont nommées dans la même anomalie, pas répétées.
    assert not Signalement.objects.filter(reponse=reponse, code="D-UNITE", questions=["F11"]).exists()
    assert "F11" in unite.details["memes_ecarts"]


def test_it_is_idempotent_and_marks_disappeared_anomalies_corrected_then_reopens_them(campagne, structure_69):
    reponse = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    controle_lancer(campagne=campagne)
    avant = list(Signalement.objects.filter(reponse=reponse).values_list("pk", "signature", "premiere_detection"))

    plus_tard = timezone.now() + datetime.timedelta(hours=1)
    rapport = controle_lancer(campagne=campagne, maintenant=plus_tard)
    apres = list(Signalement.objects.filter(reponse=reponse).values_list("pk", "signature", "premiere_detection"))
    assert apres == avant
    assert rapport.creees == 0 and rapport.corrigees == 0 and rapport.mises_a_jour == len(avant)
    assert set(Signalement.objects.filter(reponse=reponse).values_list("derniere_detection", flat=True)) == {plus_tard}

    propre = dict(reponse.valeurs) | {"E01": 15, "E02": 9.0, "E03": 10, "E04": 5}
    Reponse.objects.filter(pk=reponse.pk).update(valeurs=propre)
    rapport = controle_lancer(campagne=campagne)
    r01 = Signalement.objects.get(reponse=reponse, code="R01")
    assert not r01.present and r01.statut == StatutSignalement.CORRIGEE and r01.resolu_le is not None
    assert rapport.corrigees >= 1

    Reponse.objects.filter(pk=reponse.pk).update(valeurs=reponse.valeurs)
    controle_lancer(campagne=campagne)
    r01.refresh_from_db()
    assert r01.present and r01.statut == StatutSignalement.OUVERTE and r01.resolu_le is None
    assert Signalement.objects.filter(reponse=reponse, code="R01").count() == 1


def test_it_checks_only_the_territory_asked_but_compares_peers_nationwide(campagne, structure_69, structure_01):
    r69 = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    r01 = reponse_deposee(campagne, structure_01, E01=1, E02=4.0)

    rapport = controle_lancer(campagne=campagne, territoire="69")

    assert rapport.reponses == 1
    assert "R01" in codes(r69)
    assert codes(r01) == []
    controle_lancer(campagne=campagne, territoire="R:84")
    assert "R01" in codes(r01)


def test_it_reads_territories_as_nation_region_or_department():
    assert departements_du_territoire("FR") is None
    assert departements_du_territoire("69") == {"69"}
    assert departements_du_territoire("D:2A") == {"2A"}
    assert "01" in departements_du_territoire("R:84") and "69" in departements_du_territoire("R84")
    with pytest.raises(ErreurControle, match="Département « 99 » inconnu"):
        departements_du_territoire("99")
    with pytest.raises(ErreurControle, match="Région « 99 » inconnue"):
        departements_du_territoire("R:99")


def test_it_keeps_the_justification_given_at_submission(campagne, structure_69):
    reponse = reponse_deposee(campagne, structure_69, C11=95)
    Reponse.objects.filter(pk=reponse.pk).update(justifications={"R28": "Maison des associations de la ville."})

    controle_lancer(campagne=campagne)

    r28 = Signalement.objects.get(reponse=reponse, code="R28")
    assert r28.statut == StatutSignalement.JUSTIFIEE
    assert r28.justification == "Maison des associations de la ville."


def test_the_command_prints_a_summary_and_writes_a_csv(campagne, structure_69, structure_01, tmp_path, capsys):
    reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    reponse_deposee(campagne, structure_01)
    sortie = tmp_path / "anomalies.csv"

    call_command("controle", "--campagne", "2025", "--territoire", "69", "--out", str(sortie))

    texte = capsys.readouterr().out
    assert "Réponses contrôlées : 1" in texte
    assert "R01" in texte and "bloquant" in texte and "Durée :" in texte
    with sortie.open(encoding="utf-8") as f:
        lignes = list(csv.DictReader(f))
    assert {"structure", "code", "questions", "gravite", "message"} <= set(lignes[0])
    r01 = next(ligne for ligne in lignes if ligne["code"] == "R01")
    assert r01["structure"] == structure_69.identifiant and r01["questions"] == "E01 E02"
    assert all(ligne["structure"] != structure_01.identifiant for ligne in lignes)


def test_the_command_refuses_an_unknown_campaign_or_territory(campagne):
    with pytest.raises(CommandError, match="Campagne 1999 introuvable"):
        call_command("controle", "--campagne", "1999")
    with pytest.raises(CommandError, match="inconnu"):
        call_command("controle", "--campagne", "2025", "--territoire", "99")


def test_it_checks_a_response_after_its_submission_once_committed(
    campagne, structure_69, django_capture_on_commit_callbacks
):
    reponse = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    with django_capture_on_commit_callbacks(execute=True) as rappels:
        controles_apres_depot(reponse)
        assert not Signalement.objects.exists()
    assert len(rappels) == 1
    assert "R01" in codes(reponse)


# --- Interpellations ---


@pytest.fixture
def reponse_fausse(campagne, structure_69):
    reponse = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    structure_69.email = "accueil@croix-rousse.fr"
    structure_69.save()
    controle_lancer(campagne=campagne)
    return reponse


def _ouvrir(reponse, correspondant, **kwargs):
    s = Signalement.objects.get(reponse=reponse, code="R01")
    return interpellation_ouvrir(
        reponse=reponse,
        texte=kwargs.pop("texte", s.message),
        echeance=echeance(),
        signalement=s,
        par=correspondant,
        organisme="Caf du Rhône",
        **kwargs,
    )


def test_a_query_is_opened_from_an_anomaly_and_mailed_to_the_structure(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)

    assert i.etat == EtatInterpellation.OUVERTE and i.questions == ["E01", "E02"]
    assert i.messages.get().action == "ouverture"
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert set(courriel.to) == {"accueil@croix-rousse.fr", usager_structure_69.email}
    assert "Le nombre d'ETP (E02 = 9) dépasse" in courriel.body
    assert f"/controle/2025/interpellation/{i.pk}/" in courriel.body
    assert codes_modifiables_en_controle(reponse_fausse) == {"E01", "E02"}


def test_the_structure_answers_by_correcting_and_the_change_is_linked_and_rechecked(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)
    mail.outbox.clear()

    resultat = interpellation_corriger(
        interpellation=i,
        saisies={"E01": (15, 1)},
        texte="Erreur de saisie : 15 salariés.",
        par=usager_structure_69,
        organisme=reponse_fausse.structure.nom,
    )

    assert resultat.ok
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.REPONDUE and i.repondue_le is not None
    message = i.messages.get(action="correction")
    changement = message.changements.get()
    assert (changement.code, changement.valeur, changement.ancienne_valeur) == ("E01", 15, 3)
    assert changement.origine == "interpellation" and changement.par == usager_structure_69
    assert Reponse.objects.get(pk=reponse_fausse.pk).valeurs["E01"] == 15
    r01 = Signalement.objects.get(reponse=reponse_fausse, code="R01")
    assert not r01.present and r01.statut == StatutSignalement.CORRIGEE
    assert mail.outbox[0].to == [correspondant_69.email]
    # Répondue : plus rien n'est modifiable tant que le correspondant ne rouvre pas.
    assert codes_modifiables_en_controle(reponse_fausse) == set()


def test_the_structure_may_change_only_the_answers_under_an_open_query(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)
    with pytest.raises(ErreurControle, match="F04 ne l'est pas"):
        interpellation_corriger(
            interpellation=i, saisies={"F04": (1, 1)}, texte="", par=usager_structure_69, organisme="CS"
        )
    assert not ReponseHistorique.objects.filter(reponse=reponse_fausse, code="F04").exists()


def test_a_version_conflict_changes_nothing(reponse_fausse, correspondant_69, usager_structure_69):
    i = _ouvrir(reponse_fausse, correspondant_69)
    resultat = interpellation_corriger(
        interpellation=i, saisies={"E01": (15, 0)}, texte="", par=usager_structure_69, organisme="CS"
    )
    assert not resultat.ok and resultat.conflits[0].code == "E01"
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.OUVERTE
    assert Reponse.objects.get(pk=reponse_fausse.pk).valeurs["E01"] == 3


def test_a_justified_query_resolved_marks_the_anomaly_justified_and_can_be_reopened(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)
    interpellation_justifier(
        interpellation=i, texte="Nos salariés cumulent plusieurs contrats.", par=usager_structure_69, organisme="CS"
    )
    interpellation_resoudre(interpellation=i, par=correspondant_69, organisme="Caf du Rhône")
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.RESOLUE and i.close_par == correspondant_69
    r01 = Signalement.objects.get(reponse=reponse_fausse, code="R01")
    assert r01.statut == StatutSignalement.JUSTIFIEE
    assert r01.justification == "Nos salariés cumulent plusieurs contrats."

    interpellation_rouvrir(
        interpellation=i, par=correspondant_69, organisme="Caf", texte="Un ETP par contrat, pas plus."
    )
    i.refresh_from_db()
    r01.refresh_from_db()
    assert i.etat == EtatInterpellation.OUVERTE and r01.statut == StatutSignalement.OUVERTE
    assert [m.action for m in i.messages.all()] == ["ouverture", "justification", "resolution", "reouverture"]
    with pytest.raises(ErreurControle, match="Seule une interpellation répondue ou résolue se rouvre"):
        interpellation_rouvrir(interpellation=i, par=correspondant_69, organisme="Caf", texte="encore")
    interpellation_annuler(interpellation=i, par=correspondant_69, organisme="Caf")
    i.refresh_from_db()
    assert i.etat == EtatInterpellation.ANNULEE


def test_a_query_needs_a_submitted_unlocked_response_a_text_and_a_future_deadline(
    campagne, structure_69, correspondant_69
):
    brouillon = reponse_deposee(campagne, structure_69, statut="brouillon")
    with pytest.raises(ErreurControle, match="encore un brouillon"):
        interpellation_ouvrir(reponse=brouillon, texte="?", echeance=echeance(), par=correspondant_69, organisme="Caf")
    reponse = reponse_deposee(campagne, StructureFactory())
    with pytest.raises(ErreurControle, match="obligatoire"):
        interpellation_ouvrir(reponse=reponse, texte=" ", echeance=echeance(), par=correspondant_69, organisme="Caf")
    hier = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ErreurControle, match="passée"):
        interpellation_ouvrir(reponse=reponse, texte="Q", echeance=hier, par=correspondant_69, organisme="Caf")
    with pytest.raises(ErreurControle, match="ZZ99"):
        interpellation_ouvrir(
            reponse=reponse, texte="Q", echeance=echeance(), questions=["ZZ99"], par=correspondant_69, organisme="Caf"
        )
    campagne.phase = "analyse"
    campagne.save()
    with pytest.raises(ErreurControle, match="n'est possible qu'en phase"):
        interpellation_ouvrir(reponse=reponse, texte="Q", echeance=echeance(), par=correspondant_69, organisme="Caf")


def test_bulk_queries_skip_anomalies_already_queried_and_send_one_mail_per_structure(
    campagne, structure_69, correspondant_69
):
    structure_69.email = "cs@exemple.fr"
    structure_69.save()
    reponse = reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    controle_lancer(campagne=campagne)
    signalements = list(Signalement.objects.filter(reponse=reponse).select_related("reponse__structure"))
    assert len(signalements) >= 2
    deja = _ouvrir(reponse, correspondant_69)
    mail.outbox.clear()

    resultat = interpellations_ouvrir_en_masse(
        signalements=signalements,
        echeance=echeance(),
        par=correspondant_69,
        organisme_pour=lambda s: "Caf du Rhône",
        complement="Merci de répondre avant la fin du mois.",
    )

    assert len(resultat.creees) == len(signalements) - 1
    assert [s.pk for s, _ in resultat.ignorees] == [deja.signalement_id]
    assert all(i.texte.endswith("Merci de répondre avant la fin du mois.") for i in resultat.creees)
    assert len(mail.outbox) == 1 and f"{len(signalements) - 1} questions" in mail.outbox[0].subject


# --- Validation ---


def test_validation_locks_the_response_and_unlocking_needs_a_reason(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)
    with pytest.raises(ErreurControle, match="1 interpellation\\(s\\) en cours"):
        reponse_valider(reponse=reponse_fausse, par=correspondant_69, organisme="Caf du Rhône")
    interpellation_annuler(interpellation=i, par=correspondant_69, organisme="Caf")

    reponse_valider(reponse=reponse_fausse, par=correspondant_69, organisme="Caf du Rhône")

    reponse_fausse.refresh_from_db()
    assert reponse_fausse.statut == "validee" and reponse_fausse.validee_le is not None
    assert reponse_verrouillee(reponse_fausse)
    evenement = EvenementValidation.objects.get(reponse=reponse_fausse)
    assert (evenement.action, evenement.par, evenement.organisme) == ("valider", correspondant_69, "Caf du Rhône")
    with pytest.raises(ErreurControle, match="verrouillée"):
        _ouvrir(reponse_fausse, correspondant_69)
    with pytest.raises(ErreurControle, match="motif du déverrouillage est obligatoire"):
        reponse_deverrouiller(reponse=reponse_fausse, par=correspondant_69, organisme="Caf", motif="  ")

    reponse_deverrouiller(
        reponse=reponse_fausse, par=correspondant_69, organisme="Caf", motif="Erreur signalée par la fédération."
    )

    reponse_fausse.refresh_from_db()
    assert reponse_fausse.statut == "soumise" and reponse_fausse.validee_le is None
    dernier = EvenementValidation.objects.filter(reponse=reponse_fausse).first()
    assert dernier.action == "deverrouiller" and dernier.motif == "Erreur signalée par la fédération."


def test_a_locked_response_cannot_be_corrected_through_an_open_query(
    reponse_fausse, correspondant_69, usager_structure_69
):
    i = _ouvrir(reponse_fausse, correspondant_69)
    Reponse.objects.filter(pk=reponse_fausse.pk).update(statut="validee")  # verrou posé entre-temps
    reponse_fausse.refresh_from_db()
    assert codes_modifiables_en_controle(reponse_fausse) == set()
    with pytest.raises(ErreurControle, match="verrouillée"):
        interpellation_corriger(
            interpellation=i, saisies={"E01": (15, 1)}, texte="", par=usager_structure_69, organisme="CS"
        )


# --- Relances ---


def test_reminders_preview_who_is_reminded_and_who_is_skipped_and_why(campagne, correspondant_69):
    from senacs.structures.models import Structure

    avec_email = StructureFactory(nom="CS A", email="a@exemple.fr")
    sans_email = StructureFactory(nom="CS B")
    compte = StructureFactory(nom="CS C")
    MandatFactory(role="structure", niveau="structure", departement=None, structure=compte, organisme="structure")
    deposee = StructureFactory(nom="CS D", email="d@exemple.fr")
    reponse_deposee(campagne, deposee)
    structures = Structure.objects.filter(departement_id="69")

    lignes = relances_apercu(campagne=campagne, structures=structures, nature=NatureRelance.NON_DEPOSEE)

    par_nom = {ligne.structure.nom: ligne for ligne in lignes}
    assert set(par_nom) == {"CS A", "CS B", "CS C"}
    assert par_nom["CS A"].relancee and par_nom["CS A"].destinataires == ("a@exemple.fr",)
    assert par_nom["CS B"].exclusion == "aucune adresse électronique connue"
    assert par_nom["CS C"].relancee and len(par_nom["CS C"].destinataires) == 1

    envoyees = relances_envoyer(
        campagne=campagne,
        structures=structures,
        nature=NatureRelance.NON_DEPOSEE,
        par=correspondant_69,
        organisme_pour=lambda s: "Caf du Rhône",
    )
    assert len(envoyees) == 2 and len(mail.outbox) == 2
    assert Relance.objects.filter(structure=avec_email, par=correspondant_69).exists()
    assert "n'est pas encore déposée (état : non commencée)" in mail.outbox[0].body

    lignes = relances_apercu(campagne=campagne, structures=structures, nature=NatureRelance.NON_DEPOSEE)
    assert next(ligne for ligne in lignes if ligne.structure == avec_email).exclusion.startswith("déjà relancée le ")
    plus_tard = timezone.now() + datetime.timedelta(days=8)
    lignes = relances_apercu(
        campagne=campagne, structures=structures, nature=NatureRelance.NON_DEPOSEE, maintenant=plus_tard
    )
    assert next(ligne for ligne in lignes if ligne.structure == avec_email).relancee
    del sans_email


def test_the_reminder_delay_is_a_setting(campagne, settings):
    settings.SENACS_DELAI_RELANCE_JOURS = 30
    from senacs.structures.models import Structure

    s = StructureFactory(email="a@exemple.fr")
    Relance.objects.create(
        campagne=campagne, structure=s, nature="non_deposee", par=MandatFactory().utilisateur, organisme="Caf"
    )
    plus_tard = timezone.now() + datetime.timedelta(days=20)
    lignes = relances_apercu(
        campagne=campagne, structures=Structure.objects.all(), nature="non_deposee", maintenant=plus_tard
    )
    assert "pas de nouvelle relance avant 30 jours" in lignes[0].exclusion


def test_reminders_about_unanswered_queries(reponse_fausse, correspondant_69):
    from senacs.structures.models import Structure

    _ouvrir(reponse_fausse, correspondant_69)
    lignes = relances_apercu(
        campagne=reponse_fausse.campagne, structures=Structure.objects.all(), nature=NatureRelance.INTERPELLATION
    )
    assert [(ligne.structure, ligne.detail) for ligne in lignes] == [
        (reponse_fausse.structure, "1 interpellation sans réponse")
    ]
    assert Interpellation.objects.count() == 1


def test_the_command_measures_recall_against_the_demo_injected_anomalies(
    campagne, structure_69, structure_01, monkeypatch, capsys
):
    from senacs.demo import selectors as demo

    reponse_deposee(campagne, structure_69, E01=3, E02=9.0)
    reponse_deposee(campagne, structure_01)
    injectees = [
        {
            "campagne": 2025,
            "structure": structure_69.identifiant,
            "type": "etp_superieur_effectif",
            "questions": ["E02"],
        },
        {"campagne": 2024, "structure": structure_01.identifiant, "type": "autre_annee", "questions": ["F04"]},
    ]
    monkeypatch.setattr(demo, "anomalies_injectees", lambda: injectees)

    call_command("controle", "--campagne", "2025", "--qualite")

    sortie = capsys.readouterr().out
    assert "etp_superieur_effectif         1/1" in sortie
    assert "autre_annee" not in sortie
    assert "Rappel 1/1 (100,0 %) ; fausses alertes 0/1 réponses propres (0,0 %)" in sortie
