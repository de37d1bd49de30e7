"""Paramètres de calibrage des données de démonstration (docs partagés : calibration.md §1 à §4).

Toutes les valeurs marquées [I] dans calibration.md sont des hypothèses de travail : elles servent à
produire un jeu réaliste, pas à décrire le réseau réel.
"""

# --- Univers (calibration §1) ----------------------------------------------------------------------

ANNEE_REGISTRE = 2025  # dernière année de données : le registre actuel est celui de fin 2025 (campagne 2026)
FIN_AGREMENT_COURANT = (2026, 12, 31)  # un agrément en cours couvre toute l'année 2026
PREMIERE_ANNEE_HISTOIRE = 2020  # créations et fermetures simulées à partir de 2020

CROISSANCE = {"CS": 0.008, "EVS": 0.055}  # croissance nette annuelle du parc
TAUX_FERMETURE = 0.01  # fermetures par an, rapportées au parc de l'année précédente

# --- Géographie (calibration §2) -------------------------------------------------------------------

# Région : (centres sociaux, espaces de vie sociale) actifs aujourd'hui.
ALLOCATION_REGIONALE: dict[str, tuple[int, int]] = {
    "11": (354, 171),  # Île-de-France
    "84": (349, 205),  # Auvergne-Rhône-Alpes
    "32": (313, 122),  # Hauts-de-France
    "75": (227, 198),  # Nouvelle-Aquitaine
    "76": (194, 198),  # Occitanie
    "44": (201, 142),  # Grand Est
    "93": (193, 103),  # Provence-Alpes-Côte d'Azur
    "52": (130, 115),  # Pays de la Loire
    "53": (92, 112),  # Bretagne
    "28": (107, 92),  # Normandie
    "27": (91, 92),  # Bourgogne-Franche-Comté
    "24": (75, 79),  # Centre-Val de Loire
    "94": (6, 7),  # Corse
    "04": (28, 22),  # La Réunion
    "01": (7, 10),  # Guadeloupe
    "02": (6, 9),  # Martinique
    "03": (4, 7),  # Guyane
    "06": (3, 6),  # Mayotte
}

# Population approximative des départements, en milliers d'habitants (ordre de grandeur récent).
POPULATION_MILLIERS: dict[str, int] = {
    "01": 660, "02": 530, "03": 335, "04": 165, "05": 141, "06": 1100, "07": 330, "08": 270, "09": 155,
    "10": 310, "11": 375, "12": 280, "13": 2050, "14": 700, "15": 144, "16": 350, "17": 660, "18": 300,
    "19": 240, "2A": 160, "2B": 185, "21": 535, "22": 600, "23": 115, "24": 415, "25": 545, "26": 520,
    "27": 600, "28": 430, "29": 920, "30": 750, "31": 1420, "32": 190, "33": 1650, "34": 1200, "35": 1100,
    "36": 218, "37": 610, "38": 1270, "39": 258, "40": 420, "41": 330, "42": 765, "43": 228, "44": 1450,
    "45": 680, "46": 175, "47": 330, "48": 76, "49": 820, "50": 495, "51": 565, "52": 170, "53": 307,
    "54": 730, "55": 183, "56": 760, "57": 1045, "58": 200, "59": 2610, "60": 830, "61": 280, "62": 1460,
    "63": 660, "64": 690, "65": 230, "66": 480, "67": 1150, "68": 765, "69": 1900, "70": 235, "71": 550,
    "72": 565, "73": 440, "74": 830, "75": 2130, "76": 1250, "77": 1420, "78": 1450, "79": 375, "80": 570,
    "81": 390, "82": 260, "83": 1090, "84": 560, "85": 690, "86": 440, "87": 370, "88": 360, "89": 335,
    "90": 140, "91": 1300, "92": 1630, "93": 1650, "94": 1400, "95": 1250, "971": 385, "972": 360,
    "973": 285, "974": 870, "976": 300,
}  # fmt: skip

EXPOSANT_CS = 1.15  # répartition infra-régionale : population ** 1.15 pour les CS (plancher 2)
EXPOSANT_EVS = 0.8  # et population ** 0.8 pour les EVS (plancher 3)
PLANCHER = {"CS": 2, "EVS": 3}

# Ancres connues (calibration §2) : (CS, EVS), None = réparti selon la règle.
ANCRES: dict[str, tuple[int | None, int | None]] = {
    "59": (148, None),  # Nord ≈ 145–150 CS
    "13": (99, None),  # Bouches-du-Rhône = 99 CS
    "57": (41, None),  # Moselle ≈ 41 CS
    "06": (13, 10),  # Alpes-Maritimes ≈ 13 CS + 10 EVS
}

