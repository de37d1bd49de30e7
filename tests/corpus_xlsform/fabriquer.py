"""Corpus de formulaires XLSForm écrits comme les écrivent les équipes Kobo et ODK.

Chaque formulaire imite une habitude réelle : feuilles « Survey » en majuscule, colonnes traduites
``label::Français (fr)`` ou ``label:fr``, ``select one x`` avec une espace, cellules booléennes
d'Excel (VRAI) pour ``required``, lignes de commentaire, colonnes personnelles, pas de feuille
``settings``, ``or_other``, ``calculate`` sans libellé… Certains sont écrits avec openpyxl (le
moteur des exports Kobo), d'autres avec xlsxwriter (celui des tableurs générés).

    .venv/bin/python tests/corpus_xlsform/fabriquer.py     # réécrit les .xlsx du dossier

``ATTENDUS`` dit, pour chaque fichier, s'il est accepté ou refusé et pourquoi (tests/core/test_xlsform_corpus.py).
"""

import datetime
import sys
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent

# nom du fichier → (moteur, feuilles) ; une feuille est une liste de lignes, la première est l'en-tête.
FORMULAIRES: dict[str, tuple[str, dict[str, list[list]]]] = {
    # 1. Export Kobo bilingue : langue par défaut, aide traduite, oui/non en liste, date bornée par today().
    "kobo_accueil_jeunes.xlsx": (
        "openpyxl",
        {
            "survey": [
                [
                    "type",
                    "name",
                    "label::Français (fr)",
                    "label::English (en)",
                    "hint::Français (fr)",
                    "required",
                    "relevant",
                    "constraint",
                    "constraint_message::Français (fr)",
                    "calculation",
                ],
                ["start", "start"],
                ["end", "end"],
                ["today", "today"],
                ["begin_group", "accueil", "Accueil des jeunes", "Youth reception"],
                [
                    "integer",
                    "effectif",
                    "Effectif salarié",
                    "Staff",
                    "Au 31 décembre",
                    True,
                    None,
                    ". >= 0",
                    "Un effectif est positif",
                ],
                [
                    "integer",
                    "nb_jeunes",
                    "Nombre de jeunes accueillis",
                    "Young people",
                    None,
                    True,
                    None,
                    ". >= 0 and . < 100000",
                ],
                ["select_one oui_non", "accueil_soir", "Accueil en soirée ?", "Evening opening?", None, "yes"],
                [
                    "integer",
                    "nb_soirees",
                    "Nombre de soirées par mois",
                    "Evenings per month",
                    None,
                    "yes",
                    "${accueil_soir} = 'oui'",
                    ". <= 31",
                    "Au plus 31",
                ],
                [
                    "date",
                    "date_ouverture",
                    "Date d'ouverture du local",
                    "Opening date",
                    None,
                    None,
                    None,
                    ". <= today()",
                    "La date ne peut pas être dans le futur",
                ],
                [
                    "calculate",
                    "jeunes_par_salarie",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "if(${effectif} > 0, round(${nb_jeunes} div ${effectif}, 1), 0)",
                ],
                ["note", "merci", "Merci : ${jeunes_par_salarie} jeunes par salarié.", "Thanks"],
                ["end_group"],
            ],
            "choices": [
                ["list_name", "name", "label::Français (fr)", "label::English (en)"],
                ["oui_non", "oui", "Oui", "Yes"],
                ["oui_non", "non", "Non", "No"],
            ],
            "settings": [
                ["form_title", "form_id", "version", "default_language"],
                ["Accueil des jeunes", "accueil_jeunes", "2027010101", "Français (fr)"],
            ],
        },
    ),
    # 2. ODK Collect, sans feuille settings : « select one x » (alias à une espace), fonctions XPath courantes.
    "odk_activites_sans_settings.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "hint", "required", "relevant", "constraint", "calculation"],
                ["select one mode", "mode_gestion", "Mode de gestion", None, "true"],
                ["select_multiple activites", "activites", "Activités proposées", "Plusieurs réponses"],
                [
                    "integer",
                    "nb_ateliers",
                    "Nombre d'ateliers sportifs",
                    None,
                    None,
                    "selected(${activites}, 'sport') and not(${mode_gestion} = 'autre')",
                    ". mod 1 = 0",
                ],
                ["text", "code_postal", "Code postal", None, "yes", None, "regex(., '^[0-9]{5}$')"],
                [
                    "text",
                    "commentaire",
                    "Commentaire",
                    None,
                    None,
                    "count-selected(${activites}) >= 2",
                    "string-length(.) <= 500",
                ],
                [
                    "calculate",
                    "resume",
                    None,
                    None,
                    None,
                    None,
                    None,
                    "concat(${mode_gestion}, ' / ', count-selected(${activites}))",
                ],
                ["calculate", "ateliers", None, None, None, None, None, "coalesce(int(number(${nb_ateliers})), 0)"],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["mode", "associatif", "Associatif"],
                ["mode", "collectivite", "Collectivité"],
                ["mode", "autre", "Autre"],
                ["activites", "sport", "Sport"],
                ["activites", "culture", "Culture"],
                ["activites", "numerique", "Numérique"],
            ],
        },
    ),
    # 3. Feuilles en majuscules, « label:fr » à un seul deux-points, choix traduits de même.
    "majuscules_label_fr.xlsx": (
        "openpyxl",
        {
            "SURVEY": [
                ["Type", "Name", "Label:fr", "Label:en", "Hint:fr", "Required"],
                ["Integer", "benevoles", "Nombre de bénévoles", "Volunteers", "Réguliers et ponctuels", "Yes"],
                ["Select_One frequence", "frequence", "Fréquence des réunions", "Meeting frequency"],
            ],
            "CHOICES": [
                ["List_Name", "Name", "Label:fr", "Label:en"],
                ["frequence", "mensuelle", "Mensuelle", "Monthly"],
                ["frequence", "trimestrielle", "Trimestrielle", "Quarterly"],
            ],
            "Settings": [["Form_Title", "Version"], ["Vie associative", "2027"]],
        },
    ),
    # 4. « or_other » : pyxform ajoute le choix « other » et la question « …_other ».
    "or_other.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["select_one financeur or_other", "financeur_principal", "Financeur principal", "yes"],
                ["select_multiple publics or_other", "publics_cibles", "Publics visés"],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["financeur", "caf", "Caf"],
                ["financeur", "commune", "Commune"],
                ["publics", "familles", "Familles"],
                ["publics", "seniors", "Seniors"],
            ],
            "settings": [["form_title", "form_id"], ["Financeurs", "financeurs"]],
        },
    ),
    # 5. Lignes de commentaire, lignes vides, colonnes personnelles, écritures de required.
    "commentaires_et_colonnes.xlsx": (
        "openpyxl",
        {
            "survey": [
                ["type", "name", "label", "required", "notes_equipe", "responsable", "appearance"],
                [None, None, None, None, "Partie 1 : à relire par la fédération"],
                ["begin group", "locaux", "Les locaux", None, None, "Claire"],
                ["decimal", "surface", "Surface en m²", "TRUE", "Ne pas compter les extérieurs"],
                ["integer", "nb_salles", "Nombre de salles", "true()"],
                [None],
                ["text", "remarques", "Remarques sur les locaux", "no", None, None, "multiline"],
                ["end group"],
                [None, None, None, None, "Fin du questionnaire"],
            ],
            "settings": [["form_title", "version"], ["Locaux", "2027"]],
        },
    ),
    # 6. Groupes imbriqués avec condition de groupe, div, mod, round, sum des réponses.
    "groupes_imbriques.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "relevant", "constraint", "calculation"],
                ["integer", "nb_salaries", "Nombre de salariés"],
                ["begin_group", "temps_travail", "Temps de travail", "${nb_salaries} > 0"],
                ["decimal", "heures", "Heures travaillées dans l'année"],
                ["begin_group", "repartition", "Répartition des heures (%)"],
                ["decimal", "part_animation", "Animation", None, ". >= 0 and . <= 100"],
                ["decimal", "part_accueil", "Accueil", None, ". >= 0 and . <= 100"],
                ["end_group"],
                ["calculate", "etp", None, None, None, "round(${heures} div 1607, 2)"],
                ["calculate", "total_parts", None, None, None, "sum(${part_animation}, ${part_accueil})"],
                ["calculate", "semaines", None, None, None, "int(${heures} div 35) mod 53"],
                ["end_group"],
            ],
            "settings": [["form_title", "version"], ["Temps de travail", "2027"]],
        },
    ),
    # 7. Noyau national écrit en tableur : senacs_bloc et senacs_code quand les noms sont parlants.
    "noyau_senacs_code.xlsx": (
        "openpyxl",
        {
            "survey": [
                ["type", "name", "label", "required", "relevant", "senacs_bloc", "senacs_code", "senacs_type"],
                ["begin_group", "E", "Salariés", None, None, "noyau"],
                ["integer", "nb_salaries", "Nombre de salariés", "yes", None, None, "E01"],
                ["decimal", "etp", "Équivalents temps plein", "yes", "${nb_salaries} > 0", None, "E02"],
                ["select_one senacs_oui_non", "formation", "Plan de formation ?", None, None, None, "E12", "oui_non"],
                ["end_group"],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["senacs_oui_non", "oui", "Oui"],
                ["senacs_oui_non", "non", "Non"],
            ],
            "settings": [["form_title", "version"], ["Noyau salariés", "2027"]],
        },
    ),
    # 8. Noyau national dont les noms ne suivent pas la convention : refusé.
    "noyau_noms_libres.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "senacs_bloc"],
                ["begin_group", "E", "Salariés", "noyau"],
                ["integer", "nb_salaries", "Nombre de salariés"],
                ["end_group"],
            ],
            "settings": [["form_title", "version"], ["Noyau", "2027"]],
        },
    ),
    # 9. Formulaire de terrain : position GPS, photo, heure, curseur.
    "terrain_gps_photo.xlsx": (
        "openpyxl",
        {
            "survey": [
                ["type", "name", "label"],
                ["text", "nom_structure", "Nom de la structure"],
                ["geopoint", "position", "Position du local"],
                ["image", "photo_facade", "Photo de la façade"],
                ["time", "heure_ouverture", "Heure d'ouverture"],
                ["range", "satisfaction", "Satisfaction (1 à 5)"],
            ],
            "settings": [["form_title", "version"], ["Visite", "2027"]],
        },
    ),
    # 10. Répétition (un bloc par salarié) : refusée.
    "repetition_salaries.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "repeat_count"],
                ["integer", "nb", "Nombre de salariés"],
                ["begin_repeat", "salarie", "Salarié", "${nb}"],
                ["text", "poste", "Poste"],
                ["end_repeat"],
            ],
            "settings": [["form_title", "version"], ["Salariés", "2027"]],
        },
    ),
    # 11. pulldata et choix lus dans un fichier : refusés, avec la colonne.
    "pulldata_fichier_externe.xlsx": (
        "openpyxl",
        {
            "survey": [
                ["type", "name", "label", "calculation"],
                ["select_one_from_file communes.csv", "commune", "Commune"],
                ["calculate", "population", None, "pulldata('communes', 'population', 'code', ${commune})"],
            ],
            "settings": [["form_title", "version"], ["Communes", "2027"]],
        },
    ),
    # 12. Choix en cascade (choice_filter) : traduit en contrainte sur le choix retenu.
    "cascade_choice_filter.xlsx": (
        "xlsxwriter",
        {
            "survey": [
                ["type", "name", "label", "choice_filter"],
                ["select_one region", "region", "Région"],
                ["select_one departement", "departement", "Département", "region=${region}"],
            ],
            "choices": [
                ["list_name", "name", "label", "region"],
                ["region", "ara", "Auvergne-Rhône-Alpes"],
                ["region", "idf", "Île-de-France"],
                ["departement", "d69", "Rhône", "ara"],
                ["departement", "d75", "Paris", "idf"],
            ],
            "settings": [["form_title", "version"], ["Cascade", "2027"]],
        },
    ),
}

