"""Vocabulaire des données de démonstration : noms de structures, voies, communes fictives, personnes.

Tout est inventé ou générique (noms de personnalités, d'arbres, de lieux-dits) : aucune donnée tierce.
"""

PERSONNALITES = (
    "Jean-Macé", "Louise-Michel", "Victor-Hugo", "Jules-Ferry", "Jacques-Prévert", "Simone-Veil",
    "Pablo-Picasso", "Nelson-Mandela", "Marie-Curie", "Aimé-Césaire", "Olympe-de-Gouges", "Jean-Jaurès",
    "Joséphine-Baker", "George-Sand", "Albert-Camus", "Paul-Éluard", "Lucie-Aubrac", "Germaine-Tillion",
    "Rosa-Parks", "Léo-Lagrange", "Pierre-Mendès-France", "Jean-Moulin", "Gisèle-Halimi", "Colette",
    "Jules-Verne", "Louis-Aragon", "Marcel-Pagnol", "Antoine-de-Saint-Exupéry", "Frida-Kahlo", "Boris-Vian",
    "Elsa-Triolet", "Missak-Manouchian", "Danielle-Casanova", "Abbé-Pierre", "Geneviève-de-Gaulle",
    "Françoise-Dolto", "Marcel-Cachin", "Romain-Rolland", "Émile-Zola", "Charles-Péguy", "Paul-Langevin",
    "Marie-Marvingt", "Gaston-Monnerville", "Toussaint-Louverture", "Louise-Weiss", "Henri-Wallon",
)  # fmt: skip

LIEUX = (
    "des Tilleuls", "du Plateau", "de la Gare", "des Acacias", "du Centre", "des Peupliers", "du Moulin",
    "de la Source", "des Marronniers", "de la Croix-Blanche", "des Hauts-de-Ville", "du Bois-Joli",
    "des Sablons", "de la Roseraie", "des Coteaux", "du Parc", "des Glycines", "de Bellevue", "du Grand-Pré",
    "des Érables", "du Canal", "des Jardins", "du Pont-Neuf", "de la Colline", "des Vergers",
    "du Soleil-Levant", "des Trois-Fontaines", "de la Butte", "du Val-Fleuri", "des Lilas", "des Hirondelles",
    "du Mail", "de la Pépinière", "des Châtaigniers", "du Clos-Saint-Jean", "des Charmilles", "de la Prairie",
    "du Vieux-Moulin", "des Cèdres", "du Bocage", "de l'Orangerie", "des Bruyères", "de la Fontaine",
    "du Belvédère", "des Quatre-Chemins", "de la Chênaie", "des Rives", "du Petit-Bois", "des Aulnes",
    "de l'Étang", "du Verger", "de la Plaine", "des Mésanges", "du Chêne-Vert", "des Pins", "de la Tour",
    "des Saules", "du Champ-de-Foire", "de la Noue", "des Genêts", "du Bourg-Neuf", "des Cerisiers",
)  # fmt: skip

NOMS_EVS = (
    "La Passerelle", "Le Lien", "La Ruche", "L'Escale", "Le Petit Pont", "La Fabrique", "L'Arbre à palabres",
    "La Maison commune", "Le Relais", "L'Îlot", "La Boussole", "Le Trait d'union", "La Courte Échelle",
    "Les Quatre Saisons", "Le Grenier", "L'Étincelle", "La Cabane", "Le Fil d'Ariane", "La Clé des champs",
    "Le Kiosque", "La Marelle", "L'Embarcadère", "Le Jardin partagé", "La Grange", "L'Atelier", "Le Carrefour",
    "Les Colibris", "La Halte", "Le Préau", "La Caravane", "Le Phare", "La Luciole", "L'Envol", "Le Cercle",
    "La Bulle", "Le Moulin à paroles", "La Parenthèse", "Le Rucher", "La Pause", "Le Fournil", "La Guinguette",
    "L'Oasis", "Le Tremplin", "La Rencontre", "Le Chaudron", "La Bobine", "Les Tisserands", "La Mosaïque",
)  # fmt: skip

MODELES_CS_URBAIN = (
    ("Centre social {personnalite}", 25),
    ("Centre social {lieu}", 25),
    ("Centre socioculturel {lieu}", 10),
    ("Maison de quartier {lieu}", 12),
    ("Maison pour tous {lieu}", 6),
    ("Espace social et culturel {personnalite}", 7),
    ("Centre social et culturel {lieu}", 8),
    ("Maison des habitants {lieu}", 7),
)
MODELES_CS_RURAL = (
    ("Centre social intercommunal du Pays {de_commune}", 30),
    ("Centre social rural {lieu}", 15),
    ("Centre social {de_commune}", 30),
    ("Foyer rural – centre social {de_commune}", 10),
    ("Centre socioculturel {personnalite}", 15),
)
MODELES_EVS_URBAIN = (
    ("Espace de vie sociale {evs}", 50),
    ("EVS {evs}", 15),
    ("{evs} – espace de vie sociale", 15),
    ("Espace de vie sociale {lieu}", 20),
)
MODELES_EVS_RURAL = (
    ("Espace de vie sociale {evs}", 45),
    ("EVS {evs}", 10),
    ("{evs} – espace de vie sociale", 15),
    ("Espace de vie sociale {de_commune}", 30),
)

