"""Registre de démonstration : fédérations, gestionnaires, zones, structures et historique d'agréments.

Calibration (docs partagés, calibration.md) :
- §1 : 2 380 CS et 1 690 EVS actifs ; croissance nette +0,8 %/an (CS) et +5,5 %/an (EVS), 1 % de
  fermetures par an ; les créations et fermetures de 2020 à 2025 sont simulées année par année.
- §2 : répartition régionale puis départementale (population ** 1,15 pour les CS, ** 0,8 pour les EVS,
  planchers 2 et 3), ancres Nord, Bouches-du-Rhône, Moselle, Alpes-Maritimes ; six départements
  plafonnés à 1–5 structures pour exercer le secret statistique.
- §3 : variables d'identité (urbain/rural, QPV, taille du territoire, mode de gestion, adhésions…).
- §4 : date du premier agrément, puis agréments contigus de 1 à 4 ans (4 ans le plus souvent).

Compromis assumés, parce que les hypothèses [I] du calibrage ne sont pas toutes compatibles :
- les créations 2020–2025 suivent exactement la croissance du §1 (≈ 41 CS et 80 à 105 EVS par an) ;
  il reste ≈ 37 % de CS agréés en 2011–2024 (40 % au §4) et ≈ 36 % d'EVS agréés depuis 2018 (50 % au
  §4, ce qui supposerait une croissance bien plus forte) ; les parts anciennes du §4 sont respectées ;
- les durées du §4 (4 ans : 75 %…) décrivent l'agrément *en cours* ; les périodes sont tirées
  proportionnellement à part / durée pour que l'agrément en cours suive bien ces parts.
"""

import datetime
import math
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from core.demo import calibrage, geographie, noms
from core.demo.identifiants import siren, siret
from core.demo.modeles import FederationDemo, GestionnaireDemo, PeriodeAgrement, StructureDemo, ZoneDemo
from core.territoires import departements, departements_par_code

DOMAINE_FICTIF = "exemple-senacs.fr"
C = TypeVar("C", str, int)


@dataclass(slots=True)
class _Gestionnaire:
    siren: str
    nom: str
    nature: str
    etablissements: int = 0


@dataclass(slots=True)
class _Structure:
    """Structure en cours de fabrication (l'identifiant est attribué à la fin)."""

    type: str
    departement: str
    nom: str
    siret: str
    adresse: str
    commune: geographie.Commune
    code_postal: str
    gestionnaire: str
    mode_gestion: str
    type_territoire: str
    taille_territoire: str
    geographie_prioritaire: str
    adherent_fcsf: bool
    autre_federation: str
    gens_du_voyage: bool
    multi_sites: bool
    itinerante: bool
    nombre_sites: int
    population_zone: int
    annee_creation: int
    zfrr: bool
    date_premier_agrement: datetime.date
    active: bool
    date_fermeture: datetime.date | None
    agrements: tuple[PeriodeAgrement, ...]
    historique: str
    derive_population: float


def choix_pondere(rng: random.Random, table: Mapping[C, float]) -> C:
    """Une clé tirée selon les poids (un seul appel au générateur, dans l'ordre d'insertion)."""
    cles = list(table)
    return rng.choices(cles, weights=[table[c] for c in cles])[0]


def plus_ans(jour: datetime.date, ans: int) -> datetime.date:
    try:
        return jour.replace(year=jour.year + ans)
    except ValueError:  # 29 février
        return jour.replace(year=jour.year + ans, day=28)


