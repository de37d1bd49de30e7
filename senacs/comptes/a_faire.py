"""Ce qui attend une personne : interpellations à répondre, saisies faites pour son compte à examiner,
contestations, alertes de compréhension, réponses à valider, plaquettes à approuver, mandats qui
finissent. Une ligne par nature de travail, avec son nombre et le lien où le faire.

La même liste sert la page d'accueil (« À faire »), le compteur du menu et le récapitulatif
quotidien envoyé par courriel (``senacs notifier``) à qui l'a choisi. Tout part du périmètre (mandats
en cours) : rien hors de ce que la personne voit déjà. Une requête de comptage par nature.
"""

import datetime
from dataclasses import dataclass

from django.db.models import IntegerField, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.perimetre import Perimetre, departements_couverts
from core.roles import Role

# Un mandat qui finit dans ce délai est annoncé (le temps de le faire renouveler).
PREAVIS_MANDAT_JOURS = 30


@dataclass(frozen=True, slots=True)
class Tache:
    cle: str
    libelle: str  # « interpellation à laquelle répondre » (singulier) …
    pluriel: str
    nombre: int
    url: str

    @property
    def texte(self) -> str:
        return f"{self.nombre} {self.libelle if self.nombre < 2 else self.pluriel}"


class _Compte(Subquery):
    """« Combien de lignes ? » en sous-requête : tous les comptes de la liste partent en une seule requête."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _compte)"
    output_field = IntegerField()


def _departements_correspondant(perimetre: Perimetre) -> frozenset[str]:
    codes: set[str] = set()
    for m in perimetre.territoires_du_role(Role.CORRESPONDANT):
        codes |= departements_couverts(m.niveau, m.code)
    return frozenset(codes)


def a_faire(utilisateur, perimetre: Perimetre, jour: datetime.date | None = None, campagne=None) -> list[Tache]:
    """Les travaux qui attendent ``utilisateur`` (seulement ceux dont le nombre n'est pas nul).

    Chaque nature de travail est un ensemble de lignes ; leurs comptes partent en une seule requête."""
    from senacs.campagnes.models import Campagne
    from senacs.comptes.models import Mandat
    from senacs.controles.models import EtatInterpellation, Interpellation, departements_controle
    from senacs.questionnaires.models import AlerteComprehension, StatutAlerte
    from senacs.reponses.models import Reponse, RevueSaisie, Statut, StatutRevue

    if perimetre is None or perimetre.est_vide:
        return []
    from senacs.comptes.models import Utilisateur

    jour = jour or timezone.localdate()
    if campagne is not None:
        courante, annee = campagne.pk, campagne.annee
    else:
        # La campagne courante (la plus récente non archivée, sinon la plus récente) lue dans la même
        # requête que les comptes : le menu de chaque page ne coûte qu'une requête.
        recentes = Campagne.objects.order_by("-annee")
        courante = Coalesce(Subquery(recentes.en_cours().values("pk")[:1]), Subquery(recentes.values("pk")[:1]))
        annee = None
    campagne = courante
    a_compter: list[tuple] = []

    def ajouter(cle, libelle, pluriel, lignes, url):
        a_compter.append((cle, libelle, pluriel, lignes, url))

    propres = perimetre.structures_propres
    controle = departements_controle(perimetre)
    correspondant = _departements_correspondant(perimetre)
    if propres:
        ajouter(
            "interpellations_structure",
            "question de votre correspondant à laquelle répondre",
            "questions de votre correspondant auxquelles répondre",
            Interpellation.objects.filter(
                campagne_id=campagne, reponse__structure_id__in=propres, etat=EtatInterpellation.OUVERTE
            ),
            lambda a: reverse("controles:ma_reponse", args=[a]),
        )
        a_examiner = RevueSaisie.objects.filter(
            reponse__campagne_id=campagne, reponse__structure_id__in=propres, statut=StatutRevue.A_EXAMINER
        )
        ajouter(
            "revues_structure",
            "réponse saisie pour votre compte à examiner",
            "réponses saisies pour votre compte à examiner",
            a_examiner,
            reverse("revue:structure", args=[next(iter(propres))]) if len(propres) == 1 else reverse("revue:index"),
        )
    if controle:
        ajouter(
            "interpellations_repondues",
            "interpellation répondue par la structure, à examiner",
            "interpellations répondues par les structures, à examiner",
            Interpellation.objects.filter(
                campagne_id=campagne, reponse__structure__departement_id__in=controle, etat=EtatInterpellation.REPONDUE
            ),
            lambda a: reverse("controles:tableau_de_bord", args=[a]) + "#titre-interpellations",
        )
        ajouter(
            "reponses_a_valider",
            "réponse déposée à contrôler et valider",
            "réponses déposées à contrôler et valider",
            Reponse.objects.filter(campagne=campagne, structure__departement_id__in=controle, statut=Statut.SOUMISE),
            reverse("campagnes:suivi") + "?etat=soumise",
        )
    if correspondant:
        ajouter(
            "contestations",
            "saisie pour le compte contestée par une structure",
            "saisies pour le compte contestées par des structures",
            RevueSaisie.objects.filter(
                reponse__structure__departement_id__in=correspondant, statut=StatutRevue.CONTESTEE
            ),
            reverse("revue:index"),
        )
        ajouter(
            "alertes",
            "alerte de compréhension à traiter",
            "alertes de compréhension à traiter",
            AlerteComprehension.objects.filter(
                structure__departement_id__in=correspondant, statut=StatutAlerte.OUVERTE
            ),
            reverse("alertes:liste"),
        )
    if perimetre.est_national:
        ajouter(
            "alertes_nationales",
            "alerte de compréhension transmise au comité national",
            "alertes de compréhension transmises au comité national",
            AlerteComprehension.objects.filter(statut=StatutAlerte.ESCALADEE),
            reverse("alertes:liste"),
        )
    if perimetre.a_role(Role.COPIL):
        from senacs.copil.models import MembreCopil
        from senacs.publications.models import Plaquette
        from senacs.publications.models import Statut as StatutPlaquette

        membres = MembreCopil.objects.valides(jour).filter(utilisateur=utilisateur).select_related("copil")
        cles = [m.copil.cle_territoire for m in membres]
        if cles:
            ajouter(
                "plaquettes",
                "plaquette soumise au COPIL à relire et approuver",
                "plaquettes soumises au COPIL à relire et approuver",
                Plaquette.objects.filter(cle__in=cles, statut=StatutPlaquette.SOUMISE).exclude(
                    approbations__utilisateur=utilisateur, approbations__annulee_le__isnull=True
                ),
                reverse("publications:index"),
            )
    fin_proche = jour + datetime.timedelta(days=PREAVIS_MANDAT_JOURS)
    ajouter(
        "mandats",
        f"mandat qui finit d'ici {PREAVIS_MANDAT_JOURS} jours (demandez son renouvellement)",
        f"mandats qui finissent d'ici {PREAVIS_MANDAT_JOURS} jours (demandez leur renouvellement)",
        Mandat.objects.valides(jour).filter(utilisateur=utilisateur, date_fin__lte=fin_proche),
        reverse("accueil") + "#titre-mandats",
    )
    annotations = {f"n_{cle}": _Compte(lignes.order_by().values("pk")) for cle, _, _, lignes, _ in a_compter}
    if annee is None:
        annotations["annee_courante"] = Subquery(Campagne.objects.filter(pk=courante).values("annee")[:1])
    comptes = Utilisateur.objects.filter(pk=utilisateur.pk).annotate(**annotations).values(*annotations).first()
    comptes = comptes or {}
    annee = annee if annee is not None else comptes.get("annee_courante")
    return [
        Tache(cle, libelle, pluriel, comptes[f"n_{cle}"], url(annee) if callable(url) else url)
        for cle, libelle, pluriel, _, url in a_compter
        if comptes.get(f"n_{cle}")
    ]


def nombre_a_faire(taches: list[Tache]) -> int:
    return sum(t.nombre for t in taches)