# Exemple de la documentation (docs/questionnaire.md) : un questionnaire de campagne écrit en tableur,
# avec un noyau national (codes A01…), un module thématique aux noms libres, une question locale et
# une règle de cohérence.
EXEMPLE = (
    "xlsxwriter",
    {
        "survey": [
            [
                "type",
                "name",
                "label",
                "hint",
                "required",
                "relevant",
                "constraint",
                "constraint_message",
                "calculation",
                "senacs_bloc",
                "senacs_code",
                "senacs_type",
                "senacs_unite",
                "senacs_publics",
                "senacs_departements",
            ],
            [
                "begin_group",
                "E",
                "Salariés et bénévoles",
                "Au 31 décembre de l'année de référence",
                None,
                None,
                None,
                None,
                None,
                "noyau",
            ],
            [
                "integer",
                "E01",
                "Nombre de salariés",
                "Toutes catégories, CDI et CDD",
                "yes",
                None,
                ". >= 0",
                "Un nombre positif",
            ],
            [
                "decimal",
                "E02",
                "Équivalents temps plein",
                None,
                "yes",
                "${E01} > 0",
                ". <= ${E01}",
                "Pas plus d'ETP que de salariés",
                None,
                None,
                None,
                None,
                "ETP",
            ],
            [
                "select_one senacs_oui_non",
                "E12",
                "Un plan de formation existe-t-il ?",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "oui_non",
            ],
            [
                "integer",
                "E13",
                "Nombre de salariés formés",
                None,
                None,
                "${E12} = true()",
                None,
                None,
                None,
                None,
                None,
                None,
                "personnes",
                "CS",
            ],
            ["end_group"],
            ["begin_group", "I", "Module 2027 : numérique", None, None, None, None, None, None, "thematique"],
            ["select_multiple usages", "usages_numeriques", "Usages accompagnés", None, "yes"],
            [
                "integer",
                "nb_ateliers_numeriques",
                "Ateliers numériques dans l'année",
                None,
                None,
                "count-selected(${usages_numeriques}) > 0 and not(selected(${usages_numeriques}, 'aucun'))",
                ". >= 0",
            ],
            [
                "calculate",
                "ateliers_par_etp",
                None,
                None,
                None,
                None,
                None,
                None,
                "if(${E02} > 0, round(${nb_ateliers_numeriques} div ${E02}, 1), 0)",
            ],
            ["end_group"],
            ["begin_group", "J", "Questions du Rhône", None, None, None, None, None, None, "local"],
            [
                "select_one senacs_oui_non",
                "J01",
                "Participez-vous au réseau numérique du Rhône ?",
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                "oui_non",
                None,
                None,
                "69",
            ],
            ["end_group"],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["senacs_oui_non", "oui", "Oui"],
            ["senacs_oui_non", "non", "Non"],
            ["usages", "demarches", "Démarches administratives en ligne"],
            ["usages", "materiel", "Prise en main du matériel"],
            ["usages", "aucun", "Aucun accompagnement"],
        ],
        "settings": [["form_title", "version"], ["Questionnaire SENACS 2027 (données 2026)", "2027"]],
        "senacs_regles": [
            ["code", "gravite", "publics", "questions", "expression", "message"],
            [
                "R01",
                "bloquant",
                "CS EVS",
                "E01 E02",
                "${E02} <= ${E01}",
                "Le nombre d'ETP (E02 = {E02}) dépasse le nombre de salariés (E01 = {E01}).",
            ],
        ],
    },
)
CHEMIN_EXEMPLE = DOSSIER.parents[1] / "docs" / "exemples" / "questionnaire-2027.xlsx"

