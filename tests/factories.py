"""Fabriques de données de test (factory_boy). Les territoires viennent de la migration de référentiel."""

import datetime

import factory
from django.conf import settings

from senacs.campagnes.models import Campagne, Phase
from senacs.comptes.models import AcceptationCharte, Mandat, Utilisateur
from senacs.structures.models import Agrement, Structure
from senacs.territoires.models import Caf, Departement, Federation


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    prenom = "Camille"
    nom = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.django.Password("motdepasse-de-test")

    class Params:
        charte = factory.Trait(
            acceptation=factory.RelatedFactory(
                "tests.factories.AcceptationCharteFactory", factory_related_name="utilisateur"
            )
        )


class AcceptationCharteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcceptationCharte

    utilisateur = factory.SubFactory(UtilisateurFactory)
    version = factory.LazyFunction(lambda: settings.SENACS_CHARTE_VERSION)


class FederationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation
        skip_postgeneration_save = True

    nom = factory.Sequence(lambda n: f"Fédération des centres sociaux n° {n}")

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if create and extracted:
            self.departements.set(extracted)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure
        skip_postgeneration_save = True

    identifiant = factory.Sequence(lambda n: f"T{n:06d}")
    type = "CS"
    nom = factory.Sequence(lambda n: f"Centre social des Tilleuls {n}")
    commune_insee = "69123"
    commune_nom = "Lyon"
    code_postal = "69001"
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))
    mode_gestion = "associatif"
    type_territoire = "urbain"
    geographie_prioritaire = "non_concerne"

    @factory.post_generation
    def agrement(self, create, extracted, **kwargs):
        if create and extracted is not False:
            Agrement.objects.create(
                structure=self, date_debut=datetime.date(2022, 1, 1), date_fin=datetime.date(2025, 12, 31)
            )


class MandatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandat

    utilisateur = factory.SubFactory(UtilisateurFactory, charte=True)
    role = "correspondant"
    niveau = "departement"
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="69"))
    organisme = "caf"
    caf = factory.LazyAttribute(lambda o: Caf.objects.get(departement=o.departement) if o.departement else None)
    date_debut = datetime.date(2020, 1, 1)
    date_fin = None


class CampagneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campagne
        django_get_or_create = ["annee"]

    annee = 2026
    annee_donnees = factory.LazyAttribute(lambda o: o.annee - 1)
    version_questionnaire = factory.LazyAttribute(lambda o: f"{o.annee}.1")
    phase = Phase.SAISIE
    date_ouverture_saisie = factory.LazyAttribute(lambda o: datetime.date(o.annee, 1, 15))
    date_fin_saisie = factory.LazyAttribute(lambda o: datetime.date(o.annee, 4, 30))
    date_fin_controle = factory.LazyAttribute(lambda o: datetime.date(o.annee, 6, 15))
    date_fin_analyse = factory.LazyAttribute(lambda o: datetime.date(o.annee, 9, 30))
    date_publication = factory.LazyAttribute(lambda o: datetime.date(o.annee, 11, 15))
