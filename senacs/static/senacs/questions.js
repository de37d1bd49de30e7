/* SENACS — choix des réponses concernées par une interpellation : recherche dans les sections.
 *
 * Sans JavaScript, les questions sont rangées par section dans des blocs dépliables (<details>).
 * Avec JavaScript, un champ de recherche filtre les questions par code ou par mots du libellé (sans
 * tenir compte des accents ni des majuscules), ouvre les sections qui ont des résultats et dit combien
 * de questions correspondent (zone role="status").
 */
(function () {
  "use strict";

  function normaliser(texte) {
    return texte.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function initialiser() {
    var bloc = document.querySelector("[data-senacs-recherche-questions]");
    if (!bloc) {
      return;
    }
    var champ = bloc.querySelector("input[type=search]");
    var statut = document.getElementById("recherche-questions-statut");
    var sections = Array.prototype.slice.call(document.querySelectorAll("[data-senacs-section]"));
    var ouvertes = sections.map(function (s) {
      return s.open;
    });
    bloc.hidden = false;

    champ.addEventListener("input", function () {
      var mots = normaliser(champ.value.trim()).split(/\s+/).filter(Boolean);
      var total = 0;
      sections.forEach(function (section, i) {
        var trouvees = 0;
        section.querySelectorAll(".champ__case").forEach(function (ligne) {
          var texte = normaliser(ligne.textContent);
          var garde = mots.every(function (m) {
            return texte.indexOf(m) !== -1;
          });
          ligne.hidden = !garde;
          trouvees += garde ? 1 : 0;
        });
        total += trouvees;
        section.hidden = mots.length > 0 && trouvees === 0;
        section.open = mots.length > 0 ? trouvees > 0 : ouvertes[i];
      });
      statut.textContent = mots.length ? total + " question" + (total > 1 ? "s" : "") + " trouvée" + (total > 1 ? "s" : "") : "";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialiser);
  } else {
    initialiser();
  }
})();
