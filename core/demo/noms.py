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