# Fichier → None (accepté) ou liste des erreurs attendues, dans l'ordre.
ATTENDUS: dict[str, list[str] | None] = {
    "kobo_accueil_jeunes.xlsx": None,
    "odk_activites_sans_settings.xlsx": None,
    "majuscules_label_fr.xlsx": None,
    "or_other.xlsx": None,
    "commentaires_et_colonnes.xlsx": None,
    "groupes_imbriques.xlsx": None,
    "noyau_senacs_code.xlsx": None,
    "noyau_noms_libres.xlsx": [
        "Feuille « survey », ligne 3, colonne « name » : nb_salaries : code « nb_salaries » invalide : une lettre "
        "majuscule, deux chiffres, puis des majuscules, chiffres ou « _ » (ex. « B07 », « H02A ») (convention du "
        "noyau national).",
    ],
    "terrain_gps_photo.xlsx": [
        "Feuille « survey », ligne 3, colonne « type » : type « geopoint » non pris en charge : géolocalisation.",
        "Feuille « survey », ligne 4, colonne « type » : type « image » non pris en charge : photo (pièce jointe).",
        "Feuille « survey », ligne 5, colonne « type » : type « time » non pris en charge : heure (time, dateTime).",
        "Feuille « survey », ligne 6, colonne « type » : type « range » non pris en charge : curseur (range).",
    ],
    "repetition_salaries.xlsx": [
        "Feuille « survey », ligne 3, colonne « repeat_count » : colonne « repeat_count » (répétitions) non prise en "
        "charge.",
        "Feuille « survey », ligne 3, colonne « type » : type « begin_repeat » : les répétitions (repeat) ne sont "
        "pas prises en charge.",
        "Feuille « survey », ligne 5, colonne « type » : type « end_repeat » : les répétitions (repeat) ne sont pas "
        "prises en charge.",
    ],
    "pulldata_fichier_externe.xlsx": [
        "Feuille « survey », ligne 2, colonne « type » : type « select_one_from_file communes.csv » non pris en "
        "charge : choix lus dans un fichier externe (select_one_from_file).",
        "Feuille « survey », ligne 3, colonne « calculation » : expression « pulldata('communes', 'population', "
        "'code', ${commune}) » invalide : Fonction inconnue « pulldata » (caractère 1).",
    ],
    "cascade_choice_filter.xlsx": None,
}