def slug(texte: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower()
    mots = "".join(c if c.isalnum() else " " for c in ascii_).split()
    return "-".join(mots)


def flux_annuels(type_structure: str, actifs: int) -> tuple[dict[int, float], dict[int, float]]:
    """Créations et fermetures attendues chaque année de 2020 à 2025 (parc actuel = ``actifs``)."""
    croissance = calibrage.CROISSANCE[type_structure]
    fin = calibrage.ANNEE_REGISTRE
    debut = calibrage.PREMIERE_ANNEE_HISTOIRE
    parc = {a: actifs / (1 + croissance) ** (fin - a) for a in range(debut - 1, fin + 1)}
    creations = {a: parc[a] - parc[a - 1] + calibrage.TAUX_FERMETURE * parc[a - 1] for a in range(debut, fin + 1)}
    fermetures = {a: calibrage.TAUX_FERMETURE * parc[a - 1] for a in range(debut, fin + 1)}
    return creations, fermetures


def poids_premier_agrement(type_structure: str, actifs: int) -> dict[int, float]:
    """Loi de l'année du premier agrément des structures actives (calibration §4 et §1)."""
    creations, _ = flux_annuels(type_structure, actifs)
    part_recente = sum(creations.values()) / actifs
    poids: dict[int, float] = {}
    for debut, fin, part in calibrage.PREMIER_AGREMENT[type_structure]:
        for annee in range(debut, fin + 1):
            poids[annee] = part / (fin - debut + 1)
    reste = 1 - sum(p for *_, p in calibrage.PREMIER_AGREMENT[type_structure]) - part_recente
    debut, fin = calibrage.PREMIER_AGREMENT_RECENT[type_structure]
    croissants = {a: 10.0 + a - debut for a in range(debut, fin + 1)}  # la part récente croît chaque année
    somme = sum(croissants.values())
    for annee, w in croissants.items():
        poids[annee] = reste * w / somme
    for annee, n in creations.items():
        poids[annee] = n / actifs
    return poids


def repartir_annees(total: int, attendus: dict[int, float]) -> dict[int, int]:
    """Arrondit des effectifs annuels attendus en entiers de somme ``total`` (plus forts restes)."""
    entiers = {a: int(n) for a, n in attendus.items()}
    for a in sorted(attendus, key=lambda a: (entiers[a] - attendus[a], a))[: total - sum(entiers.values())]:
        entiers[a] += 1
    return entiers


def date_dans_annee(rng: random.Random, annee: int) -> datetime.date:
    u = rng.random()
    if u < 0.4:
        return datetime.date(annee, 1, 1)
    if u < 0.7:
        return datetime.date(annee, rng.randint(2, 12), 1)
    return datetime.date(annee, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def periodes_agrement(
    rng: random.Random, type_structure: str, debut: datetime.date, annee_fermeture: int | None
) -> tuple[PeriodeAgrement, ...]:
    """Agréments contigus de 1 à 4 ans depuis le premier ; le dernier couvre 2026 pour une structure
    active, ou se termine dans l'année de fermeture (non-renouvellement)."""
    # Les parts du calibrage décrivent l'agrément *en cours* : un agrément long a plus de chances d'être
    # en cours à une date donnée (biais de durée), d'où un tirage proportionnel à part / durée.
    durees = {ans: part / ans for ans, part in calibrage.DUREES_AGREMENT[type_structure].items()}
    fin_courant = datetime.date(*calibrage.FIN_AGREMENT_COURANT)
    periodes: list[PeriodeAgrement] = []
    while True:
        ans = choix_pondere(rng, durees)
        fin = plus_ans(debut, ans) - datetime.timedelta(days=1)
        if annee_fermeture is None:
            periodes.append(PeriodeAgrement(debut, fin))
            if fin >= fin_courant:
                return tuple(periodes)
        elif fin < datetime.date(annee_fermeture, 1, 1):
            periodes.append(PeriodeAgrement(debut, fin))
        else:
            while ans > 1 and fin > datetime.date(annee_fermeture, 12, 31):
                ans -= 1
                fin = plus_ans(debut, ans) - datetime.timedelta(days=1)
            periodes.append(PeriodeAgrement(debut, fin))
            return tuple(periodes)
        debut = fin + datetime.timedelta(days=1)


class FabriqueRegistre:
    """Fabrique le registre complet, de façon déterministe à partir d'un générateur aléatoire."""

    def __init__(self, graine: int, taille: float):
        self.rng = random.Random(f"senacs-demo:{graine}:registre")
        self.taille = taille
        self.allocation = geographie.allocation(taille)
        self.p_urbain = geographie.probabilites_urbain(self.allocation)
        self.federation_locale = geographie.federation_locale_par_departement()
        self.chefs_lieux = geographie.chefs_lieux()
        self.communes_connues = geographie.communes_connues()
        self.gestionnaires: dict[str, _Gestionnaire] = {}  # clé métier → gestionnaire
        self.sirens: set[str] = set()
        self.noms_utilises: set[tuple[str, str]] = set()  # (département, nom)
        self.villes_fictives: dict[str, list[geographie.Commune]] = {}
        self.villages_fictifs: dict[str, list[geographie.Commune]] = {}
        self.codes_communes: dict[str, set[str]] = {}
        self.noms_communes: dict[str, set[str]] = {}
        self.epci: dict[str, list[str]] = {}  # département → clés de gestionnaires intercommunaux
        actifs = {t: sum(v.values()) for t, v in self.allocation.items()}
        self.poids_annees = {t: poids_premier_agrement(t, n) for t, n in actifs.items()}
        self.annees_actives = {t: self._annees_premier_agrement(t, n) for t, n in actifs.items()}
        self.fermetures = {t: flux_annuels(t, n)[1] for t, n in actifs.items()}

    def _annees_premier_agrement(self, type_structure: str, actifs: int) -> list[int]:
        """Années du premier agrément des structures actives, dans un ordre aléatoire : les créations
        2020–2025 en nombre exact (croissance du §1), les autres tirées selon le §4."""
        creations, _ = flux_annuels(type_structure, actifs)
        exactes = repartir_annees(round(sum(creations.values())), creations)
        annees = [annee for annee, n in sorted(exactes.items()) for _ in range(n)]
        anciennes = {
            a: p for a, p in self.poids_annees[type_structure].items() if a < calibrage.PREMIERE_ANNEE_HISTOIRE
        }
        annees += self.rng.choices(list(anciennes), weights=list(anciennes.values()), k=actifs - len(annees))
        self.rng.shuffle(annees)
        return annees

    # --- Communes --------------------------------------------------------------------------------

    def _commune_fictive(self, departement: str) -> geographie.Commune:
        rng = self.rng
        codes = self.codes_communes.setdefault(
            departement,
            {self.chefs_lieux[departement].code_insee}
            | {c.code_insee for c in self.communes_connues.get(departement, ())},
        )
        noms_pris = self.noms_communes.setdefault(departement, set())
        for _ in range(50):
            nom = rng.choice(noms.RACINES_COMMUNES) + rng.choice(noms.COMPLEMENTS_COMMUNES)
            if nom not in noms_pris:
                break
        else:
            nom = f"{nom}-{len(noms_pris)}"
        noms_pris.add(nom)
        while True:
            if len(departement) == 3:
                code = f"{departement}{rng.randint(1, 60):02d}"
            else:
                code = f"{departement}{rng.randint(1, 899):03d}"
            if code not in codes:
                codes.add(code)
                break
        return geographie.Commune(code, nom, rng.choice(geographie.codes_postaux_possibles(departement)))

    def _placer(self, departement: str, urbain: bool, qpv: bool) -> tuple[geographie.Commune, str]:
        """Commune et code postal d'une structure."""
        rng = self.rng
        if urbain:
            part = calibrage.PART_CHEF_LIEU.get(departement, calibrage.PART_CHEF_LIEU_DEFAUT)
            connues = self.communes_connues.get(departement, ())
            if rng.random() < part:
                commune = self.chefs_lieux[departement]
            elif connues and rng.random() < calibrage.PART_COMMUNES_CONNUES:
                commune = rng.choice(connues)
            else:
                villes = self.villes_fictives.setdefault(departement, [])
                if not villes or rng.random() < 2 / (len(villes) + 2):
                    villes.append(self._commune_fictive(departement))
                commune = rng.choice(villes)
        else:
            villages = self.villages_fictifs.setdefault(departement, [])
            if villages and rng.random() < 0.1:
                commune = rng.choice(villages)
            else:
                commune = self._commune_fictive(departement)
                villages.append(commune)
        arrondissements = geographie.codes_postaux_grandes_villes(commune.code_insee)
        if arrondissements:
            if qpv:  # quartiers prioritaires plutôt dans les derniers arrondissements
                code_postal = rng.choice(arrondissements[len(arrondissements) // 2 :])
            else:
                code_postal = rng.choice(arrondissements)
        else:
            code_postal = commune.code_postal
        return commune, code_postal

    # --- Noms, adresses, gestionnaires -----------------------------------------------------------

    def _nom(self, type_structure: str, urbain: bool, departement: str, commune: geographie.Commune) -> str:
        rng = self.rng
        if type_structure == "CS":
            modeles = noms.MODELES_CS_URBAIN if urbain else noms.MODELES_CS_RURAL
        else:
            modeles = noms.MODELES_EVS_URBAIN if urbain else noms.MODELES_EVS_RURAL
        table = {modele: float(poids) for modele, poids in modeles}
        nom = ""
        for _ in range(30):
            nom = choix_pondere(rng, table).format(
                personnalite=rng.choice(noms.PERSONNALITES),
                lieu=rng.choice(noms.LIEUX),
                evs=rng.choice(noms.NOMS_EVS),
                de_commune=geographie.de_commune(commune.nom),
            )
            if (departement, nom) not in self.noms_utilises:
                break
        else:
            base, rang = f"{nom} – {commune.nom}", 2
            nom = base
            while (departement, nom) in self.noms_utilises:
                nom, rang = f"{base} {rang}", rang + 1
        self.noms_utilises.add((departement, nom))
        return nom

    def _adresse(self, urbain: bool) -> str:
        rng = self.rng
        if urbain:
            return f"{rng.randint(1, 120)} {rng.choice(noms.TYPES_VOIE_URBAINS)} {rng.choice(noms.NOMS_VOIE)}"
        modele = rng.choice(noms.ADRESSES_RURALES)
        voisine = rng.choice(noms.RACINES_COMMUNES)
        return modele.format(n=rng.randint(1, 30), commune=voisine)

    def _nouveau_siren(self, prefixes: str) -> str:
        rng = self.rng
        while True:
            prefixe = rng.choice(prefixes.split())
            corps = prefixe + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefixe)))
            numero = siren(corps)
            if numero not in self.sirens:
                self.sirens.add(numero)
                return numero

    def _gestionnaire(self, cle: str, nom: str, nature: str, prefixes: str) -> _Gestionnaire:
        if cle not in self.gestionnaires:
            self.gestionnaires[cle] = _Gestionnaire(self._nouveau_siren(prefixes), nom, nature)
        return self.gestionnaires[cle]

    def _gerer(
        self, mode: str, type_structure: str, nom: str, departement: str, commune: geographie.Commune, urbain: bool
    ) -> _Gestionnaire:
        """Organisme gestionnaire : chaque association gère sa structure ; une commune, un CCAS, une
        intercommunalité ou une Caf peuvent en gérer plusieurs (un seul contributeur pour le secret)."""
        rng = self.rng
        de = geographie.de_commune(commune.nom)
        if mode == "associatif":
            nom_association = nom
            for prefixe in ("Espace de vie sociale ", "EVS "):
                nom_association = nom_association.removeprefix(prefixe)
            nom_association = nom_association.removesuffix(" – espace de vie sociale")
            if nom_association.startswith(("de ", "d'", "du ", "des ")):
                nom_association = nom
            return self._gestionnaire(
                f"asso:{len(self.gestionnaires)}", f"Association {nom_association}", "association", "3 4 5 7 8"
            )
        if mode == "collectivite":
            if rng.random() < 0.55:
                return self._gestionnaire(f"ville:{commune.code_insee}", f"Ville {de}", "commune", "21")
            return self._gestionnaire(f"ccas:{commune.code_insee}", f"CCAS {de}", "ccas", "26")
        if mode == "intercommunalite":
            existants = self.epci.setdefault(departement, [])
            if existants and rng.random() < 0.4:
                return self.gestionnaires[rng.choice(existants)]
            cle = f"epci:{departement}:{len(existants)}"
            if urbain:
                libelle = f"Communauté d'agglomération {de}"
            elif rng.random() < 0.3:
                libelle = f"CIAS du Pays {de}"
            else:
                libelle = f"Communauté de communes du Pays {de}"
            existants.append(cle)
            return self._gestionnaire(cle, libelle, "epci", "24 20")
        if mode == "caf":
            nom_dep = departements_par_code()[departement].nom
            return self._gestionnaire(f"caf:{departement}", f"Caf – {nom_dep}", "caf", "77 78")
        if mode == "cogestion":
            return self._gestionnaire(
                f"cogestion:{len(self.gestionnaires)}", f"Comité de cogestion – {nom}", "autre", "3 4"
            )
        libelle = f"Régie de quartier {de}" if urbain else f"Société publique locale {de}"
        return self._gestionnaire(f"autre:{len(self.gestionnaires)}", libelle, "autre", "5 8")

    # --- Une structure ---------------------------------------------------------------------------

    def _structure(self, type_structure: str, departement: str, annee_fermeture: int | None) -> _Structure:
        rng = self.rng
        urbain = rng.random() < self.p_urbain[type_structure][departement]
        territoire = "urbain" if urbain else "rural"
        p_qpv, p_aupres = calibrage.GEOGRAPHIE[(type_structure, territoire)]
        u = rng.random()
        geo = "qpv" if u < p_qpv else "aupres_qpv" if u < p_qpv + p_aupres else "non_concerne"
        taille = choix_pondere(rng, calibrage.TAILLE[(type_structure, territoire)])
        mode = choix_pondere(rng, calibrage.MODE_GESTION[(type_structure, territoire)])
        p_fcsf = calibrage.ADHESION_FCSF[mode] if type_structure == "CS" else calibrage.ADHESION_FCSF_EVS
        adherent = rng.random() < p_fcsf
        p_autre = calibrage.AUTRE_FEDERATION_PART_13 if departement == "13" else calibrage.AUTRE_FEDERATION_PART
        autre = "non"
        if rng.random() < p_autre:
            table = dict(calibrage.AUTRES_FEDERATIONS)
            if not urbain:
                table["familles_rurales"] *= 4
            autre = choix_pondere(rng, table)
        p_voyage, p_multi, p_itinerante = calibrage.PARTICULARITES[type_structure]
        gens_du_voyage = rng.random() < p_voyage
        multi_sites = rng.random() < p_multi
        itinerante = rng.random() < p_itinerante
        nombre_sites = min(8, 2 + int(rng.expovariate(0.9))) if multi_sites else 1
        mediane = calibrage.POPULATION_MEDIANE[type_structure]
        if type_structure == "CS" and not urbain:
            mediane *= calibrage.POPULATION_RURAL_CS
        bas, haut = calibrage.POPULATION_BORNES
        population = int(min(haut, max(bas, mediane * math.exp(calibrage.POPULATION_SIGMA * rng.gauss(0, 1)))))
        zfrr = rng.random() < calibrage.ZFRR[territoire]

        commune, code_postal = self._placer(departement, urbain, geo == "qpv")

        poids = self.poids_annees[type_structure]
        if annee_fermeture is None:
            annee_agrement = self.annees_actives[type_structure].pop()
        else:
            poids = {a: p for a, p in poids.items() if a < min(annee_fermeture, calibrage.PREMIERE_ANNEE_HISTOIRE)}
            annee_agrement = choix_pondere(rng, poids)
        if mode == "caf" and annee_agrement > 1995:  # gestion directe par la Caf : agréments anciens
            anciens = {a: p for a, p in poids.items() if a <= 1995}
            annee_agrement = choix_pondere(rng, anciens)
        premier = date_dans_annee(rng, annee_agrement)
        annee_creation = annee_agrement if rng.random() < 0.35 else max(1945, annee_agrement - rng.randint(1, 25))
        agrements = periodes_agrement(rng, type_structure, premier, annee_fermeture)

        nom = self._nom(type_structure, urbain, departement, commune)
        adresse = self._adresse(urbain)
        gestionnaire = self._gerer(mode, type_structure, nom, departement, commune, urbain)
        gestionnaire.etablissements += 1
        historique = ""
        if rng.random() < 0.6:
            agrement = "centre social" if type_structure == "CS" else "espace de vie sociale"
            historique = (
                f"Structure créée en {annee_creation} à l'initiative {rng.choice(noms.ORIGINES)} ; "
                f"agréée « {agrement} » par la Caf depuis {annee_agrement}."
            )
        return _Structure(
            type=type_structure,
            departement=departement,
            nom=nom,
            siret=siret(gestionnaire.siren, gestionnaire.etablissements),
            adresse=adresse,
            commune=commune,
            code_postal=code_postal,
            gestionnaire=gestionnaire.siren,
            mode_gestion=mode,
            type_territoire=territoire,
            taille_territoire=taille,
            geographie_prioritaire=geo,
            adherent_fcsf=adherent,
            autre_federation=autre,
            gens_du_voyage=gens_du_voyage,
            multi_sites=multi_sites,
            itinerante=itinerante,
            nombre_sites=nombre_sites,
            population_zone=population,
            annee_creation=annee_creation,
            zfrr=zfrr,
            date_premier_agrement=premier,
            active=annee_fermeture is None,
            date_fermeture=agrements[-1].date_fin if annee_fermeture is not None else None,
            agrements=agrements,
            historique=historique,
            derive_population=round(rng.uniform(-0.005, 0.015), 4),
        )

    # --- Tout le registre ------------------------------------------------------------------------

    def fabriquer(
        self,
    ) -> tuple[
        tuple[FederationDemo, ...], tuple[GestionnaireDemo, ...], tuple[ZoneDemo, ...], tuple[StructureDemo, ...]
    ]:
        rng = self.rng
        brutes: list[_Structure] = []
        for dep in departements():
            for type_structure in ("CS", "EVS"):
                for _ in range(self.allocation[type_structure][dep.code]):
                    brutes.append(self._structure(type_structure, dep.code, None))
        # Fermetures de 2020 à 2025 (jamais dans les petits départements, qui restent à 1–5 structures).
        for type_structure in ("CS", "EVS"):
            candidats = {
                d: float(n)
                for d, n in self.allocation[type_structure].items()
                if d not in calibrage.PETITS_DEPARTEMENTS
            }
            for annee, attendu in sorted(self.fermetures[type_structure].items()):
                for _ in range(round(attendu)):
                    dep = choix_pondere(rng, candidats)
                    brutes.append(self._structure(type_structure, dep, annee))

        federations = tuple(FederationDemo(nom, deps, union) for nom, deps, union in geographie.federations())
        zones, zone_de = self._zones()
        structures = self._identifier(brutes, zone_de)
        gestionnaires = tuple(
            sorted(
                (GestionnaireDemo(g.siren, g.nom, g.nature) for g in self.gestionnaires.values()),
                key=lambda g: g.siren,
            )
        )
        return federations, gestionnaires, zones, structures

    def _zones(self) -> tuple[tuple[ZoneDemo, ...], dict[str, dict[str, str]]]:
        """Zones infra-départementales et, par département, commune INSEE → code de zone (clé "" : reste)."""
        zones: list[ZoneDemo] = []
        zone_de: dict[str, dict[str, str]] = {}
        for dep, definitions in calibrage.ZONES.items():
            correspondance: dict[str, str] = {}
            for numero, nom, communes in definitions:
                code = f"{dep}-Z{numero}"
                zones.append(ZoneDemo(code, nom, dep, communes is None))
                for insee in communes or ():
                    correspondance[insee] = code
                if communes is None:
                    correspondance[""] = code
            zone_de[dep] = correspondance
        return tuple(zones), zone_de

    def _identifier(self, brutes: list[_Structure], zone_de: dict[str, dict[str, str]]) -> tuple[StructureDemo, ...]:
        """Identifiants SENACS stables (par type et département, dans l'ordre d'ancienneté), contacts."""
        rng = self.rng
        regions = {d.code: d.code_region for d in departements()}
        groupes: dict[tuple[str, str], list[_Structure]] = {}
        for s in brutes:
            groupes.setdefault((s.type, s.departement), []).append(s)
        sites_pris: set[str] = set()
        structures: list[StructureDemo] = []
        for (type_structure, dep), membres in sorted(groupes.items()):
            membres.sort(key=lambda s: (s.date_premier_agrement, s.nom, s.siret))
            for rang, s in enumerate(membres, start=1):
                identifiant = f"{type_structure}-{dep}-{rang:04d}"
                site_web = ""
                if rng.random() < 0.75:
                    base = slug(s.nom)
                    if len(base) > 50:  # une étiquette DNS ne dépasse pas 63 caractères
                        base = base[:50].rsplit("-", 1)[0]
                    candidat, n = base, 1
                    while candidat in sites_pris:
                        n += 1
                        candidat = f"{base}-{dep.lower()}" if n == 2 else f"{base}-{dep.lower()}-{n}"
                    sites_pris.add(candidat)
                    site_web = f"https://{candidat}.{DOMAINE_FICTIF}"
                zone = None
                if dep in zone_de:
                    zone = zone_de[dep].get(s.commune.code_insee, zone_de[dep][""])
                structures.append(
                    StructureDemo(
                        identifiant=identifiant,
                        type=type_structure,
                        nom=s.nom,
                        siret=s.siret,
                        adresse=s.adresse,
                        code_postal=s.code_postal,
                        commune_insee=s.commune.code_insee,
                        commune_nom=s.commune.nom,
                        departement=dep,
                        region=regions[dep],
                        zone=zone,
                        email=f"contact.{identifiant.lower()}@{DOMAINE_FICTIF}",
                        site_web=site_web,
                        gestionnaire=s.gestionnaire,
                        mode_gestion=s.mode_gestion,
                        type_territoire=s.type_territoire,
                        taille_territoire=s.taille_territoire,
                        geographie_prioritaire=s.geographie_prioritaire,
                        adherent_fcsf=s.adherent_fcsf,
                        federation=self.federation_locale.get(dep) if s.adherent_fcsf else None,
                        autre_federation=s.autre_federation,
                        gens_du_voyage=s.gens_du_voyage,
                        multi_sites=s.multi_sites,
                        itinerante=s.itinerante,
                        nombre_sites=s.nombre_sites,
                        population_zone=s.population_zone,
                        annee_creation=s.annee_creation,
                        zfrr=s.zfrr,
                        date_premier_agrement=s.date_premier_agrement,
                        active=s.active,
                        date_fermeture=s.date_fermeture,
                        agrements=s.agrements,
                        historique=s.historique,
                        derive_population=s.derive_population,
                    )
                )
        return tuple(structures)