# Départements minuscules, plafonnés pour exercer le secret statistique : (CS, EVS) actifs.
PETITS_DEPARTEMENTS: dict[str, tuple[int, int]] = {
    "976": (1, 1),  # Mayotte
    "973": (2, 2),  # Guyane
    "48": (1, 2),  # Lozère
    "23": (1, 3),  # Creuse
    "90": (2, 3),  # Territoire de Belfort
    "2A": (2, 2),  # Corse-du-Sud
}

# Départements entièrement urbains (aucune structure « rurale »).
DEPARTEMENTS_URBAINS = frozenset({"75", "92", "93", "94"})

# Part des structures urbaines implantées dans le chef-lieu (défaut 0,35).
PART_CHEF_LIEU = {"75": 1.0, "13": 0.62, "69": 0.42, "59": 0.22, "31": 0.6, "33": 0.4, "67": 0.55, "44": 0.5}
PART_CHEF_LIEU_DEFAUT = 0.35
PART_COMMUNES_CONNUES = 0.75  # part des autres urbaines dans les communes listées (communes-demo.csv)

# Zones infra-départementales : département → [(numéro, nom, communes INSEE ou None pour le reste)].
ZONES: dict[str, list[tuple[int, str, tuple[str, ...] | None]]] = {
    "69": [
        (1, "Lyon", ("69123",)),
        (
            2,
            "Villeurbanne et Est lyonnais",
            ("69266", "69256", "69029", "69259", "69290", "69199", "69286", "69275", "69282"),
        ),
        (3, "Sud et Ouest lyonnais", ("69149", "69091", "69202", "69244", "69081")),
        (4, "Reste du département", None),
    ],
    "59": [
        (1, "Lille et Villeneuve-d'Ascq", ("59350", "59009", "59017")),
        (2, "Roubaix – Tourcoing", ("59512", "59599", "59650")),
        (3, "Dunkerquois et Flandre", ("59183", "59295")),
        (4, "Hainaut – Cambrésis – Douaisis", ("59606", "59172", "59392", "59122", "59178")),
        (5, "Reste du département", None),
    ],
    "33": [
        (1, "Bordeaux Métropole", ("33063", "33281", "33318", "33522", "33039", "33249", "33119", "33167")),
        (2, "Libournais", ("33243",)),
        (3, "Reste du département", None),
    ],
}

# --- Variables de structure (calibration §3) -------------------------------------------------------

PART_URBAIN = {"CS": 0.78, "EVS": 0.45}
SENSIBILITE_URBAIN = 0.8  # effet de la taille du département sur la probabilité d'être urbain

# Géographie prioritaire selon type et territoire : (qpv, aupres_qpv) ; le reste est non concerné.
GEOGRAPHIE = {
    ("CS", "urbain"): (0.473, 0.131),
    ("CS", "rural"): (0.052, 0.082),
    ("EVS", "urbain"): (0.323, 0.167),
    ("EVS", "rural"): (0.008, 0.045),
}

TAILLE = {
    ("CS", "urbain"): {"quartier": 38.5, "quartiers": 28.2, "commune": 26.4, "communes": 5.4, "intercommunalite": 1.5},
    ("CS", "rural"): {"commune": 20, "communes": 40, "intercommunalite": 40},
    ("EVS", "urbain"): {"quartier": 35, "quartiers": 20, "commune": 35, "communes": 7, "intercommunalite": 3},
    ("EVS", "rural"): {"commune": 45, "communes": 40, "intercommunalite": 15},
}

MODE_GESTION = {
    ("CS", "urbain"): {
        "associatif": 72.2, "collectivite": 24, "intercommunalite": 0.8, "caf": 2, "cogestion": 0.6, "autre": 0.4,
    },
    ("CS", "rural"): {
        "associatif": 62, "collectivite": 24, "intercommunalite": 11, "caf": 2, "cogestion": 0.6, "autre": 0.4,
    },
    ("EVS", "urbain"): {"associatif": 92, "collectivite": 7, "autre": 1},
    ("EVS", "rural"): {"associatif": 92, "collectivite": 7, "autre": 1},
}  # fmt: skip

ADHESION_FCSF = {
    "associatif": 0.75,
    "collectivite": 0.35,
    "intercommunalite": 0.35,
    "caf": 0.05,
    "cogestion": 0.5,
    "autre": 0.3,
}
ADHESION_FCSF_EVS = 0.25

AUTRE_FEDERATION_PART = 0.15
AUTRE_FEDERATION_PART_13 = 0.35  # six fédérations opèrent dans les Bouches-du-Rhône
AUTRES_FEDERATIONS = {
    "leo_lagrange": 3,
    "ligue": 3,
    "cco": 1,
    "ifac": 2,
    "mjc": 3,
    "familles_rurales": 2,
    "autre": 1,
}