def ecrire(chemin: Path, moteur: str, feuilles: dict[str, list[list]]) -> Path:
    if moteur == "openpyxl":
        from openpyxl import Workbook

        classeur = Workbook()
        classeur.remove(classeur.active)
        for nom, lignes in feuilles.items():
            feuille = classeur.create_sheet(nom)
            for ligne in lignes:
                feuille.append(list(ligne))
        classeur.properties.created = classeur.properties.modified = datetime.datetime(2026, 1, 1)
        classeur.save(chemin)
        return chemin
    import xlsxwriter

    classeur = xlsxwriter.Workbook(str(chemin))
    classeur.set_properties({"created": datetime.datetime(2026, 1, 1)})
    for nom, lignes in feuilles.items():
        feuille = classeur.add_worksheet(nom)
        for i, ligne in enumerate(lignes):
            for j, valeur in enumerate(ligne):
                if valeur is not None:
                    feuille.write(i, j, valeur)
    classeur.close()
    return chemin


def main(dossier: Path = DOSSIER, exemple: Path = CHEMIN_EXEMPLE) -> list[Path]:
    exemple.parent.mkdir(parents=True, exist_ok=True)
    ecrits = [ecrire(dossier / nom, moteur, feuilles) for nom, (moteur, feuilles) in FORMULAIRES.items()]
    return ecrits + [ecrire(exemple, *EXEMPLE)]


if __name__ == "__main__":
    for chemin in main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOSSIER):
        print(chemin)