TYPES_VOIE_URBAINS = ("rue", "rue", "rue", "avenue", "place", "allée", "boulevard", "impasse", "square", "cours")
NOMS_VOIE = (
    "de la République", "du Général-de-Gaulle", "Jean-Jaurès", "des Écoles", "de la Mairie", "du Marché",
    "de la Paix", "Pasteur", "Victor-Hugo", "de la Liberté", "des Lilas", "du 8-Mai-1945", "Gambetta",
    "de la Libération", "des Fleurs", "Anatole-France", "du Stade", "des Tilleuls", "Paul-Bert",
    "Jean-Moulin", "de l'Église", "du Château", "des Peupliers", "Léon-Blum", "Georges-Brassens",
    "des Droits-de-l'Homme", "Salvador-Allende", "de l'Europe", "du Docteur-Schweitzer", "Aristide-Briand",
)  # fmt: skip
ADRESSES_RURALES = (
    "{n} place de la Mairie", "{n} route de {commune}", "Le Bourg", "{n} rue de l'Église", "{n} grande rue",
    "{n} chemin des Écoliers", "Maison des associations, place du Marché", "{n} rue du Stade",
    "Ancienne école, {n} rue des Écoles", "{n} place du Champ-de-Foire",
)  # fmt: skip

# Communes fictives : un préfixe et un complément.
RACINES_COMMUNES = (
    "Saint-Martin", "Saint-Germain", "Saint-Pierre", "Sainte-Marie", "Villeneuve", "Beaumont", "Montigny",
    "Fontenay", "Châteauneuf", "Bellevue", "Valmont", "Roche", "Champagnac", "Les Granges", "La Chapelle",
    "Le Mesnil", "Vaux", "Neuville", "Saint-Julien", "Saint-Laurent", "Sainte-Croix", "Mont", "Beauregard",
    "Bourgneuf", "Villers", "Pontarcy", "Marcillac", "Saint-Aubin", "Saint-Hilaire", "Chantemerle",
    "Belleville", "Saint-Vincent", "Noirval", "Clairefont", "Rochebrune", "Montclar", "Saint-Étienne",
    "Sauveterre", "Villefranche", "Castelnau", "Saint-Sauveur", "Lavergne", "Malemort", "Beaulieu",
)  # fmt: skip
COMPLEMENTS_COMMUNES = (
    "-les-Bois", "-en-Plaine", "-le-Vieux", "-la-Forêt", "-des-Prés", "-en-Val", "-le-Haut", "-les-Vignes",
    "-du-Lac", "-sur-Rivière", "-le-Château", "-les-Étangs", "-de-Montagne", "-la-Campagne", "-des-Champs",
    "-le-Bas", "-en-Bocage", "-les-Fontaines", "-la-Rivière", "-sur-Colline", "",
)  # fmt: skip

AXES_PROJET = (
    "Favoriser le lien social et la participation des habitants",
    "Accompagner les familles et soutenir la parentalité",
    "Lutter contre l'isolement des personnes âgées",
    "Faciliter l'accès aux droits et l'inclusion numérique",
    "Accompagner la jeunesse vers l'autonomie",
    "Développer le pouvoir d'agir des habitants",
    "Promouvoir le vivre-ensemble et l'interculturalité",
    "Agir pour la transition écologique du territoire",
    "Soutenir la vie associative locale",
    "Renforcer l'accueil et l'écoute des habitants",
    "Favoriser l'insertion sociale et professionnelle",
    "Développer l'accès à la culture et aux loisirs",
    "Lutter contre la précarité et les exclusions",
    "Améliorer la mobilité des habitants",
)

ORIGINES = (
    "d'un collectif d'habitants du quartier",
    "de parents d'élèves",
    "de la commune",
    "de plusieurs associations locales",
    "de la Caf et de la commune",
    "d'un groupe de bénévoles",
    "d'une amicale laïque",
)

PRENOMS = (
    "Camille", "Nathalie", "Sophie", "Isabelle", "Sandrine", "Claire", "Julie", "Élodie", "Aurélie", "Karima",
    "Fatima", "Marion", "Hélène", "Laure", "Céline", "Amina", "Virginie", "Agnès", "Pascale", "Nadia",
    "Thomas", "Nicolas", "Julien", "Mehdi", "Stéphane", "Laurent", "Olivier", "Karim", "Philippe", "Sébastien",
    "Frédéric", "Mathieu", "Yannick", "David", "Samir", "Vincent", "Antoine", "Jérôme", "Bruno", "Patrick",
)  # fmt: skip
NOMS_FAMILLE = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Benali", "Haddad", "Nguyen", "Da Silva", "Ferreira", "Diallo", "Traoré", "Mandrin", "Chevalier", "Lemoine",
)  # fmt: skip