# (gens du voyage, multi-sites, itinérante)
PARTICULARITES = {"CS": (0.02, 0.15, 0.03), "EVS": (0.01, 0.08, 0.05)}

ZFRR = {"rural": 0.45, "urbain": 0.03}

# --- Agrément et population (calibration §4) ----------------------------------------------------------

DUREES_AGREMENT = {"CS": {4: 75, 3: 12, 2: 8, 1: 5}, "EVS": {4: 60, 3: 15, 2: 15, 1: 10}}

# Première année d'agrément des structures antérieures à 2020 : (début, fin, part du parc actuel).
# Pour les EVS, le §4 (50 % agréés en 2018–2024) contredit la croissance du §1 (≈ 80 à 100 créations
# par an) : on garde la croissance, d'où ≈ 36 % d'EVS agréés depuis 2018 et une ancienneté plus étalée.
PREMIER_AGREMENT = {
    "CS": [(1965, 1990, 0.30), (1991, 2010, 0.30)],  # le reste : 2011–2019, croissant
    "EVS": [(1998, 2009, 0.18), (2010, 2017, 0.38)],  # le reste : 2018–2019
}
PREMIER_AGREMENT_RECENT = {"CS": (2011, 2019), "EVS": (2018, 2019)}

POPULATION_MEDIANE = {"CS": 12_000, "EVS": 4_000}
POPULATION_SIGMA = 0.9
POPULATION_BORNES = (500, 150_000)
POPULATION_RURAL_CS = 0.6

# --- Campagnes --------------------------------------------------------------------------------------

ANNEES_CAMPAGNES = (2021, 2022, 2023, 2024, 2025, 2026)
CAMPAGNE_EN_COURS = 2026
VERSION_QUESTIONNAIRE = "{annee}"  # version des fichiers questionnaires/AAAA.yaml
TAUX_REPONSE = {"CS": 0.90, "EVS": 0.80}
TAUX_REPONSE_BORNES = (0.75, 1.0)  # dispersion départementale (CS)
PART_COMMENCEES_EN_COURS = 0.40  # campagne en cours : part des structures attendues qui ont commencé
PART_SOUMISES_PARMI_COMMENCEES = 0.30

# --- Réponses au questionnaire (calibration §5 à §9) -----------------------------------------------------
# Les montants sont ceux de la dernière année de données (2025) ; les années précédentes suivent
# NIVEAU_PRIX. Les médianes des lois log-normales sont avant les multiplicateurs.

ANNEES_DONNEES = tuple(a - 1 for a in ANNEES_CAMPAGNES)  # 2020 à 2025
NIVEAU_PRIX = {2020: 0.87, 2021: 0.89, 2022: 0.93, 2023: 0.97, 2024: 0.99, 2025: 1.0}  # [I] inflation
EFFET_COVID = {"H01": 0.85, "D01": 0.9, "F18": 0.6}  # données 2020 : fréquentation, bénévoles, usagers

# §7 budget (total des produits, F04) : médiane, sigma log, bornes ; multiplicateurs des CS.
BUDGET = {"CS": (500_000, 0.70, 80_000, 4_000_000), "EVS": (55_000, 0.80, 5_000, 380_000)}
BUDGET_QPV, BUDGET_RURAL, BUDGET_CAF = 1.15, 0.75, 1.10
# Résultat : charges = produits × (1 − r) ; r ~ N(0,0115 ; 0,03) donne ≈ 35 % de déficits (le N(0,005 ;
# 0,03) du §7 en donnerait 43 %).
RESULTAT_MOYEN, RESULTAT_ECART_STRUCTURE, RESULTAT_ECART_ANNUEL = 0.0115, 0.020, 0.022
PART_PERSONNEL = {"CS": (0.70, 0.045, 0.55, 0.82), "EVS": (0.66, 0.07, 0.46, 0.80)}  # moyenne, écart, bornes
# Coût d'un ETP (F03 / E02) : la médiane des CS (32 k€) concilie budget médian, 20 salariés médians et
# un ratio ETP/salariés de 0,55 (§5) ; les 38 k€ ± 6 k€ du §7 donneraient ≈ 16 salariés médians.
COUT_ETP = {"CS": (32_000, 0.20), "EVS": (28_000, 0.15)}
COUT_ETP_BORNES = (26_500, 66_000)  # R06c : 25 000 à 70 000 €
RATIO_ETP = {"CS": (0.55, 0.12), "EVS": (0.65, 0.12)}  # E02 / E01 (§5)
RATIO_ETP_BORNES = (0.25, 0.95)
ETP_MINIMUM_CS = 2.0
EVS_SANS_SALARIE = 0.10  # plus les EVS trop petits pour un salarié : ≈ 12 % en tout
DIRECTION_CS = (0.85, 0.12)  # 1 ETP, 0,5–0,9 ETP ; le reste au-delà d'un ETP
REFERENT_FAMILLE = {"CS": 0.92, "EVS": 0.15}
PROJET_FAMILLE_SI_REFERENT = 0.90  # B05 (ACF agréé) parmi les CS qui ont un référent famille

