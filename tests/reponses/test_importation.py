"""Import en masse des réponses (service et commande `senacs reponses`) et export au même format."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, ManagementUtility, call_command

from senacs.campagnes.models import Phase
from senacs.reponses.importation import reponses_exporter, reponses_importer
from senacs.reponses.models import Reponse, ReponseHistorique, RevueSaisie, Statut, StatutRevue
from tests.factories import CampagneFactory
from tests.reponses.donnees import ENTETE, csv_, ligne_69, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def campagne(db):
    return CampagneFactory(annee=2026, phase=Phase.SAISIE)


def importer(contenu, campagne, *, par=None, departements=None, simulation=False, nom="reponses.csv"):
    return reponses_importer(
        contenu=contenu,
        nom_fichier=nom,
        campagne=campagne,
        par=par,
        departements=departements,
        simulation=simulation,
    )


def test_a_valid_file_imports_the_answers_as_entered_on_the_structures_behalf(
    campagne, structure_69, usager_structure_69, correspondant_69, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rapport = importer(
            csv_([ENTETE, ligne_69(structure_69)]), campagne, par=correspondant_69, departements=frozenset({"69"})
        )

    assert not rapport.erreurs, rapport.texte()
    assert rapport.enregistre and rapport.nb_reponses == 8 and rapport.nb_creations == 1
    reponse = Reponse.objects.get(campagne=campagne, structure=structure_69)
    assert reponse.statut == Statut.BROUILLON
    assert reponse.valeurs == {
        "E01": 12,
        "E02": 8.5,
        "F04": 1234.56,
        "B03": ["isolement", "jeunesse"],
        "B06": True,
        "B07": 12.5,
        "A09": "2020-03-15",
        "A15": "associatif",
    }
    provenance = reponse.provenance["F04"]
    assert provenance["pour_le_compte"] is True
    assert provenance["organisme"] == "Caf – Rhône"
    assert provenance["par"] == correspondant_69.pk
    assert set(ReponseHistorique.objects.filter(reponse=reponse).values_list("origine", flat=True)) == {"import"}
    assert RevueSaisie.objects.filter(reponse=reponse, statut=StatutRevue.A_EXAMINER).count() == 8
    (courriel,) = mail.outbox
    assert courriel.to == [usager_structure_69.email]
    assert "8 réponses saisies pour votre compte par Caf – Rhône" in courriel.subject


def test_numbers_are_read_as_french_users_type_them_and_surprising_readings_are_reported(campagne, structure_69):
    rapport = importer(
        csv_([ENTETE, ligne_69(structure_69, E01="1.200", E02="2,5", F04="1.234,56", B07="12,5")]),
        campagne,
    )
    assert not rapport.erreurs, rapport.texte()
    reponse = Reponse.objects.get(campagne=campagne, structure=structure_69)
    assert (reponse.valeurs["E01"], reponse.valeurs["E02"], reponse.valeurs["F04"], reponse.valeurs["B07"]) == (
        1200,
        2.5,
        1234.56,
        12.5,
    )
    lus = {(a.colonne, a.message) for a in rapport.avertissements if "lu" in a.message}
    assert ("E01", "« 1.200 » lu 1\u00a0200\u00a0personnes (le point sépare les milliers) : vérifiez ce nombre") in lus
    assert any(col == "F04" and "lu 1\u00a0234,56\u00a0€" in m for col, m in lus)
    assert not any(col in ("E02", "B07") for col, _ in lus)


def test_a_euro_amount_typed_with_a_dot_is_never_divided_by_a_thousand(campagne, structure_69):
    importer(csv_([ENTETE, ligne_69(structure_69, F04="12.000")]), campagne)
    assert Reponse.objects.get(campagne=campagne, structure=structure_69).valeurs["F04"] == 12000


def test_one_bad_row_changes_nothing_and_the_dry_run_lists_every_error_with_row_and_column(
    campagne, structure_69, structure_01
):
    contenu = csv_(
        [
            ENTETE + ["B08", "Z99"],
            ligne_69(structure_69) + ["220", ""],
            ligne_69(structure_01, E01="douze", A15="cooperative", B03="isolement inconnu") + ["400", ""],
            ligne_69(structure_01, E01="2", E02="5")[:1] + ["2", "5", "", "", "", "", "", "", "", ""],
            ["CS99999", "1", "", "", "", "", "", "", "", "", ""],
        ]
    )

    rapport = importer(contenu, campagne, simulation=True)

    erreurs = [str(e) for e in rapport.erreurs_triees]
    assert erreurs == [
        "Ligne 1, colonne « Z99 » : la question « Z99 » n'existe pas dans le questionnaire 2026",
        "Ligne 3, colonne « A15 » : « cooperative » ne fait pas partie des choix proposés.",
        "Ligne 3, colonne « B03 » : « inconnu » ne fait pas partie des choix proposés.",
        "Ligne 3, colonne « E01 » : « douze » n'est pas un nombre (exemples : 1 234 ou 12,5).",
        f"Ligne 4, colonne « structure » : la structure « {structure_01.identifiant} » figure déjà ligne 3",
        "Ligne 5, colonne « structure » : structure « CS99999 » inconnue au registre",
    ]
    assert not Reponse.objects.exists()

    # Une fois les cellules illisibles corrigées, les règles du formulaire s'appliquent : bornes et règles bloquantes.
    contenu = csv_(
        [
            ENTETE + ["B08"],
            ligne_69(structure_69) + ["220"],
            ligne_69(structure_01, E01="2", E02="5") + ["400"],
        ]
    )
    rapport = importer(contenu, campagne)
    erreurs = [str(e) for e in rapport.erreurs_triees]
    assert (
        "Ligne 3, colonne « B08 » : La réponse à la question B08 « Nombre de jours d'ouverture au public dans "
        "l'année » doit être inférieure ou égale à 365 (réponse : 400)." in erreurs
    )
    assert (
        "Ligne 3, colonne « E01 » : Le nombre d'ETP (E02 = 5) dépasse le nombre de salariés (E01 = 2) : un salarié "
        "compte au plus pour 1 ETP." in erreurs
    )
    assert not rapport.enregistre
    assert not Reponse.objects.exists()  # tout ou rien : la ligne valide n'est pas importée non plus
    assert not mail.outbox


def test_a_question_not_asked_to_the_structure_is_an_error(campagne, structure_01):
    rapport = importer(csv_([["structure", "F06"], [structure_01.identifiant, "1000"]]), campagne)
    assert [str(e) for e in rapport.erreurs] == [
        "Ligne 2, colonne « F06 » : la question F06 n'est pas posée aux espaces de vie sociale"
    ]


def test_a_structure_outside_the_correspondents_perimeter_is_refused(
    campagne, structure_69, structure_35, correspondant_69
):
    contenu = csv_([ENTETE, ligne_69(structure_69), ligne_69(structure_35)])

    rapport = importer(contenu, campagne, par=correspondant_69, departements=frozenset({"69"}))

    assert [str(e) for e in rapport.erreurs] == [
        f"Ligne 3, colonne « structure » : la structure « {structure_35.identifiant} » (département 35) n'est "
        "pas dans votre périmètre (69 (Rhône))"
    ]
    assert not Reponse.objects.exists()


def test_the_import_is_refused_outside_entry_and_check_phases(campagne, structure_69):
    campagne.phase = Phase.ANALYSE
    campagne.save()
    rapport = importer(csv_([ENTETE, ligne_69(structure_69)]), campagne)
    assert [str(e) for e in rapport.erreurs] == [
        "Fichier : la campagne 2026 est en phase « Analyse » : les réponses s'importent pendant la saisie ou le "
        "contrôle de cohérence"
    ]


def test_a_validated_response_is_not_changed_by_an_import(campagne, structure_69):
    Reponse.objects.create(campagne=campagne, structure=structure_69, statut=Statut.VALIDEE, valeurs={"E01": 3})
    rapport = importer(csv_([["structure", "E01"], [structure_69.identifiant, "12"]]), campagne)
    assert f"la réponse de « {structure_69.identifiant} » est validée" in str(rapport.erreurs[0])


def test_a_comma_separated_csv_without_bom_and_an_xlsx_file_are_read_alike(campagne, structure_69):
    lignes = [["structure", "E01", "E02", "B06"], [structure_69.identifiant, "12", "8.5", "non"]]
    csv_rapport = importer(csv_(lignes, separateur=",", bom=False), campagne, simulation=True)
    xlsx_rapport = importer(
        xlsx([lignes[0], [structure_69.identifiant, 12, 8.5, "non"]]), campagne, simulation=True, nom="r.xlsx"
    )
    assert not csv_rapport.erreurs and not xlsx_rapport.erreurs
    assert (
        csv_rapport.lignes[0].modifications
        == xlsx_rapport.lignes[0].modifications
        == {
            "E01": 12,
            "E02": 8.5,
            "B06": False,
        }
    )


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(campagne, structure_69, structure_35, format):
    importer(csv_([ENTETE, ligne_69(structure_69)]), campagne)
    importer(csv_([ENTETE, ligne_69(structure_35, F04="450000", B03="parentalite")]), campagne)
    historique = ReponseHistorique.objects.count()

    contenu, nombre = reponses_exporter(campagne=campagne, departements=frozenset({"69"}), format=format)
    assert nombre == 1
    rapport = importer(contenu, campagne, nom=f"export.{format}")

    assert not rapport.erreurs, rapport.texte()
    assert [(li.identifiant, li.modifications, li.inchangees) for li in rapport.lignes] == [
        (structure_69.identifiant, {}, 8)
    ]
    assert ReponseHistorique.objects.count() == historique


# --------------------------------------------------------------------------- commande


def lancer(*args) -> str:
    sortie = io.StringIO()
    call_command("reponses", *args, stdout=sortie)
    return sortie.getvalue()


def test_the_command_dry_run_prints_the_report_and_writes_nothing(campagne, structure_69, tmp_path):
    chemin = tmp_path / "reponses.csv"
    chemin.write_bytes(csv_([ENTETE, ligne_69(structure_69)]))

    sortie = lancer("import", "--campagne", "2026", str(chemin), "--dry-run")

    assert "1 structure, 8 réponses à enregistrer, 1 questionnaire commencé par l'import." in sortie
    assert sortie.rstrip().endswith("Simulation : aucune modification n'a été enregistrée.")
    assert not Reponse.objects.exists()


def test_the_command_imports_with_the_national_scope(campagne, structure_69, structure_35, tmp_path, monkeypatch):
    monkeypatch.setenv("SENACS_OPERATEUR", "Dominique Exploitante")
    chemin = tmp_path / "reponses.csv"
    chemin.write_bytes(csv_([ENTETE, ligne_69(structure_69), ligne_69(structure_35)]))

    sortie = lancer("import", "--campagne", "2026", str(chemin))

    assert "Import enregistré : 2 structures, 16 réponses à enregistrer" in sortie
    reponse = Reponse.objects.get(structure=structure_35)
    # L'opérateur est nommé (jamais « Personne inconnue »).
    assert (
        reponse.provenance["E01"]["organisme"]
        == "Comité technique national (import par l'exploitant), Dominique Exploitante"
    )
    assert reponse.provenance["E01"]["pour_le_compte"] is True


def test_the_command_applies_a_correspondents_perimeter(
    campagne, structure_69, structure_35, correspondant_69, tmp_path
):
    chemin = tmp_path / "reponses.csv"
    chemin.write_bytes(csv_([ENTETE, ligne_69(structure_69), ligne_69(structure_35)]))
    sortie = io.StringIO()

    with pytest.raises(CommandError, match="Import refusé : 1 erreur"):
        call_command(
            "reponses",
            "import",
            "--campagne",
            "2026",
            str(chemin),
            "--utilisateur",
            correspondant_69.email,
            stdout=sortie,
        )

    assert "n'est pas dans votre périmètre" in sortie.getvalue()
    assert not Reponse.objects.exists()


def test_the_command_exits_non_zero_on_errors(campagne, structure_69, tmp_path, capsys):
    chemin = tmp_path / "reponses.csv"
    chemin.write_bytes(csv_([ENTETE, ligne_69(structure_69, E01="douze")]))

    # Dernière action du test : run_from_argv ferme les connexions à la base en sortant.
    with pytest.raises(SystemExit) as sortie:
        ManagementUtility(["senacs", "reponses", "import", "--campagne", "2026", str(chemin)]).execute()

    assert sortie.value.code == 1
    assert "Ligne 2, colonne « E01 » : « douze » n'est pas un nombre" in capsys.readouterr().out


def test_the_command_refuses_a_campaign_outside_entry_and_check(campagne, structure_69, tmp_path):
    chemin = tmp_path / "reponses.csv"
    chemin.write_bytes(csv_([ENTETE, ligne_69(structure_69)]))
    campagne.phase = Phase.PUBLICATION
    campagne.save()
    texte = io.StringIO()

    with pytest.raises(CommandError):
        call_command("reponses", "import", "--campagne", "2026", str(chemin), stdout=texte)

    assert "la campagne 2026 est en phase « Publication »" in texte.getvalue()
    assert not Reponse.objects.exists()


def test_the_export_command_writes_the_territory_in_the_import_layout(campagne, structure_69, structure_35, tmp_path):
    importer(csv_([ENTETE, ligne_69(structure_69)]), campagne)
    importer(csv_([ENTETE, ligne_69(structure_35)]), campagne)
    chemin = tmp_path / "export.csv"

    sortie = lancer("export", "--campagne", "2026", "--territoire", "R84", str(chemin))

    assert "1 structure → " in sortie
    texte = chemin.read_bytes().decode("utf-8-sig")
    entete, ligne = texte.splitlines()[:2]
    assert entete.startswith("structure;A01;A02;")
    valeurs = dict(zip(entete.split(";"), ligne.split(";"), strict=True))
    assert valeurs["structure"] == structure_69.identifiant
    assert (valeurs["E02"], valeurs["F04"], valeurs["B03"], valeurs["A09"], valeurs["B06"]) == (
        "8,5",
        "1234,56",
        "isolement jeunesse",
        "15/03/2020",
        "oui",
    )
    with pytest.raises(CommandError, match="Département inconnu"):
        lancer("export", "--campagne", "2026", "--territoire", "999", str(chemin))