MOTIFS_REOUVERTURE = (
    "Réouverture de la saisie : indisponibilité de la plateforme les 28 et 29 avril.",
    "Réouverture de la saisie à la demande de plusieurs Caf (retard de clôture des comptes).",
)

# Réponses libres du questionnaire (section B) : préoccupation principale du territoire et de la structure.
PREOCCUPATIONS_TERRITOIRE = (
    "L'isolement des personnes âgées, en particulier dans les quartiers pavillonnaires.",
    "La précarité des familles monoparentales et la hausse des demandes d'aide alimentaire.",
    "Le manque de solutions de garde pour les jeunes enfants.",
    "Le décrochage scolaire des collégiens et l'absence d'espace pour les adolescents.",
    "La fracture numérique face à la dématérialisation des démarches administratives.",
    "Le manque de mobilité des habitants, faute de transports en commun.",
    "Le vieillissement de la population et la fermeture des commerces de proximité.",
    "Les tensions entre générations dans l'espace public.",
    "L'accès aux droits et aux soins, avec des délais de rendez-vous qui s'allongent.",
    "Le chômage des jeunes adultes et le manque de lien avec la mission locale.",
    "La dégradation du cadre de vie et le sentiment d'abandon du quartier.",
    "L'arrivée de nouvelles familles qui ne connaissent pas encore les services du territoire.",
    "La difficulté à se loger et la suroccupation des logements.",
    "Le repli sur soi après la crise sanitaire et la baisse de la participation.",
)
PREOCCUPATIONS_STRUCTURE = (
    "Renouveler et rajeunir l'équipe de bénévoles.",
    "Stabiliser les financements et sortir des appels à projets annuels.",
    "Recruter et garder des animateurs qualifiés.",
    "Mobiliser les habitants dans la gouvernance de la structure.",
    "Préparer le renouvellement du projet social et de l'agrément.",
    "Développer l'aller-vers pour toucher les habitants qui ne viennent pas.",
    "Adapter les locaux, devenus trop petits pour l'accueil de loisirs.",
    "Faire face à la hausse des demandes d'accompagnement aux démarches en ligne.",
    "Consolider le projet famille et le travail avec les écoles.",
    "Équilibrer le budget malgré la hausse des charges de personnel et d'énergie.",
    "Mieux coordonner l'action avec les autres équipements du territoire.",
    "Ouvrir davantage en soirée et le week-end pour les familles qui travaillent.",
)

# Justifications données par les structures aux avertissements de leur dépôt (code de règle → texte).
JUSTIFICATIONS = {
    "R02": "Une partie des postes est à cheval sur plusieurs fonctions ; la ventilation est une estimation.",
    "R04a": "L'écart correspond à des produits exceptionnels non ventilés par financeur.",
    "R05": "Exercice marqué par une reprise de provision exceptionnelle, validée par le commissaire aux comptes.",
    "R06b": "La structure emploie peu de salariés et achète beaucoup de prestations (intervenants extérieurs).",
    "R06c": "Montants vérifiés avec l'expert-comptable.",
    "R07a": "Première année d'agrément : la prestation n'a pas encore été versée.",
    "R11a": "Chiffre vérifié : plusieurs bénévoles sont présents à temps plein toute l'année.",
    "R14a": "Beaucoup d'enfants et de jeunes viennent de communes voisines.",
    "R14b": "Une partie du public vient des quartiers voisins, hors de la zone de compétence.",
    "R14d": "Les adhésions familiales sont comptées par personne.",
    "R16a": "Évolution confirmée : reprise d'une activité et nouvelles conventions signées dans l'année.",
    "R16b": "Évolution confirmée : recrutements liés à l'ouverture d'un nouvel accueil.",
    "R16c": "Évolution confirmée : ouverture d'une nouvelle activité et meilleur comptage des participants.",
    "R16d": "Évolution confirmée : départ d'un groupe de bénévoles et arrivée d'un nouveau collectif.",
    "R20": "Le centre est situé dans le quartier prioritaire d'un bourg-centre, sur un territoire à dominante rurale.",
    "R24": "Nombre de salariés vérifié ; beaucoup d'intervenants à temps très partiel.",
    "R28": "Chiffre vérifié auprès de l'accueil.",
    "R29": "Le budget prévisionnel intègre un projet d'extension qui a été voté.",
}
JUSTIFICATION_PAR_DEFAUT = "Chiffres vérifiés et confirmés par la direction."