# Prestations de la Caf plafonnées (§7) : AGC ~ U(45 k ; 80 k), ACF ~ U(12 k ; 28 k), en euros 2025.
AGC = (45_000, 80_000)
ACF = (12_000, 28_000)
AGC_PART_MAX, ACF_PART_MAX = 0.25, 0.10
# Répartition des autres financements (§7) : parts moyennes en % (Dirichlet de concentration ×40 pour
# les CS, ×30 pour les EVS), hors AGC et ACF pour les CS (leurs montants viennent des plafonds).
FINANCEMENTS = {
    "CS": {
        "F09": 11, "F10": 3, "F11": 31, "F12": 4, "F13": 5, "F14": 1.5, "F15": 7, "F16": 0.5, "F17": 2,
        "F18": 10, "F19": 1.5, "F20": 7.5,
    },
    "EVS": {
        "F08": 30, "F09": 5, "F10": 5, "F11": 22, "F12": 4, "F13": 5, "F14": 2, "F15": 6, "F16": 1, "F17": 2,
        "F18": 8, "F19": 4, "F20": 6,
    },
}  # fmt: skip
CONCENTRATION_FINANCEMENTS = {"CS": 40, "EVS": 30}
SEUIL_LIGNE_FINANCEMENT = 300  # en deçà, la ligne vaut 0 (financeur absent)

# §5 et §6 : effectifs, bénévoles, heures.
BENEVOLES_ACTIVITE = {"CS": (22, 0.87), "EVS": (15, 0.80)}  # médiane, sigma log
BENEVOLES_GOUVERNANCE = {"associatif": (12, 0.40, 5, 30), "autre": (5, 0.40, 2, 15), "EVS": (8, 0.45, 3, 20)}
HEURES_PAR_BENEVOLE = (55, 0.60, 8, 350)  # médiane (moyenne ≈ 66 h), sigma log, bornes (R11a : 500 h)
JEUNES_BENEVOLES = {"CS": 4.5, "EVS": 1.5}
ASSOCIATIONS_HEBERGEES = {"CS": (8, 0.80, 60), "EVS": (3, 0.80, 30)}  # moyenne CS ≈ 11 (§6)

# §8 : personnes touchées et répartition par âge.
PERSONNES_TOUCHEES = {"CS": (800, 0.80), "EVS": (200, 0.80)}
PARTS_AGES = {
    "CS": (0.08, 0.22, 0.13, 0.07, 0.35, 0.15),
    "EVS": (0.08, 0.18, 0.10, 0.06, 0.36, 0.22),
}
CONCENTRATION_AGES = 30
# Prévalence des actions (oui/non) pour les CS ; EVS × 0,6 sauf lien social et famille (§8).
ACTIONS = {
    "H03": 0.90, "H05": 0.75, "H07": 0.75, "H10": 0.97, "H13": 0.80, "H16": 0.75, "H17": 0.08, "H18": 0.62,
    "H19": 0.50, "H20": 0.93, "H21": 0.84, "H22": 0.84, "H23": 0.35, "H24": 0.45, "H25": 0.40,
}  # fmt: skip
ACTIONS_EVS_INCHANGEES = {"H10": 0.85, "H13": 0.70}
FACTEUR_EVS = 0.6

# §9 : corrélations (échelle log) et stabilité d'une année sur l'autre.
CORRELATION_BUDGET_PUBLIC = 0.8
CORRELATION_BUDGET_BENEVOLES = 0.47  # latente : ≈ 0,4 entre log budget et log bénévoles après arrondis
AR_RHO = 0.95  # log budget (et autres grandeurs) : AR(1), écart annuel ≈ 0,08
PART_ANNUELLE = 0.134  # part de la variance propre à l'année : 0,7 × √(0,134 × 2 × 0,05) ≈ 0,08
PERSISTANCE_OUI_NON = (0.15, 0.8)  # part annuelle, rho : ≈ 5 % de réponses changent d'une année à l'autre
PART_ANOMALIES = 0.03
